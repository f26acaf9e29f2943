"""The Solapi TextProvider: 알림톡 (with its template's variables checked before any call) and SMS/LMS."""
from __future__ import annotations

from tracking.notifications.providers.base import (
    DeliveryReport,
    InvalidMessage,
    ProviderAuthError,
    SendResult,
    TextMessage,
    TextProvider,
)
from tracking.notifications.providers.solapi import parse
from tracking.notifications.providers.solapi.client import API_BASE, SolapiClient


class SolapiProvider(TextProvider):
    slug = "solapi"
    name = "Solapi"
    kinds = frozenset({"alimtalk", "sms", "lms"})
    default_api_url = API_BASE

    def client(self) -> SolapiClient:
        if not (self.credentials.api_key and self.credentials.api_secret):
            raise ProviderAuthError("No Solapi API key/secret configured", code="missing_key", provider=self.slug)
        return SolapiClient(self.credentials.api_key, self.credentials.api_secret, **self.client_options())

    def send(self, message: TextMessage) -> SendResult:
        if message.kind not in self.kinds:
            raise InvalidMessage(f"Solapi does not send {message.kind!r}", code="unsupported_kind", provider=self.slug)
        client = self.client()
        template = self.template_for(message) if message.kind == "alimtalk" else None
        body = parse.message_body(message, credentials=self.credentials, template=template)
        return parse.parse_send(client.send_many([body]), kind=parse.sent_kind(body))

    def delivery_report(self, message_id: str) -> DeliveryReport:
        """What became of an accepted message (final once Solapi got the carrier's or Kakao's report)."""
        return parse.parse_report(self.client().get_message(message_id), message_id)

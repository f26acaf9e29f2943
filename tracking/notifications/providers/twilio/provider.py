"""The Twilio TextProvider: SMS (an "lms" is one long SMS) and WhatsApp, free text or a content template."""
from __future__ import annotations

from tracking.notifications.providers.base import DeliveryReport, InvalidMessage, ProviderAuthError, SendResult, TextMessage, TextProvider
from tracking.notifications.providers.twilio import parse
from tracking.notifications.providers.twilio.client import API_BASE, TwilioClient


class TwilioProvider(TextProvider):
    slug = "twilio"
    name = "Twilio"
    kinds = frozenset({"sms", "lms", "whatsapp"})
    default_api_url = API_BASE

    def client(self) -> TwilioClient:
        if not (self.credentials.api_key and self.credentials.api_secret):
            raise ProviderAuthError("No Twilio Account SID / Auth Token configured", code="missing_key",
                                    provider=self.slug)
        return TwilioClient(self.credentials.api_key, self.credentials.api_secret, **self.client_options())

    def send(self, message: TextMessage) -> SendResult:
        if message.kind not in self.kinds:
            raise InvalidMessage(f"Twilio does not send {message.kind!r}", code="unsupported_kind", provider=self.slug)
        template = self.template_for(message) if message.template_code else None
        form = parse.message_form(message, credentials=self.credentials, template=template)
        return parse.parse_message(self.client().create_message(form), kind=message.kind)

    def delivery_report(self, message_id: str) -> DeliveryReport:
        return parse.parse_report(self.client().fetch_message(message_id))

"""Backends for tracking.notifications.channels.ProviderChannel (``send(to=, text=) -> message id``)
that send through a real provider, configured from settings (DOORSTEP_TEXT_PROVIDER_CREDENTIALS).

    DOORSTEP_SMS_BACKEND=tracking.notifications.providers.backends.SolapiSMSBackend   (Korea: SMS/LMS)
    DOORSTEP_SMS_BACKEND=tracking.notifications.providers.backends.TwilioSMSBackend
    DOORSTEP_WHATSAPP_BACKEND=tracking.notifications.providers.backends.TwilioWhatsAppBackend

The text is sent as an SMS when it fits 90 EUC-KR bytes, else as an LMS. Failures are raised as
ChannelError (what the send task retries): TextChannelError when a retry may help, and its subclass
PermanentTextChannelError when it cannot (opted out, invalid number, bad credentials…); both carry the
provider's ``code`` and the original error as ``provider_error``. 알림톡 needs a template and variables,
which this two-argument interface cannot carry: use FallbackSender with get_text_provider for it.
"""
from __future__ import annotations

from typing import ClassVar

from tracking.notifications.channels import ChannelError
from tracking.notifications.providers.base import ProviderError, TextMessage, TextProvider
from tracking.notifications.providers.registry import get_text_provider
from tracking.notifications.providers.text import InvalidPhoneNumber, normalize_phone, plain_text_kind


class TextChannelError(ChannelError):
    retryable = True

    def __init__(self, message: str, *, code: str = "", provider_error: ProviderError | None = None):
        super().__init__(message)
        self.code = code
        self.provider_error = provider_error


class PermanentTextChannelError(TextChannelError):
    """Retrying cannot help (opted out, invalid number, bad credentials, content refused)."""

    retryable = False


class ProviderTextBackend:
    provider_slug: ClassVar[str]
    kind: ClassVar[str] = "sms"  # "sms" picks SMS or LMS by length

    def __init__(self, provider: TextProvider | None = None):
        self.provider = provider or get_text_provider(self.provider_slug)

    def message(self, *, to: str, text: str) -> TextMessage:
        kind = plain_text_kind(text) if self.kind == "sms" else self.kind
        return TextMessage(to=normalize_phone(to), text=text, kind=kind)

    def send(self, *, to: str, text: str) -> str:
        try:
            message = self.message(to=to, text=text)
        except InvalidPhoneNumber as exc:
            raise PermanentTextChannelError(str(exc), code="invalid_number") from exc
        try:
            result = self.provider.send(message)
        except ProviderError as exc:
            error = TextChannelError if exc.retryable else PermanentTextChannelError
            raise error(f"{self.provider.slug} {exc.code}: {exc}", code=exc.code, provider_error=exc) from exc
        return result.message_id


class SolapiSMSBackend(ProviderTextBackend):
    provider_slug = "solapi"


class TwilioSMSBackend(ProviderTextBackend):
    provider_slug = "twilio"


class TwilioWhatsAppBackend(ProviderTextBackend):
    provider_slug = "twilio"
    kind = "whatsapp"

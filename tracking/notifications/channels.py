"""Delivery channels. Each takes a rendered Message and returns the provider's message id.

Email goes through Django's email backend. SMS and WhatsApp go through a provider backend named in
settings (DOORSTEP_SMS_BACKEND / DOORSTEP_WHATSAPP_BACKEND), so a real provider is a class away;
the console backend prints and the memory backend keeps an outbox for tests."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str = ""
    from_name: str = ""
    reply_to: str = ""
    headers: dict = field(default_factory=dict)


class ChannelError(Exception):
    """The provider refused or failed; the send task retries a bounded number of times."""


class EmailChannel:
    """Django's email backend; with a merchant's own sender (tracking.credentials, service "email"):
    its from address, and its SMTP server when it names one."""

    def __init__(self, merchant_id: int | None = None):
        self.merchant_id = merchant_id

    def _sender(self) -> tuple[str, object]:
        from tracking.credentials.services import merchant_credential

        own = merchant_credential(merchant_id=self.merchant_id, service="email")
        if own is None:
            return settings.DEFAULT_FROM_EMAIL, None
        config = own.config
        connection = None
        if config.get("host"):
            connection = get_connection("django.core.mail.backends.smtp.EmailBackend", host=str(config["host"]),
                                        port=int(config.get("port") or 587), username=own.key_id or None,
                                        password=own.secret or None, use_tls=bool(config.get("use_tls", True)),
                                        timeout=10)
        return str(config.get("from_email") or settings.DEFAULT_FROM_EMAIL), connection

    def send(self, message: Message) -> str:
        message_id = f"<{uuid.uuid4().hex}@doorstep>"
        from_email, connection = self._sender()
        if message.from_name:
            address = from_email.split("<")[-1].rstrip(">")
            from_email = f"{message.from_name} <{address}>"
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=from_email,
            to=[message.to],
            reply_to=[message.reply_to] if message.reply_to else None,
            headers={"Message-ID": message_id, **message.headers},
            connection=connection,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except OSError as exc:  # SMTP connection problems
            raise ChannelError(str(exc)) from exc
        return message_id


class ProviderChannel:
    """SMS / WhatsApp: short text only, sent through a configurable provider backend. A provider
    backend (tracking.notifications.providers.backends) gets the merchant's own provider account
    when the merchant stored one."""

    def __init__(self, backend_path: str, merchant_id: int | None = None):
        backend_class = import_string(backend_path)
        provider_slug = getattr(backend_class, "provider_slug", "")
        if provider_slug and merchant_id is not None:
            from tracking.notifications.providers.registry import text_provider_for_merchant

            self.backend = backend_class(text_provider_for_merchant(provider_slug, merchant_id=merchant_id))
        else:
            self.backend = backend_class()

    def send(self, message: Message) -> str:
        return self.backend.send(to=message.to, text=message.text)


class ConsoleTextBackend:
    def send(self, *, to: str, text: str) -> str:
        logger.info("text message to %s: %s", to, text)
        return f"console-{uuid.uuid4().hex[:12]}"


class MemoryTextBackend:
    """Keeps sent texts in ``outbox`` (class-level, like Django's locmem email backend)."""

    outbox: list[dict] = []

    def send(self, *, to: str, text: str) -> str:
        message_id = f"mem-{uuid.uuid4().hex[:12]}"
        MemoryTextBackend.outbox.append({"to": to, "text": text, "id": message_id})
        return message_id


def get_channel(name: str, *, merchant_id: int | None = None):
    if name == "email":
        return EmailChannel(merchant_id)
    if name == "sms":
        return ProviderChannel(settings.DOORSTEP_SMS_BACKEND, merchant_id)
    if name == "whatsapp":
        return ProviderChannel(settings.DOORSTEP_WHATSAPP_BACKEND, merchant_id)
    raise ValueError(f"unknown channel {name!r}")

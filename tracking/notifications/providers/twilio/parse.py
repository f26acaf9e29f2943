"""Pure functions between our dataclasses and Twilio's wire format (no HTTP here).

Errors come back as ``{"code": 21211, "message": …, "more_info": …, "status": 400}``; a Message
resource has ``sid`` and ``status`` (and ``error_code`` once delivery failed).
"""
from __future__ import annotations

import json

from tracking.notifications.providers.base import (
    AccountError,
    DeliveryReport,
    InvalidMessage,
    MessageTemplate,
    OptedOut,
    ProviderAuthError,
    ProviderCredentials,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    RecipientError,
    SendResult,
    TemplateError,
    TextMessage,
    normalize_variables,
)
from tracking.notifications.providers.text import InvalidPhoneNumber, normalize_phone

PROVIDER = "twilio"
MAX_BODY = 1600  # characters
ACCEPTED = frozenset({"accepted", "scheduled", "queued", "sending", "sent"})
DELIVERED = frozenset({"delivered", "read"})
FAILED = frozenset({"failed", "undelivered", "canceled"})

INVALID_NUMBER = frozenset({21211, 21214, 21217, 21401, 21407, 21614})
UNREACHABLE = frozenset({21612, 30003, 30005, 30006, 30008})
ACCOUNT = frozenset({21408, 21606, 21212, 21659, 21660, 21661, 21703, 21704, 21705, 30032, 30034, 63007, 63018})
CONTENT = frozenset({21602, 21617, 21619, 30019})
# WhatsApp: outside the 24-hour session window a free-form message needs an approved template; the
# content template is unknown/not approved; the recipient is not on WhatsApp. SMS can still reach them.
TEMPLATE = frozenset({63016, 63027, 63028, 63041, 63042})
NOT_ON_CHANNEL = frozenset({63003, 63024})


def error_for_code(code: int | None, message: str, *, status: int = 400, retry_after: float | None = None,
                   message_id: str = "") -> ProviderError:
    kw = {"code": str(code or f"http_{status}"), "provider": PROVIDER, "message_id": message_id}
    if code == 20003 or status == 401:
        return ProviderAuthError(message, **kw)
    if code == 20429 or status == 429:
        return RateLimited(message, retry_after=retry_after, **kw)
    if code == 21610:
        return OptedOut(message, **kw)
    if code in INVALID_NUMBER:
        return RecipientError(message, reason="invalid_number", **kw)
    if code in UNREACHABLE:
        return RecipientError(message, reason="unreachable", **kw)
    if code in NOT_ON_CHANNEL:
        return RecipientError(message, reason="not_on_channel", fallback_allowed=True, **kw)
    if code in TEMPLATE:
        return TemplateError(message, fallback_allowed=True, **kw)
    if code in ACCOUNT or status == 403 or code == 20404:
        return AccountError(message, **kw)
    if code in CONTENT:
        return InvalidMessage(message, **kw)
    if status >= 500:
        return ProviderUnavailable(message, maybe_sent=status != 503, retry_after=retry_after, **kw)
    return InvalidMessage(message, **kw)


def error_for(status: int, body: dict | None, retry_after: float | None = None) -> ProviderError:
    body = body or {}
    code = body.get("code")
    try:
        code = int(code) if code is not None else None
    except (TypeError, ValueError):
        code = None
    message = str(body.get("message") or f"Twilio answered HTTP {status}")
    if body.get("more_info"):
        message = f"{message} ({body['more_info']})"
    return error_for_code(code, message, status=status, retry_after=retry_after)


def _address(number: str, *, whatsapp: bool, what: str) -> str:
    raw = number.removeprefix("whatsapp:")
    try:
        e164 = normalize_phone(raw)
    except InvalidPhoneNumber as exc:
        if what == "recipient":
            raise RecipientError(str(exc), reason="invalid_number", code="invalid_number", provider=PROVIDER) from None
        raise AccountError(f"sender: {exc}", code="invalid_sender", provider=PROVIDER) from None
    return f"whatsapp:{e164}" if whatsapp else e164


def message_form(message: TextMessage, *, credentials: ProviderCredentials,
                 template: MessageTemplate | None = None) -> dict[str, str]:
    """Form fields for POST Messages.json. Raises (before any call) what can be known locally."""
    if message.kind not in ("sms", "lms", "whatsapp"):
        raise InvalidMessage(f"Twilio does not send {message.kind!r}", code="unsupported_kind", provider=PROVIDER)
    whatsapp = message.kind == "whatsapp"
    form = {"To": _address(message.to, whatsapp=whatsapp, what="recipient")}
    sender = message.sender or credentials.sender
    if sender.startswith("MG"):
        form["MessagingServiceSid"] = sender
    elif sender:
        form["From"] = _address(sender, whatsapp=whatsapp, what="sender")
    else:
        raise AccountError("no Twilio sender (TWILIO_FROM) configured", code="missing_sender", provider=PROVIDER)
    if template is not None:
        form["ContentSid"] = template.template_id
        form["ContentVariables"] = json.dumps(normalize_variables(message.variables), ensure_ascii=False,
                                              sort_keys=True)
        return form
    text = message.text.strip()
    if message.kind == "lms" and message.subject:  # SMS has no subject line: put it first
        text = f"{message.subject}\n{text}"
    if not text:
        raise InvalidMessage("a message needs a text", code="empty_text", provider=PROVIDER)
    if len(text) > MAX_BODY:
        raise InvalidMessage(f"text of {len(text)} characters is longer than Twilio's {MAX_BODY}", code="too_long",
                             provider=PROVIDER)
    form["Body"] = text
    return form


def parse_message(resource: dict, *, kind: str) -> SendResult:
    """The Message resource Twilio answers a create with -> SendResult (or the error it failed with)."""
    sid = str(resource.get("sid") or "")
    status = str(resource.get("status") or "")
    if not sid:
        raise ProviderUnavailable("Twilio answered without a message sid", code="unexpected_body", provider=PROVIDER,
                                  maybe_sent=True)
    if status in FAILED:
        raise error_for_code(resource.get("error_code"), str(resource.get("error_message") or f"message {status}"),
                             message_id=sid)
    return SendResult(provider=PROVIDER, kind=kind, status="accepted", message_id=sid, provider_code=status)


def parse_report(resource: dict) -> DeliveryReport:
    sid = str(resource.get("sid") or "")
    status = str(resource.get("status") or "")
    kind = "whatsapp" if str(resource.get("to") or "").startswith("whatsapp:") else "sms"
    code = str(resource.get("error_code") or "")
    if status in DELIVERED:
        return DeliveryReport(PROVIDER, sid, kind, "delivered", status)
    if status in FAILED:
        error = error_for_code(resource.get("error_code"), str(resource.get("error_message") or status), message_id=sid)
        return DeliveryReport(PROVIDER, sid, kind, "failed", code or status, str(error), error=error)
    return DeliveryReport(PROVIDER, sid, kind, "pending", status)

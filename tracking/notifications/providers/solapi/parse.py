"""Pure functions between our dataclasses and Solapi's wire format (no HTTP here).

Solapi answers a send with HTTP 200 even when it refuses a message: the message then appears in
``failedMessageList`` with a four-digit ``statusCode``; accepted ones are in ``messageList`` with
"2000". Delivery results (3104 "not a KakaoTalk user" …) come later, from a status query or webhook.
Codes are Solapi's message status codes (docs: api-reference/message-status-codes).
"""
from __future__ import annotations

from typing import Callable

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
)
from tracking.notifications.providers.text import (
    LMS_MAX_BYTES,
    LMS_SUBJECT_MAX_BYTES,
    SMS_MAX_BYTES,
    InvalidPhoneNumber,
    euc_kr_bytes,
    korean_national,
    truncate_euc_kr,
)

PROVIDER = "solapi"
ACCEPTED = frozenset({"2000", "3000"})  # registered / handed to the carrier; the report comes later
DELIVERED = "4000"

_E = Callable[..., ProviderError]


def _account(fallback: bool = False) -> _E:
    return lambda msg, **kw: AccountError(msg, fallback_allowed=fallback, **kw)


def _template() -> _E:
    return lambda msg, **kw: TemplateError(msg, fallback_allowed=True, **kw)


def _recipient(reason: str, fallback: bool = False) -> _E:
    return lambda msg, **kw: RecipientError(msg, reason=reason, fallback_allowed=fallback, **kw)


STATUS_ERRORS: dict[str, _E] = {
    "1020": lambda msg, **kw: ProviderAuthError(msg, **kw),
    # Our account: balance, sender number, blocks.
    "1030": _account(), "2230": _account(),
    "1062": _account(), "2062": _account(), "3013": _account(), "2063": _account(), "1064": _account(),
    "2064": _account(),
    # The KakaoTalk channel (pfId) is not valid: the shopper can still get an SMS.
    "1041": _account(fallback=True), "3101": _account(fallback=True), "3106": _account(fallback=True),
    # Template unknown, not matching, or its buttons wrong: fall back to SMS.
    **{code: _template() for code in ("1042", "1043", "3103", "3105", "1044", "1045", "1046", "1047", "1048",
                                      "1049", "1050", "1052")},
    # The recipient does not use KakaoTalk, is not reachable on it, or blocked the channel.
    "3102": _recipient("no_kakaotalk", fallback=True), "3104": _recipient("no_kakaotalk", fallback=True),
    "3107": _recipient("no_kakaotalk", fallback=True),
    "1058": _recipient("unreachable", fallback=True), "3058": _recipient("unreachable", fallback=True),
    "1060": _recipient("blocked"), "2060": _recipient("blocked"),
    "1061": lambda msg, **kw: OptedOut(msg, **kw), "2061": lambda msg, **kw: OptedOut(msg, **kw),
    "3010": _recipient("invalid_number"), "3032": _recipient("invalid_number"),
    # Solapi's own server errors while registering: nothing went out, the same message may be sent again.
    **{code: (lambda msg, **kw: ProviderUnavailable(msg, maybe_sent=False, **kw)) for code in ("1024", "2024", "3012")},
}


def error_for_status_code(code: str, message: str = "", *, message_id: str = "") -> ProviderError:
    """The error a (non-success) Solapi message status code stands for."""
    text = message or f"Solapi status {code}"
    factory = STATUS_ERRORS.get(code)
    if factory is not None:
        return factory(text, code=code, provider=PROVIDER, message_id=message_id)
    if code.startswith("1") or code in ("2011", "2254", "3011"):
        return InvalidMessage(text, code=code, provider=PROVIDER, message_id=message_id)
    if code.startswith("3"):  # carrier-side delivery failures: phone off, full, spam-filtered…
        return RecipientError(text, reason="unreachable", code=code, provider=PROVIDER, message_id=message_id)
    return ProviderError(text, code=code, provider=PROVIDER, message_id=message_id)


AUTH_ERROR_CODES = frozenset({"InvalidAPIKey", "SignatureDoesNotMatch", "RequestTimeTooSkewed", "DuplicatedSignature",
                              "Unauthorized", "Forbidden", "InvalidAccessToken", "InactiveApp"})
BALANCE_ERROR_CODES = frozenset({"NotEnoughBalance", "BalanceInsufficient"})


def error_for(status: int, body: dict | None, retry_after: float | None = None) -> ProviderError:
    """An HTTP error answer ``{"errorCode", "errorMessage"}`` (or a non-JSON page) -> our error."""
    code = str((body or {}).get("errorCode") or "")
    message = str((body or {}).get("errorMessage") or f"Solapi answered HTTP {status}")
    kw = {"code": code or f"http_{status}", "provider": PROVIDER}
    if code in AUTH_ERROR_CODES or status in (401, 403):
        return ProviderAuthError(message, **kw)
    if code in BALANCE_ERROR_CODES or status == 402:
        return AccountError(message, **kw)
    if status == 429 or code == "TooManyRequests":
        return RateLimited(message, retry_after=retry_after, **kw)
    if status >= 500:
        return ProviderUnavailable(message, maybe_sent=status != 503, retry_after=retry_after, **kw)
    if "template" in code.lower():
        return TemplateError(message, fallback_allowed=True, **kw)
    return InvalidMessage(message, **kw)


def _national(number: str, what: str) -> str:
    try:
        return korean_national(number)
    except InvalidPhoneNumber as exc:
        if what == "recipient":
            raise RecipientError(str(exc), reason="invalid_number", code="invalid_number", provider=PROVIDER) from None
        raise AccountError(f"sender number: {exc}", code="invalid_sender", provider=PROVIDER) from None


def message_body(message: TextMessage, *, credentials: ProviderCredentials,
                 template: MessageTemplate | None = None) -> dict:
    """One entry of ``messages`` for send-many. Raises (before any call) what can be known locally."""
    sender = message.sender or credentials.sender
    if not sender:
        raise AccountError("no Solapi sender number (SOLAPI_SENDER) configured", code="missing_sender",
                           provider=PROVIDER)
    body: dict = {"to": _national(message.to, "recipient"), "from": _national(sender, "sender")}
    if message.kind == "alimtalk":
        if template is None:
            raise TemplateError("a 알림톡 needs its template", code="unknown_template", provider=PROVIDER)
        if not credentials.sender_profile:
            raise AccountError("no KakaoTalk channel (SOLAPI_PFID) configured", code="missing_pfid",
                               provider=PROVIDER)
        variables = {f"#{{{name}}}": value for name, value in _variables(message).items()}
        body["type"] = "ATA"
        body["kakaoOptions"] = {"pfId": credentials.sender_profile, "templateId": template.template_id,
                                "variables": variables, "disableSms": True}  # our own fallback, not Solapi's
        return body
    if message.kind not in ("sms", "lms"):
        raise InvalidMessage(f"Solapi does not send {message.kind!r}", code="unsupported_kind", provider=PROVIDER)
    text = message.text.strip()
    if not text:
        raise InvalidMessage("an SMS/LMS needs a text", code="empty_text", provider=PROVIDER)
    size = euc_kr_bytes(text)
    if size > LMS_MAX_BYTES:
        raise InvalidMessage(f"text of {size} bytes is longer than an LMS ({LMS_MAX_BYTES})", code="too_long",
                             provider=PROVIDER)
    long_text = message.kind == "lms" or size > SMS_MAX_BYTES  # an "sms" that does not fit goes as an LMS
    body["type"] = "LMS" if long_text else "SMS"
    body["text"] = text
    if long_text and message.subject:
        body["subject"] = truncate_euc_kr(message.subject, LMS_SUBJECT_MAX_BYTES)
    return body


def _variables(message: TextMessage) -> dict[str, str]:
    from tracking.notifications.providers.base import normalize_variables

    return {name: str(value) for name, value in normalize_variables(message.variables).items()}


def sent_kind(body: dict) -> str:
    return {"ATA": "alimtalk", "SMS": "sms", "LMS": "lms"}.get(body.get("type", ""), "sms")


def parse_send(answer: dict, *, kind: str) -> SendResult:
    """The answer to send-many/detail for ONE message -> SendResult, or the error it was refused with."""
    failed = [item for item in (answer.get("failedMessageList") or []) if isinstance(item, dict)]
    if failed:
        item = failed[0]
        raise error_for_status_code(str(item.get("statusCode") or ""), str(item.get("statusMessage") or ""),
                                    message_id=str(item.get("messageId") or ""))
    items = [item for item in (answer.get("messageList") or []) if isinstance(item, dict)]
    if items:
        item = items[0]
        code = str(item.get("statusCode") or "")
        if code not in ACCEPTED:
            raise error_for_status_code(code, str(item.get("statusMessage") or ""),
                                        message_id=str(item.get("messageId") or ""))
        return SendResult(provider=PROVIDER, kind=kind, status="accepted", message_id=str(item.get("messageId") or ""),
                          provider_code=code, provider_message=str(item.get("statusMessage") or ""))
    group = answer.get("groupInfo") or {}
    count = group.get("count") or {}
    if count.get("registeredSuccess", 0) >= 1:  # no messageList: the group id is all we have
        return SendResult(provider=PROVIDER, kind=kind, status="accepted", message_id=str(group.get("groupId") or ""),
                          provider_code="2000")
    raise ProviderUnavailable("Solapi answered without the message's fate", code="unexpected_body",
                              provider=PROVIDER, maybe_sent=True)


def parse_report(answer: dict, message_id: str) -> DeliveryReport:
    """GET /messages/v4/list?messageId=… (``messageList`` keyed by id) or one webhook report entry."""
    entry = answer
    listed = answer.get("messageList")
    if isinstance(listed, dict):
        entry = listed.get(message_id) or next(iter(listed.values()), {})
    elif isinstance(listed, list):
        entry = next((m for m in listed if isinstance(m, dict) and m.get("messageId") == message_id), {})
    if not entry:
        raise ProviderError(f"Solapi has no message {message_id}", code="not_found", provider=PROVIDER)
    code = str(entry.get("statusCode") or "")
    reason = str(entry.get("reason") or entry.get("statusMessage") or "")
    kind = sent_kind(entry)
    if code == DELIVERED:
        return DeliveryReport(PROVIDER, message_id, kind, "delivered", code, reason)
    if code in ACCEPTED or not code or code.startswith("TEST"):
        return DeliveryReport(PROVIDER, message_id, kind, "pending", code, reason)
    error = error_for_status_code(code, reason, message_id=message_id)
    return DeliveryReport(PROVIDER, message_id, kind, "failed", code, reason, error=error)

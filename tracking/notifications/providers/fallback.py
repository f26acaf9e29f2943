"""The fallback rule: 알림톡 (or a WhatsApp template) first; if the provider says this recipient cannot
get it — not a KakaoTalk user, channel blocked, template unknown or not matching — send exactly one
SMS/LMS with the fallback text instead. Never both for one fact.

Contract of ``FallbackSender.send``:

* returns a DeliveryOutcome as soon as a message was accepted, or once the fallback was entered
  (whatever the SMS/LMS then answered): ``attempts`` records the 알림톡 and the SMS/LMS attempt,
  ``delivered_by`` says which kind was accepted ("" if none), ``error`` why the last attempt failed;
* raises the ProviderError when nothing was accepted and no fallback was entered, exactly like a plain
  provider call: retry later when ``retryable`` (the 알림톡 may be sent again), else give up.

Once an outcome says ``fallback_used``, the caller must record it and never send the 알림톡 again for
that fact: a retry after a failed fallback goes through ``send_fallback`` only. A 알림톡 that is only
reported as failed later (Solapi delivery reports: 3104 not a KakaoTalk user…) takes the same path:
``may_fall_back(message, error)`` then ``send_fallback``.

The uncertain case never falls back: a 알림톡 attempt that timed out or got a 5xx (ProviderUnavailable)
may have been delivered, so an SMS in its place could make two messages for one fact.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from tracking.notifications.providers.base import ProviderError, SendResult, TextMessage, TextProvider
from tracking.notifications.providers.text import LMS_SUBJECT_MAX_BYTES, plain_text_kind, truncate_euc_kr

FALLBACK_FROM_KINDS = frozenset({"alimtalk", "whatsapp"})


@dataclass(frozen=True)
class DeliveryOutcome:
    attempts: tuple[SendResult, ...]  # in order: the 알림톡 attempt, then the SMS/LMS fallback if any
    delivered_by: str = ""  # kind of the accepted attempt: "alimtalk" | "sms" | "lms" | "whatsapp" | ""
    error: ProviderError | None = None  # why the last attempt failed, when nothing was accepted

    @property
    def delivered(self) -> bool:
        return bool(self.delivered_by)

    @property
    def fallback_used(self) -> bool:
        return any(attempt.fallback_used for attempt in self.attempts)

    @property
    def message_id(self) -> str:
        """The provider id of the accepted attempt ("" if none)."""
        for attempt in self.attempts:
            if attempt.status == "accepted":
                return attempt.message_id
        return ""


def may_fall_back(message: TextMessage, error: ProviderError) -> bool:
    """Whether ``error`` on ``message`` allows sending one SMS/LMS in its place."""
    return message.kind in FALLBACK_FROM_KINDS and error.fallback_allowed and not error.retryable


def failed_attempt(message: TextMessage, error: ProviderError, *, fallback_used: bool = False) -> SendResult:
    return SendResult(provider=error.provider, kind=message.kind, status="failed", message_id=error.message_id,
                      provider_code=error.code, provider_message=str(error)[:500], fallback_used=fallback_used)


def fallback_message(message: TextMessage, fallback_text: str) -> TextMessage:
    """The SMS (≤ 90 EUC-KR bytes) or LMS (with the subject) that replaces ``message``."""
    text = (fallback_text or "").strip()
    if not text:
        raise ValueError("a fallback needs a text")
    kind = plain_text_kind(text)
    subject = truncate_euc_kr(message.subject, LMS_SUBJECT_MAX_BYTES) if kind == "lms" else ""
    return TextMessage(to=message.to, text=text, kind=kind, subject=subject, sender=message.sender)


class FallbackSender:
    """Sends a 알림톡/WhatsApp through ``primary`` and, where the rule allows, one SMS/LMS through
    ``sms`` (by default the same provider)."""

    def __init__(self, primary: TextProvider, sms: TextProvider | None = None):
        self.primary = primary
        self.sms = sms or primary

    def fallback_text_for(self, message: TextMessage, fallback_text: str = "") -> str:
        if fallback_text.strip():
            return fallback_text
        template = self.primary.templates.get(message.template_code)
        return template.render(message.variables) if template is not None and template.text else ""

    def send(self, message: TextMessage, *, fallback_text: str = "") -> DeliveryOutcome:
        """Send ``message``; ``fallback_text`` is the SMS/LMS body (default: the template's text, filled)."""
        try:
            result = self.primary.send(message)
        except ProviderError as exc:
            text = self.fallback_text_for(message, fallback_text)
            if not (may_fall_back(message, exc) and text.strip()):
                raise
            return self.send_fallback(message, fallback_text=text, after=(failed_attempt(message, exc),))
        return DeliveryOutcome(attempts=(result,), delivered_by=result.kind)

    def send_fallback(self, message: TextMessage, *, fallback_text: str = "",
                      after: tuple[SendResult, ...] = ()) -> DeliveryOutcome:
        """Send the one SMS/LMS that replaces ``message`` (also after a late failure report, or to
        retry a fallback that failed retryably). ``after`` are the attempts made before it."""
        sms = fallback_message(message, self.fallback_text_for(message, fallback_text))
        try:
            result = self.sms.send(sms)
        except ProviderError as exc:
            return DeliveryOutcome(attempts=(*after, failed_attempt(sms, exc, fallback_used=True)), error=exc)
        return DeliveryOutcome(attempts=(*after, replace(result, fallback_used=True)), delivered_by=result.kind)

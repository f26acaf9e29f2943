"""KakaoTalk 알림톡 for shipping news, with the one SMS/LMS fallback, through the merchant's Solapi
account (its own, else the install-wide one).

A shopper gets 알림톡 instead of an SMS when they read Korean, have a phone number, and the merchant
registered a template for that kind of notification (AlimtalkTemplate) and has a Solapi account
with a KakaoTalk channel. One NotificationLog row stands for the fact on this channel: the 알림톡,
or — when Kakao cannot deliver it (not a KakaoTalk user, channel blocked, template mismatch) —
exactly one SMS/LMS with the template's text filled in (tracking.notifications.providers.fallback).
Every attempt is appended to the row's ``attempt_log``; once ``fallback_used`` is set the 알림톡 is
never sent again for that row, a retry only repeats the SMS/LMS.
"""
from __future__ import annotations

import logging
from dataclasses import asdict

from django.utils import timezone

from tracking.models import AlimtalkTemplate, Customer, Merchant, NotificationLog
from tracking.notifications.channels import ChannelError
from tracking.notifications.providers.base import MessageTemplate, ProviderError, TemplateError, TextMessage
from tracking.notifications.providers.fallback import DeliveryOutcome, FallbackSender, failed_attempt
from tracking.notifications.providers.registry import credentials_from_settings, merchant_provider_credentials
from tracking.notifications.providers.registry import text_provider_for_merchant
from tracking.notifications.providers.text import InvalidPhoneNumber, normalize_phone

logger = logging.getLogger(__name__)
S = NotificationLog.Status
CHANNEL = "alimtalk"
PROVIDER = "solapi"
MAX_ATTEMPTS = 5  # as tracking.notifications.services.MAX_ATTEMPTS


def template_for(*, merchant_id: int, kind: str) -> AlimtalkTemplate | None:
    return AlimtalkTemplate.objects.filter(merchant_id=merchant_id, kind=kind, is_active=True).first()


def _reads_korean(merchant: Merchant, customer: Customer) -> bool:
    return (customer.locale or merchant.default_locale or "").lower().startswith("ko")


def _has_kakao_channel(merchant: Merchant) -> bool:
    own = merchant_provider_credentials(PROVIDER, merchant_id=merchant.pk)
    credentials = own or credentials_from_settings(PROVIDER)
    return bool(credentials.api_key and credentials.api_secret and credentials.sender_profile)


def alimtalk_eligible(*, merchant: Merchant, customer: Customer, kind: str) -> bool:
    """Whether this notification goes to this shopper by 알림톡 (with its SMS/LMS fallback)."""
    return (bool(customer.phone) and _reads_korean(merchant, customer) and _has_kakao_channel(merchant)
            and template_for(merchant_id=merchant.pk, kind=kind) is not None)


def variables_for(log: NotificationLog) -> dict[str, str]:
    """What a template may use, under English and Korean names; the context's own values too."""
    from tracking.notifications.services import _tracking_url

    order = log.order
    values = {
        "merchant": log.merchant.name, "name": log.customer.name,
        "order": order.number if order else "", "url": _tracking_url(order) if order else "",
        "tracking_number": str(log.context.get("tracking_number", "")),
        "carrier": str(log.context.get("carrier_name", "")),
    }
    korean = {"상점명": "merchant", "쇼핑몰": "merchant", "고객명": "name", "이름": "name", "주문번호": "order",
              "배송조회": "url", "링크": "url", "송장번호": "tracking_number", "운송장번호": "tracking_number",
              "택배사": "carrier"}
    values.update({alias: values[name] for alias, name in korean.items()})
    values.update({str(k): str(v) for k, v in (log.context or {}).items() if isinstance(v, (str, int, float))})
    return {k: v for k, v in values.items() if v != ""}


def _record(log: NotificationLog, attempts) -> None:
    log.attempt_log = [*log.attempt_log, *({**asdict(a), "at": timezone.now().isoformat()} for a in attempts)]


def alimtalk_send(log: NotificationLog) -> ChannelError | None:
    """Send one claimed, queued row (the caller holds its lock). Saves the row; returns the
    ChannelError to raise after the caller's transaction commits when a retry may help."""
    template = template_for(merchant_id=log.merchant_id, kind=log.kind)
    fields = ["attempts", "status", "skip_reason", "error", "subject", "provider_message_id", "delivered_by",
              "fallback_used", "attempt_log", "sent_at"]
    if template is None:
        log.status, log.skip_reason = S.SKIPPED, "no 알림톡 template"
        log.save(update_fields=fields)
        return None
    catalog = MessageTemplate(code=log.kind, template_id=template.template_id, text=template.text)
    variables = variables_for(log)
    missing = sorted(catalog.variables - set(variables))
    if missing:
        # Never a half-filled 알림톡, nor an SMS in its place: staff fix the template or the data.
        log.status, log.skip_reason = S.SKIPPED, "template variable missing"
        log.error = "missing 알림톡 template variables: " + ", ".join(f"#{{{m}}}" for m in missing)
        log.save(update_fields=fields)
        logger.warning("notification %s: %s", log.pk, log.error)
        return None
    try:
        to = normalize_phone(log.recipient)
    except InvalidPhoneNumber as exc:
        log.status, log.error = S.FAILED, f"invalid phone number: {exc}"
        log.save(update_fields=fields)
        return None
    provider = text_provider_for_merchant(PROVIDER, merchant_id=log.merchant_id, templates={log.kind: catalog})
    variables = {name: variables[name] for name in catalog.variables}  # exactly what the template declares
    message = TextMessage(to=to, kind="alimtalk", template_code=log.kind, variables=variables,
                          subject=f"[{log.merchant.name}]")
    log.subject = f"알림톡 {template.template_id}"[:300]
    sender = FallbackSender(provider)
    retry: ChannelError | None = None
    try:
        if log.fallback_used:  # the 알림톡 already failed for this row: only the SMS/LMS is retried
            outcome = sender.send_fallback(message)
        else:
            outcome = sender.send(message)
    except TemplateError as exc:
        _record(log, [failed_attempt(message, exc)])
        log.status, log.skip_reason, log.error = S.SKIPPED, "template refused", f"{exc.code}: {exc}"[:2000]
    except ProviderError as exc:
        _record(log, [failed_attempt(message, exc)])
        log.error = f"{exc.code}: {exc}"[:2000]
        if exc.retryable and log.attempts < MAX_ATTEMPTS:
            retry = ChannelError(log.error)
        else:
            log.status = S.FAILED
    else:
        retry = _apply(log, outcome)
    log.save(update_fields=fields)
    return retry


def _apply(log: NotificationLog, outcome: DeliveryOutcome) -> ChannelError | None:
    _record(log, outcome.attempts)
    log.fallback_used = log.fallback_used or outcome.fallback_used
    if outcome.delivered:
        log.status, log.sent_at, log.error = S.SENT, timezone.now(), ""
        log.delivered_by, log.provider_message_id = outcome.delivered_by, outcome.message_id[:200]
        return None
    error = outcome.error
    log.error = f"{getattr(error, 'code', '')}: {error}"[:2000]
    if error is not None and error.retryable and log.attempts < MAX_ATTEMPTS:
        return ChannelError(log.error)
    log.status = S.FAILED
    return None

"""Asking for a notification, and sending it.

Callers (tracking's own signal receivers, returns, feedback) call ``notification_request``. It
writes one NotificationLog row per channel — or none, if the dedupe key was used before — and the
row is sent by a task after commit, or later by the due-sweeper if quiet hours hold it back.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tracking.models import Customer, Merchant, NotificationLog, NotificationOptOut, Order
from tracking.tokens import make_token
from tracking.notifications.channels import ChannelError, Message, get_channel
from tracking.notifications.providers.policy import earliest_send_time
from tracking.notifications.quiet_hours import next_allowed_time

logger = logging.getLogger(__name__)

UNSUBSCRIBE_PURPOSE = "unsubscribe"
MAX_ATTEMPTS = 5


@transaction.atomic
def notification_request(
    *,
    merchant: Merchant,
    customer: Customer,
    kind: str,
    category: str,
    dedupe_key: str,
    order: Order | None = None,
    context: dict | None = None,
    channels: list[str] | None = None,
    respect_quiet_hours: bool = True,
    promotional: bool = False,
) -> list[NotificationLog]:
    """Queue ``kind`` (a template name under templates/notifications/) for a shopper.

    ``dedupe_key`` names the fact being announced (e.g. ``shipment:42:delivered``): asking twice
    for the same key sends once. ``context`` must be JSON-safe; templates also get merchant,
    customer, order, tracking_url and unsubscribe_url. Returns the rows created (queued or skipped).
    """
    if customer.merchant_id != merchant.pk or (order is not None and order.merchant_id != merchant.pk):
        raise ValueError("customer/order belong to another merchant")
    now = timezone.now()
    send_after = now
    if respect_quiet_hours:
        send_after = next_allowed_time(now, start=merchant.quiet_hours_start, end=merchant.quiet_hours_end,
                                       tz=merchant.timezone)
    opted_out = NotificationOptOut.objects.filter(customer=customer, category=category).exists()
    created = []
    if channels is None:
        channels = default_channels(merchant=merchant, customer=customer, kind=kind, promotional=promotional)
    for channel in channels:
        recipient = customer.email if channel == "email" else customer.phone
        row_send_after = send_after
        if promotional and channel in TEXT_CHANNELS:
            # No advertising by text message 21:00-08:00 KST (정보통신망법 §50), whatever the merchant's hours.
            row_send_after = max(send_after, earliest_send_time(send_after, "sms", promotional=True))
        status, skip_reason = NotificationLog.Status.QUEUED, ""
        if opted_out:
            status, skip_reason = NotificationLog.Status.SKIPPED, "unsubscribed"
        if not recipient:
            recipient, status, skip_reason = "-", NotificationLog.Status.SKIPPED, f"no {channel} address"
        try:
            with transaction.atomic():
                log = NotificationLog.objects.create(
                    merchant=merchant, customer=customer, order=order, kind=kind, category=category,
                    channel=channel, recipient=recipient, dedupe_key=dedupe_key[:200], context=context or {},
                    status=status, skip_reason=skip_reason, send_after=row_send_after,
                )
        except IntegrityError:
            continue  # already requested: this is the replay
        created.append(log)
        if status == NotificationLog.Status.QUEUED and row_send_after <= now:
            from tracking.notifications.tasks import send_notification

            send_notification.delay_on_commit(log.pk)
    return created


TEXT_CHANNELS = frozenset({"sms", "whatsapp", "alimtalk"})


def default_channels(*, merchant: Merchant, customer: Customer, kind: str, promotional: bool = False) -> list[str]:
    """settings.DOORSTEP_NOTIFICATION_CHANNELS, with 알림톡 for Korean shoppers the merchant has a
    template for. 알림톡 carries its own SMS/LMS fallback, so it replaces the SMS channel: one text
    message per fact, never both. A promotional message is never a 알림톡."""
    from tracking.notifications.alimtalk import alimtalk_eligible

    channels = list(settings.DOORSTEP_NOTIFICATION_CHANNELS)
    if not promotional and alimtalk_eligible(merchant=merchant, customer=customer, kind=kind):
        channels = [c for c in channels if c != "sms"] + ["alimtalk"]
    return channels


def unsubscribe_url(customer: Customer, category: str) -> str:
    token = make_token(UNSUBSCRIBE_PURPOSE, {"c": customer.pk, "k": category})
    return settings.DOORSTEP_BASE_URL + reverse("notifications:unsubscribe", args=[token])


def render_message(log: NotificationLog) -> Message:
    """Render the log row's templates in the shopper's language."""
    merchant, customer = log.merchant, log.customer
    language = customer.locale or merchant.default_locale or settings.LANGUAGE_CODE
    context = {
        "merchant": merchant,
        "customer": customer,
        "order": log.order,
        "unsubscribe_url": unsubscribe_url(customer, log.category),
        "tracking_url": _tracking_url(log.order) if log.order else "",
        "base_url": settings.DOORSTEP_BASE_URL,
        **log.context,
    }
    base = f"notifications/{log.kind}"
    with translation.override(language):
        subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
        context["subject"] = subject  # the HTML email's <title>
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context) if log.channel == "email" else ""
    headers = {}
    if log.channel == "email":
        # RFC 8058 one-click unsubscribe for mail clients that offer it.
        headers = {"List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return Message(to=log.recipient, subject=subject, text=text, html=html, from_name=merchant.name,
                   reply_to=merchant.support_email, headers=headers)


def _tracking_url(order: Order) -> str:
    """The shopper's signed link to the order's tracking page, when that page exists."""
    from django.urls import NoReverseMatch

    token = make_token("order", {"o": order.pk})
    try:
        return settings.DOORSTEP_BASE_URL + reverse("tracking:order_link", args=[token])
    except NoReverseMatch:
        return ""


def notification_send(*, log_id: int) -> NotificationLog:
    """Send one queued row. Idempotent: a row already sent, skipped or failed is left alone.

    The row is claimed under a lock and marked before the provider call returns, so a retried
    task never sends twice for the same row."""
    retry = None
    with transaction.atomic():
        log = NotificationLog.objects.select_for_update(of=("self",)).select_related("merchant", "customer", "order").get(
            pk=log_id)
        if log.status != NotificationLog.Status.QUEUED or log.send_after > timezone.now():
            return log
        # Opted out after the request was queued: honour the latest wish.
        if NotificationOptOut.objects.filter(customer=log.customer, category=log.category).exists():
            log.status, log.skip_reason = NotificationLog.Status.SKIPPED, "unsubscribed"
            log.save(update_fields=["status", "skip_reason"])
            return log
        log.attempts += 1
        if log.channel == "alimtalk":
            from tracking.notifications.alimtalk import alimtalk_send

            # Saves the row (attempts, every attempt, the fallback taken) and hands back the error to
            # retry with, raised only after commit: a retry must know the 알림톡 already failed and
            # repeat only the SMS/LMS.
            retry = alimtalk_send(log)
        else:
            message = render_message(log)
            log.subject = message.subject[:300]
            try:
                log.provider_message_id = get_channel(log.channel, merchant_id=log.merchant_id).send(message)[:200]
            except ChannelError as exc:
                log.error = str(exc)[:2000]
                if log.attempts >= MAX_ATTEMPTS:
                    log.status = NotificationLog.Status.FAILED
                log.save(update_fields=["attempts", "error", "status", "subject"])
                if log.status == NotificationLog.Status.QUEUED:
                    raise
                return log
            log.status, log.sent_at, log.error = NotificationLog.Status.SENT, timezone.now(), ""
            log.save(update_fields=["attempts", "status", "sent_at", "error", "subject", "provider_message_id"])
    if retry is not None:
        raise retry
    return log


@transaction.atomic
def notification_unsubscribe(*, customer: Customer, category: str) -> None:
    NotificationOptOut.objects.get_or_create(customer=customer, category=category)


@transaction.atomic
def notification_resubscribe(*, customer: Customer, category: str) -> None:
    NotificationOptOut.objects.filter(customer=customer, category=category).delete()


def due_notification_ids(limit: int = 500) -> list[int]:
    return list(NotificationLog.objects.filter(status=NotificationLog.Status.QUEUED, send_after__lte=timezone.now())
                .order_by("send_after").values_list("pk", flat=True)[:limit])

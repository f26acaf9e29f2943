"""Writes for outgoing webhooks: endpoints, emitting events, attempting and resending deliveries."""
from __future__ import annotations

import json
import logging
import time
import uuid
from datetime import timedelta

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tracking.backoff import backoff_seconds
from tracking.locks import single_run
from tracking.models import Merchant, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tracking.webhooks_out import signing, transport
from tracking.webhooks_out.event_types import EVENT_TYPES
from tracking.webhooks_out.ssrf import UnsafeURL, vet_url

logger = logging.getLogger(__name__)


def _validate_event_types(event_types: list[str]) -> None:
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise ValidationError({"event_types": [f"Unknown event type(s): {', '.join(unknown)}."]})


@transaction.atomic
def webhook_endpoint_create(*, merchant: Merchant, url: str, event_types: list[str] | None = None,
                            description: str = "") -> WebhookEndpoint:
    """The secret is on the returned instance; show it to the merchant once."""
    event_types = sorted(set(event_types or []))
    _validate_event_types(event_types)
    try:
        vet_url(url)
    except UnsafeURL as exc:
        raise ValidationError({"url": [str(exc)]}) from None
    return WebhookEndpoint.objects.create(merchant=merchant, url=url, event_types=event_types,
                                          description=description, secret=signing.secret_generate())


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Deactivate and hide; the row stays so its delivery log keeps its endpoint."""
    endpoint.is_active = False
    endpoint.deleted_at = timezone.now()
    endpoint.save(update_fields=["is_active", "deleted_at", "updated_at"])


def _event_body(*, event_id: str, event_type: str, payload: dict) -> str:
    envelope = {"id": event_id, "type": event_type, "timestamp": timezone.now(), "data": payload}
    return json.dumps(envelope, cls=DjangoJSONEncoder, separators=(",", ":"))


@transaction.atomic
def webhook_event_emit(*, merchant: Merchant | int, event_type: str, payload: dict) -> list[WebhookDelivery]:
    """Record one delivery per subscribed, active endpoint of the merchant and send them after commit.

    Call it inside the transaction that makes the fact true: if that rolls back, nothing is sent.
    ``payload`` must be JSON-serialisable (Decimal, dates and UUIDs are fine)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}; add it to webhooks_out.event_types")
    merchant_id = merchant if isinstance(merchant, int) else merchant.pk
    endpoints = [e for e in WebhookEndpoint.objects.filter(merchant_id=merchant_id, is_active=True,
                                                           deleted_at__isnull=True) if e.wants(event_type)]
    if not endpoints:
        return []
    event_id = f"msg_{uuid.uuid4().hex}"
    body = _event_body(event_id=event_id, event_type=event_type, payload=payload)
    now = timezone.now()
    deliveries = [WebhookDelivery.objects.create(merchant_id=merchant_id, endpoint=endpoint, event_id=event_id,
                                                 event_type=event_type, body=body, next_attempt_at=now)
                  for endpoint in endpoints]
    for delivery in deliveries:
        _enqueue_after_commit(delivery.pk, 1)
    return deliveries


def _enqueue_after_commit(delivery_id: int, attempt_number: int, *, countdown: float = 0,
                          manual: bool = False) -> None:
    from tracking.webhooks_out.tasks import deliver_webhook

    transaction.on_commit(lambda: deliver_webhook.apply_async(
        (delivery_id, attempt_number), {"manual": manual}, countdown=countdown))


def retry_delay(attempt_number: int) -> float:
    """Seconds before attempt ``attempt_number + 1``: exponential, capped, with jitter so a recovering
    receiver is not hit by every delivery at the same instant."""
    return backoff_seconds(attempt_number - 1, base=settings.DOORSTEP_WEBHOOKS_RETRY_BASE_SECONDS,
                           cap=settings.DOORSTEP_WEBHOOKS_RETRY_CAP_SECONDS)


def webhook_delivery_attempt(*, delivery_id: int, attempt_number: int, manual: bool = False) -> WebhookAttempt | None:
    """Make attempt ``attempt_number`` of a delivery, log it, then finish or schedule the next one.

    Idempotent: a duplicate or stale task (the delivery has moved on) does nothing. The HTTP call is made
    outside any transaction; a per-delivery lock keeps two workers from sending at once."""
    with single_run(f"webhook-delivery:{delivery_id}", timeout=settings.DOORSTEP_WEBHOOKS_READ_TIMEOUT * 4) as mine:
        if not mine:
            return None
        delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING \
                or delivery.attempt_count != attempt_number - 1:
            return None
        endpoint = delivery.endpoint
        started_at, clock = timezone.now(), time.monotonic()
        status_code, excerpt, error, permanent = None, "", "", False
        if not endpoint.is_active or endpoint.deleted_at is not None:
            error, permanent = "Endpoint is disabled.", True
        else:
            try:
                vet_url(endpoint.url)
                headers = signing.signed_headers(secret=endpoint.secret, msg_id=delivery.event_id,
                                                 timestamp=int(time.time()), body=delivery.body)
                status_code, excerpt = transport.post(endpoint.url, body=delivery.body, headers=headers)
            except UnsafeURL as exc:
                error = f"Refused: {exc}"
            except requests.RequestException as exc:
                error = f"{type(exc).__name__}: {exc}"
        attempt, retry_in = _record_attempt(
            delivery=delivery, number=attempt_number, manual=manual, started_at=started_at,
            duration_ms=int((time.monotonic() - clock) * 1000), status_code=status_code, excerpt=excerpt,
            error=error, permanent=permanent)
    # Enqueued once the lock is released, so even an eager (inline) retry can take it.
    if retry_in is not None:
        _enqueue_after_commit(delivery_id, attempt_number + 1, countdown=retry_in)
    return attempt


@transaction.atomic
def _record_attempt(*, delivery: WebhookDelivery, number: int, manual: bool, started_at, duration_ms: int,
                    status_code: int | None, excerpt: str, error: str,
                    permanent: bool) -> tuple[WebhookAttempt, float | None]:
    """Log the attempt and update the delivery; returns the attempt and the delay before the next one
    (None when the delivery is finished)."""
    attempt = WebhookAttempt.objects.create(
        delivery=delivery, number=number, started_at=started_at, duration_ms=duration_ms,
        status_code=status_code, response_excerpt=excerpt[:2000], error=error[:500],
        trigger=WebhookAttempt.Trigger.MANUAL if manual else WebhookAttempt.Trigger.AUTOMATIC)
    delivery.attempt_count = number
    delivery.last_status_code = status_code
    now = timezone.now()
    delay = None
    if attempt.succeeded:
        delivery.status, delivery.completed_at, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, now, None
    elif permanent or number >= settings.DOORSTEP_WEBHOOKS_MAX_ATTEMPTS or manual:
        # A manual resend is one more try, not a new retry cycle.
        delivery.status, delivery.completed_at, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, now, None
        logger.warning("Webhook delivery %s gave up after attempt %s", delivery.pk, number)
    else:
        delay = retry_delay(number)
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    delivery.save(update_fields=["attempt_count", "last_status_code", "status", "completed_at", "next_attempt_at"])
    return attempt, delay


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery) -> None:
    """Send a delivery once more (same webhook-id and body), whatever its state; logged as manual."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.completed_at = None
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "completed_at", "next_attempt_at"])
    _enqueue_after_commit(delivery.pk, delivery.attempt_count + 1, manual=True)


def webhook_deliveries_sweep(*, stale_after: timedelta = timedelta(minutes=10)) -> int:
    """Re-enqueue pending deliveries whose next attempt is overdue (the broker lost the task, or it
    was down when the fact was committed). Duplicates are harmless: attempts check their number."""
    overdue = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING,
                                             next_attempt_at__lt=timezone.now() - stale_after)
    count = 0
    for delivery_id, attempt_count in overdue.values_list("pk", "attempt_count")[:1000]:
        _enqueue_after_commit(delivery_id, attempt_count + 1)
        count += 1
    return count

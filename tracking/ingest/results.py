"""Apply what a carrier told us (a TrackingResult, from a webhook or a poll) to the merchant's parcel,
or keep it for later when the parcel is not known yet. Webhooks and polling share this path, so the
event log, status derivation and signals behave the same whichever way the news came in."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tracking.carriers.base import TrackingEventData, TrackingResult
from tracking.ingest.clock import events_screen
from tracking.models import InboundWebhook, Order, Shipment
from tracking.page.versions import page_versions_bump
from tracking.ingest.orphans import orphan_events_store
from tracking.services.shipments import NewEvent, event_dedupe_key, shipment_add_events


@dataclass(frozen=True)
class ApplyOutcome:
    shipment_id: int | None
    created: int
    orphaned: int
    refused: tuple = ()  # clock.Refused: events whose time cannot be true (tracking.ingest.clock)


def _clean(text: str, limit: int) -> str:
    # PostgreSQL text cannot hold NUL; carriers' free text is truncated to the column size.
    return (text or "").replace("\x00", "")[:limit]


def new_event_from_carrier(event: TrackingEventData) -> NewEvent:
    return NewEvent(
        occurred_at=event.occurred_at,
        status=event.status,
        reason=_clean(event.reason, 32),
        carrier_code=_clean(event.carrier_code, 64),
        carrier_text=_clean(event.carrier_text, 500),
        location=_clean(event.location, 200),
        carrier_event_id=_clean(event.carrier_event_id, 120),
        details=_json_safe(dict(event.details or {})),
    )


def _json_safe(value):
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


@transaction.atomic
def tracking_result_apply(*, merchant_id: int, carrier: str, result: TrackingResult, source: str,
                          inbound: InboundWebhook | None = None, shipment: Shipment | None = None) -> ApplyOutcome:
    """Record ``result`` on the merchant's shipment with that carrier and tracking number.

    The shipment row is locked first, so concurrent deliveries about one parcel apply one after the
    other (no interleaved inserts, no deadlocks); events are inserted in dedupe-key order for the same
    reason. Another merchant's parcel with the same number is never touched. A poll passes the
    ``shipment`` it asked about, since carriers may echo the number in another format.
    """
    tracking_number = _clean(result.tracking_number.strip(), 64)
    if shipment is not None:
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk, merchant_id=merchant_id)
    else:
        shipment = (Shipment.objects.select_for_update()
                    .filter(merchant_id=merchant_id, carrier=carrier, tracking_number=tracking_number).first())
    # Events the carrier's clock got wrong (2099, year 1, before the order) are refused, not stored.
    placed_at = Order.objects.filter(pk=shipment.order_id).values_list("placed_at", flat=True).first() \
        if shipment is not None else None
    screened, refused = events_screen(result.events, order_placed_at=placed_at)
    estimate = result.estimated_delivery if _estimate_plausible(result.estimated_delivery) else None
    events = sorted((new_event_from_carrier(e) for e in screened), key=event_dedupe_key)
    if shipment is None:
        orphaned = orphan_events_store(merchant_id=merchant_id, carrier=carrier, tracking_number=tracking_number,
                                       events=events, source=source, inbound=inbound, estimated_delivery=estimate)
        return ApplyOutcome(None, 0, orphaned, tuple(refused))
    # Replays are common (carrier retries, poll after webhook): shipment_add_events drops what the log
    # already holds with one query, so a replay costs no per-event work at all.
    created = shipment_add_events(shipment=shipment, events=events, source=source) if events else 0
    shipment_set_carrier_estimate(shipment=shipment, estimated_delivery=estimate)
    return ApplyOutcome(shipment.pk, created, 0, tuple(refused))


def _estimate_plausible(estimate) -> bool:
    """A carrier's promised date within a few years of today (years 1 and 9999 are not promises)."""
    if estimate is None:
        return True
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - 5) <= estimate <= today.replace(year=today.year + 5)
    except (TypeError, ValueError):
        return False


@transaction.atomic
def shipment_set_carrier_estimate(*, shipment: Shipment, estimated_delivery) -> bool:
    """Keep the carrier's own delivery estimate (Shipment.carrier_delivery_date) current."""
    if estimated_delivery is None or shipment.carrier_delivery_date == estimated_delivery:
        return False
    Shipment.objects.filter(pk=shipment.pk).update(carrier_delivery_date=estimated_delivery, updated_at=timezone.now())
    page_versions_bump(orders=[(shipment.order_id, shipment.merchant_id)])  # the page shows this date
    shipment.carrier_delivery_date = estimated_delivery
    return True

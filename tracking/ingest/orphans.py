"""Events for parcels Doorstep does not know yet. Carriers often report a label or first scan before
the store has pushed the shipment to us; those events wait here and join the parcel's log when it is
created (tracking.ingest.receivers calls orphan_events_attach from Shipment's post_save)."""
from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from tracking.ingest.clock import clock_problem
from tracking.models import InboundWebhook, Order, PendingEvent, Shipment
from tracking.services.shipments import NewEvent, event_dedupe_key, shipment_add_events


@transaction.atomic
def orphan_events_store(*, merchant_id: int, carrier: str, tracking_number: str, events: list[NewEvent],
                        source: str, inbound: InboundWebhook | None = None,
                        estimated_delivery: date | None = None) -> int:
    """Keep events for an unknown parcel. Replays collide on the dedupe constraint and are dropped.
    Returns how many rows were new."""
    rows = [
        PendingEvent(
            merchant_id=merchant_id, carrier=carrier, tracking_number=tracking_number, inbound=inbound,
            source=source, occurred_at=e.occurred_at, status=e.status, reason=e.reason,
            carrier_code=e.carrier_code, carrier_text=e.carrier_text, location=e.location,
            carrier_event_id=e.carrier_event_id, details=e.details or {}, dedupe_key=event_dedupe_key(e),
            estimated_delivery=estimated_delivery,
        )
        for e in events
    ]
    before = _count(merchant_id, carrier, tracking_number)
    PendingEvent.objects.bulk_create(rows, ignore_conflicts=True)
    stored = _count(merchant_id, carrier, tracking_number) - before
    # The parcel may have been created while we were parsing: attach right away once we commit.
    transaction.on_commit(lambda: _attach_if_known(merchant_id, carrier, tracking_number))
    return stored


def _count(merchant_id: int, carrier: str, tracking_number: str) -> int:
    return PendingEvent.objects.filter(merchant_id=merchant_id, carrier=carrier, tracking_number=tracking_number,
                                       attached_at__isnull=True).count()


def _attach_if_known(merchant_id: int, carrier: str, tracking_number: str) -> None:
    shipment = Shipment.objects.filter(merchant_id=merchant_id, carrier=carrier,
                                       tracking_number=tracking_number).first()
    if shipment is not None:
        orphan_events_attach(shipment=shipment)


@transaction.atomic
def orphan_events_attach(*, shipment: Shipment) -> int:
    """Move waiting events for this parcel (same merchant, carrier and number) into its log.
    Returns how many events the log gained. Safe to call repeatedly."""
    pending = list(
        PendingEvent.objects.select_for_update()
        .filter(merchant_id=shipment.merchant_id, carrier=shipment.carrier,
                tracking_number=shipment.tracking_number, attached_at__isnull=True)
        .order_by("dedupe_key")
    )
    if not pending:
        return 0
    created = 0
    by_source: dict[str, list[NewEvent]] = {}
    # Waiting events were screened for the future when they arrived; the order's date is known now.
    placed_at = Order.objects.filter(pk=shipment.order_id).values_list("placed_at", flat=True).first()
    usable = [row for row in pending if not clock_problem(row.occurred_at, order_placed_at=placed_at,
                                                          now=row.received_at)]
    for row in usable:
        by_source.setdefault(row.source, []).append(NewEvent(
            occurred_at=row.occurred_at, status=row.status, reason=row.reason, carrier_code=row.carrier_code,
            carrier_text=row.carrier_text, location=row.location, carrier_event_id=row.carrier_event_id,
            details=row.details,
        ))
    for source, events in sorted(by_source.items()):
        created += shipment_add_events(shipment=shipment, events=events, source=source)
    estimates = [row.estimated_delivery for row in sorted(pending, key=lambda r: r.received_at)
                 if row.estimated_delivery is not None]
    if estimates and shipment.carrier_delivery_date is None:
        Shipment.objects.filter(pk=shipment.pk).update(carrier_delivery_date=estimates[-1])
        shipment.carrier_delivery_date = estimates[-1]
    PendingEvent.objects.filter(pk__in=[row.pk for row in pending]).update(
        attached_to=shipment, attached_at=timezone.now())
    return created


def orphan_events_attach_stragglers(*, limit: int = 500) -> int:
    """Attach waiting events whose parcel exists by now (a race between creation and processing)."""
    from django.db.models import Exists, OuterRef

    known = Shipment.objects.filter(merchant_id=OuterRef("merchant_id"), carrier=OuterRef("carrier"),
                                    tracking_number=OuterRef("tracking_number"))
    keys = (PendingEvent.objects.filter(attached_at__isnull=True).filter(Exists(known))
            .values_list("merchant_id", "carrier", "tracking_number").distinct()[:limit])
    attached = 0
    for merchant_id, carrier, tracking_number in list(keys):
        shipment = Shipment.objects.get(merchant_id=merchant_id, carrier=carrier, tracking_number=tracking_number)
        attached += orphan_events_attach(shipment=shipment)
    return attached

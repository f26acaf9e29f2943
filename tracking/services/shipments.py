"""Writes to shipments and their event logs. Every change of a shipment's status goes through
shipment_refresh_status, which derives it from the log and announces it after commit."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from tracking import signals
from tracking.carriers import status as st
from tracking.models import Shipment, TrackingEvent


@dataclass(frozen=True)
class NewEvent:
    """An event to record, already mapped to the canonical taxonomy."""

    occurred_at: datetime
    status: str
    reason: str = ""
    carrier_code: str = ""
    carrier_text: str = ""
    location: str = ""
    carrier_event_id: str = ""
    details: dict | None = None


def event_dedupe_key(event: NewEvent) -> str:
    """The carrier's own event id when it gives one; otherwise a digest of what the event says,
    so the same scan delivered twice (webhook and poll, or a replay) is stored once."""
    if event.carrier_event_id:
        return f"id:{event.carrier_event_id}"[:128]
    content = "|".join(
        [event.occurred_at.isoformat(), event.status, event.reason, event.carrier_code, event.location]
    )
    return "h:" + hashlib.sha256(content.encode()).hexdigest()[:40]


@transaction.atomic
def shipment_add_events(*, shipment: Shipment, events: list[NewEvent], source: str) -> int:
    """Append events to the shipment's log, skipping ones already recorded. Returns how many were new.

    Safe under concurrency: duplicates racing each other collide on the dedupe unique constraint
    inside a savepoint, and the loser is skipped.
    """
    if source not in TrackingEvent.Source.values:
        raise ValueError(f"unknown event source {source!r}")
    created = 0
    for event in events:
        if event.status not in st.ALL:
            raise ValueError(f"non-canonical status {event.status!r}")
    # One query for what the log already holds; a concurrent duplicate still hits the constraint below.
    keys = [event_dedupe_key(event) for event in events]
    known = set(TrackingEvent.objects.filter(shipment=shipment, dedupe_key__in=keys)
                .values_list("dedupe_key", flat=True)) if keys else set()
    for event, key in zip(events, keys):
        if key in known:
            continue
        known.add(key)  # the same event twice in one batch is stored once
        try:
            with transaction.atomic():
                TrackingEvent.objects.create(
                    shipment=shipment,
                    occurred_at=event.occurred_at,
                    status=event.status,
                    reason=event.reason if event.reason in st.ALL_REASONS else ("other" if event.reason else ""),
                    carrier_code=event.carrier_code[:64],
                    carrier_text=event.carrier_text[:500],
                    location=event.location[:200],
                    source=source,
                    dedupe_key=key,
                    details=event.details or {},
                )
        except IntegrityError:
            continue
        created += 1
    if created:
        shipment_refresh_status(shipment=shipment)
        shipment_id, merchant_id = shipment.pk, shipment.merchant_id
        transaction.on_commit(lambda: signals.shipment_events_added.send(
            sender=Shipment, shipment_id=shipment_id, merchant_id=merchant_id, count=created))
    return created


def apply_derived_fields(shipment: Shipment, events) -> st.DerivedStatus:
    """Set the fields a shipment derives from its event log (status, reason, last_event_at,
    delivered_at, shipped_at) on the instance, without saving. The one place these rules live:
    the live pipeline and the demo seeder both use it."""
    derived = st.derive_status(events)
    shipment.status = derived.status
    shipment.status_reason = derived.reason if derived.status != st.DELIVERED else ""
    shipment.last_event_at = max((e.occurred_at for e in events), default=None)
    shipment.delivered_at = derived.occurred_at if derived.status == st.DELIVERED else None
    # The first scan that shows movement; a late-arriving older scan moves it earlier.
    first_moving = min((e.occurred_at for e in events if e.status not in (st.PENDING, st.INFO_RECEIVED)),
                       default=None)
    if first_moving is not None:
        shipment.shipped_at = first_moving
    return derived


@transaction.atomic
def shipment_refresh_status(*, shipment: Shipment) -> bool:
    """Re-derive status, delivered_at and last_event_at from the log. Returns True if status changed.

    The row is locked so two workers applying events to one parcel cannot interleave their reads.
    """
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    # Plain rows, not instances: events.only(...) would re-fetch the deferred shipment_id of every event.
    events = list(TrackingEvent.objects.filter(shipment_id=locked.pk)
                  .values_list("occurred_at", "status", "reason", named=True))
    old_status = locked.status
    derived = apply_derived_fields(locked, events)
    locked.save(update_fields=["status", "status_reason", "last_event_at", "delivered_at", "shipped_at", "updated_at"])
    # Keep the caller's instance in step with the row.
    for field in ("status", "status_reason", "last_event_at", "delivered_at", "shipped_at", "updated_at"):
        setattr(shipment, field, getattr(locked, field))
    if old_status == derived.status:
        return False
    _announce(locked.pk, locked.merchant_id, old_status, derived.status, locked.status_reason)
    return True


def _announce(shipment_id: int, merchant_id: int, old: str, new: str, reason: str) -> None:
    def send():
        common = {"shipment_id": shipment_id, "merchant_id": merchant_id, "reason": reason}
        signals.shipment_status_changed.send(sender=Shipment, old_status=old, new_status=new, **common)
        specific = {
            st.DELIVERED: signals.shipment_delivered,
            st.FAILED_ATTEMPT: signals.shipment_failed_attempt,
            st.EXCEPTION: signals.shipment_exception,
        }.get(new)
        if specific is not None:
            specific.send(sender=Shipment, **common)

    transaction.on_commit(send)

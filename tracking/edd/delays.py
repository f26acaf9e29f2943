"""Delay detection: open one DelayCase per delay of a parcel, resolve it when the delay ends.

"Delayed" is derived, never a status (DESIGN.md): a travelling parcel is delayed when its predicted
window now ends after the promised date, or when its latest event carries a delay reason.
"""
from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from tracking import signals
from tracking.carriers import status as st
from tracking.models import DelayCase, Shipment


def delay_kind(shipment: Shipment) -> tuple[str, str] | None:
    """(kind, reason) when the shipment is delayed now, else None."""
    if shipment.status in st.TERMINAL or shipment.is_return:
        return None
    if shipment.status_reason in st.DELAY_REASONS:
        return DelayCase.Kind.DELAY_REASON, shipment.status_reason
    if (shipment.promised_delivery_date and shipment.predicted_window_end
            and shipment.predicted_window_end > shipment.promised_delivery_date):
        return DelayCase.Kind.PREDICTED_LATE, shipment.status_reason
    return None


@transaction.atomic
def shipment_detect_delay(*, shipment: Shipment, now: datetime | None = None) -> DelayCase | None:
    """Open a case if the shipment is newly delayed (announcing ``shipment_delayed`` after commit);
    resolve the open case if it no longer is. Returns the case opened now, else None. Idempotent."""
    now = now or timezone.now()
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    found = delay_kind(locked)
    open_case = DelayCase.objects.filter(shipment=locked, resolved_at__isnull=True).first()
    opened = None
    if found and open_case is None:
        kind, reason = found
        try:
            with transaction.atomic():
                opened = DelayCase.objects.create(
                    merchant_id=locked.merchant_id, shipment=locked, kind=kind, reason=reason, carrier=locked.carrier,
                    promised_date=locked.promised_delivery_date, predicted_window_end=locked.predicted_window_end,
                    opened_at=now,
                )
        except IntegrityError:  # a concurrent run opened it first: that run announces it
            opened = None
    elif not found and open_case is not None:
        open_case.resolved_at = now
        open_case.resolution = "delivered" if locked.status == st.DELIVERED else (
            locked.status if locked.status in st.TERMINAL else "back_on_time")
        open_case.save(update_fields=["resolved_at", "resolution"])
    is_delayed = bool(found)
    if locked.is_delayed != is_delayed:
        Shipment.objects.filter(pk=locked.pk).update(is_delayed=is_delayed)
    shipment.is_delayed = is_delayed
    if opened is not None:
        case_id, kind, reason = opened.pk, opened.kind, opened.reason
        transaction.on_commit(lambda: signals.shipment_delayed.send(
            sender=Shipment, shipment_id=locked.pk, merchant_id=locked.merchant_id, delay_case_id=case_id,
            kind=kind, reason=reason))
    return opened


def delay_candidates():
    """Shipments that may need a case opened or resolved: cheap to query, precise check per row."""
    travelling = ~Q(status__in=sorted(st.TERMINAL)) & Q(is_return=False)
    return Shipment.objects.filter(
        (travelling & (Q(status_reason__in=sorted(st.DELAY_REASONS))
                       | Q(predicted_window_end__gt=F("promised_delivery_date"))))
        | Q(is_delayed=True)
        | Q(delay_cases__resolved_at__isnull=True, delay_cases__isnull=False)
    ).distinct()


def delays_detect(*, now: datetime | None = None) -> int:
    """Run detection over every candidate; each shipment in its own transaction. Returns cases opened."""
    opened = 0
    for shipment_id in delay_candidates().values_list("pk", flat=True).iterator(chunk_size=500):
        shipment = Shipment(pk=shipment_id)
        if shipment_detect_delay(shipment=shipment, now=now) is not None:
            opened += 1
    return opened

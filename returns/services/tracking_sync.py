"""Moving a return forward from its parcel's tracking status (the same pipeline as outbound parcels)."""
from __future__ import annotations

from django.db import transaction

from tracking.carriers import status as st

from returns.models import ReturnRequest, ReturnStatus
from returns.services.workflow import return_mark_in_transit, return_mark_received

MOVING = frozenset({st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.AVAILABLE_FOR_PICKUP, st.FAILED_ATTEMPT, st.EXCEPTION})


@transaction.atomic
def return_sync_shipment(*, shipment_id: int, new_status: str) -> ReturnRequest | None:
    """First scan → in transit; delivered to the warehouse → received. Replays change nothing."""
    rr = ReturnRequest.objects.select_for_update().filter(shipment_id=shipment_id).first()
    if rr is None:
        return None
    if new_status in MOVING and rr.status == ReturnStatus.APPROVED:
        return return_mark_in_transit(rr=rr, by="system", note=f"Carrier scan: {new_status}.")
    if new_status == st.DELIVERED and rr.status in (ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT):
        if rr.status == ReturnStatus.APPROVED:
            rr = return_mark_in_transit(rr=rr, by="system", note="Delivered without an earlier scan.")
        return return_mark_received(rr=rr, by="system", note="Delivered to the warehouse (carrier).")
    return rr

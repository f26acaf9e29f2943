"""EasyPost tracker ``status`` and ``status_detail`` → canonical status and reason.

``status`` gives the base answer; a ``status_detail`` may refine it (a different status, a reason,
or both). Values as documented for the Tracker and TrackingDetail objects."""
from __future__ import annotations

from tracking.carriers import status as st

STATUS_MAP: dict[str, tuple[str, str]] = {
    "unknown": (st.PENDING, ""),
    "pre_transit": (st.INFO_RECEIVED, ""),
    "in_transit": (st.IN_TRANSIT, ""),
    "out_for_delivery": (st.OUT_FOR_DELIVERY, ""),
    "delivered": (st.DELIVERED, ""),
    "available_for_pickup": (st.AVAILABLE_FOR_PICKUP, ""),
    "return_to_sender": (st.RETURNED_TO_SENDER, ""),
    "failure": (st.EXCEPTION, "other"),
    "cancelled": (st.CANCELLED, ""),
    "error": (st.EXCEPTION, "other"),
}

# detail -> (status or None to keep the parent's, reason or None to keep the parent's)
DETAIL_MAP: dict[str, tuple[str | None, str | None]] = {
    "address_correction": (None, "address_issue"),
    "arrived_at_destination": (None, None),
    "arrived_at_facility": (None, None),
    "arrived_at_pickup_location": (st.AVAILABLE_FOR_PICKUP, ""),
    "awaiting_information": (None, None),
    "cancelled": (st.CANCELLED, ""),
    "damaged": (st.EXCEPTION, "damaged"),
    "delayed": (None, "carrier_delay"),
    "delivery_exception": (st.FAILED_ATTEMPT, "other"),
    "departed_facility": (None, None),
    "departed_origin_facility": (None, None),
    "expired": (st.EXPIRED, ""),
    "failure": (None, "other"),
    "held": (st.EXCEPTION, "other"),
    "in_transit": (None, None),
    "label_created": (st.INFO_RECEIVED, ""),
    "lost": (st.EXCEPTION, "lost"),
    "missorted": (None, "carrier_delay"),
    "out_for_delivery": (st.OUT_FOR_DELIVERY, ""),
    "received_at_destination_facility": (None, None),
    "received_at_origin_facility": (None, None),
    "refused": (None, "refused"),
    "return": (st.RETURNED_TO_SENDER, None),
    "status_update": (None, None),
    "transferred_to_destination_carrier": (None, None),
    "transit_exception": (st.EXCEPTION, "carrier_delay"),
    "unknown": (None, None),
    "weather_delay": (None, "weather"),
}

# A delivered or cancelled scan is final whatever detail rides along with it.
_FINAL = frozenset({"delivered", "cancelled"})


def canonical(status: str, detail: str = "") -> tuple[str, str]:
    """Unknown values degrade gracefully: an unknown status is ``pending`` plus whatever the
    detail says; an unknown detail leaves the status alone."""
    base_status, base_reason = STATUS_MAP.get(status or "", (st.PENDING, ""))
    override_status, override_reason = DETAIL_MAP.get(detail or "", (None, None))
    if status in _FINAL:
        override_status = None
    result_status = override_status or base_status
    reason = override_reason if override_reason is not None else base_reason
    if result_status == st.EXCEPTION and not reason:
        reason = "other"
    if result_status in (st.DELIVERED, st.CANCELLED, st.INFO_RECEIVED, st.PENDING):
        reason = ""
    return result_status, reason

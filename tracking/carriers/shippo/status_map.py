"""Shippo ``status`` and ``substatus.code`` → canonical status and reason (Shippo tracking docs,
"Event definitions"). A substatus may replace the parent's status, add a reason, or both."""
from __future__ import annotations

from tracking.carriers import status as st

STATUS_MAP: dict[str, tuple[str, str]] = {
    "PRE_TRANSIT": (st.INFO_RECEIVED, ""),
    "TRANSIT": (st.IN_TRANSIT, ""),
    "DELIVERED": (st.DELIVERED, ""),
    "RETURNED": (st.RETURNED_TO_SENDER, ""),
    "FAILURE": (st.EXCEPTION, "other"),
    "UNKNOWN": (st.PENDING, ""),
}

# substatus -> (status or None to keep the parent's, reason or None to keep the parent's)
SUBSTATUS_MAP: dict[str, tuple[str | None, str | None]] = {
    "information_received": (st.INFO_RECEIVED, ""),
    "address_issue": (st.EXCEPTION, "address_issue"),
    "contact_carrier": (st.EXCEPTION, "other"),
    "delayed": (None, "carrier_delay"),
    "delivery_attempted": (st.FAILED_ATTEMPT, "recipient_unavailable"),
    "delivery_rescheduled": (None, None),
    "delivery_scheduled": (None, None),
    "location_inaccessible": (st.FAILED_ATTEMPT, "address_issue"),
    "notice_left": (st.FAILED_ATTEMPT, "recipient_unavailable"),
    "out_for_delivery": (st.OUT_FOR_DELIVERY, ""),
    "package_accepted": (None, None),
    "package_arrived": (None, None),
    "package_damaged": (st.EXCEPTION, "damaged"),
    "package_departed": (None, None),
    "package_forwarded": (None, None),
    "package_held": (st.EXCEPTION, "other"),
    "package_processed": (None, None),
    "package_processing": (None, None),
    "pickup_available": (st.AVAILABLE_FOR_PICKUP, ""),
    "reschedule_delivery": (st.FAILED_ATTEMPT, "recipient_unavailable"),
    "delivered": (st.DELIVERED, ""),
    "return_to_sender": (st.RETURNED_TO_SENDER, None),
    "package_unclaimed": (st.RETURNED_TO_SENDER, "recipient_unavailable"),
    "package_undeliverable": (st.EXCEPTION, "address_issue"),
    "package_disposed": (st.EXCEPTION, "other"),
    "package_lost": (st.EXCEPTION, "lost"),
    "other": (None, None),
}

_FINAL = frozenset({"DELIVERED"})


def canonical(status: str, substatus: str = "") -> tuple[str, str]:
    base_status, base_reason = STATUS_MAP.get(status or "", (st.PENDING, ""))
    override_status, override_reason = SUBSTATUS_MAP.get(substatus or "", (None, None))
    if status in _FINAL:
        override_status = None
    result = override_status or base_status
    reason = override_reason if override_reason is not None else base_reason
    if result == st.EXCEPTION and not reason:
        reason = "other"
    if result in (st.DELIVERED, st.INFO_RECEIVED, st.PENDING):
        reason = ""
    return result, reason

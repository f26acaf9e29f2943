"""tracker.delivery ``TrackEventStatusCode`` -> canonical status and reason.

Nine documented codes. AT_PICKUP is the courier's pick-up scan (집화처리), so the parcel is moving.
Reasons are not coded: for ATTEMPT_FAIL and EXCEPTION they come from the event's Korean text
(tracking.carriers.korean_text), and UNKNOWN events are classified by their text alone."""
from __future__ import annotations

from tracking.carriers import korean_text
from tracking.carriers import status as st

STATUS_MAP: dict[str, tuple[str, str]] = {
    "UNKNOWN": (st.PENDING, ""),
    "INFORMATION_RECEIVED": (st.INFO_RECEIVED, ""),
    "AT_PICKUP": (st.IN_TRANSIT, ""),
    "IN_TRANSIT": (st.IN_TRANSIT, ""),
    "OUT_FOR_DELIVERY": (st.OUT_FOR_DELIVERY, ""),
    "ATTEMPT_FAIL": (st.FAILED_ATTEMPT, "other"),
    "DELIVERED": (st.DELIVERED, ""),
    "AVAILABLE_FOR_PICKUP": (st.AVAILABLE_FOR_PICKUP, ""),
    "EXCEPTION": (st.EXCEPTION, "other"),
}


def canonical(code: str, text: str = "") -> tuple[str, str]:
    """``text`` is the event's status name and description; it refines, never contradicts, a code
    (except UNKNOWN, which says nothing, and EXCEPTION, whose text may say "returned")."""
    code = (code or "").upper()
    status, reason = STATUS_MAP.get(code, STATUS_MAP["UNKNOWN"])
    if code == "UNKNOWN" or code not in STATUS_MAP:
        return korean_text.classify(text) or (status, reason)
    if code == "ATTEMPT_FAIL":
        return status, korean_text.reason_in(text, reason)
    if code == "EXCEPTION":
        found = korean_text.classify(text)
        if found and found[0] == st.RETURNED_TO_SENDER:
            return found
        return status, korean_text.reason_in(text, reason)
    return status, reason

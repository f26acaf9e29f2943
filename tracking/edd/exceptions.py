"""When a parcel has stopped, and which kind of stop it is. Pure: no Django.

A *delay* is a parcel still moving, only later than promised (tracking.edd.delays decides that).
An *exception* is a parcel that has stopped: lost, damaged, held at customs, held until someone
pays, an address the carrier cannot use, refused, or on its way back to the shop. Nobody can
honestly say when a stopped parcel arrives, so it gets no delivery window and no "Arriving …":
the page says what the carrier reports, when we will write again and what the shopper can do
(tracking.page.presenters), and the delay job opens a case whose follow-up date a job honours.
"""
from __future__ import annotations

from tracking.carriers import status as st

# Reasons that slow a parcel down without stopping it: it keeps a (pushed) window.
CARRIER_DELAY_REASONS = frozenset({"weather", "carrier_delay"})

LOST = "lost"
DAMAGED = "damaged"
CUSTOMS = "customs"
HELD_FOR_PAYMENT = "held_for_payment"
ADDRESS = "address_issue"
REFUSED = "refused"
RETURNED = "returned_to_sender"
OTHER = "other"

# Reasons that stop a parcel, when the carrier reports them with an exception.
STOP_REASONS = frozenset({LOST, DAMAGED, CUSTOMS, HELD_FOR_PAYMENT, ADDRESS, REFUSED})
# A failed attempt is usually retried (a delivery-change case); with these reasons it is stuck.
STUCK_ATTEMPT_REASONS = frozenset({ADDRESS, REFUSED})
EXCEPTION_KINDS = (LOST, DAMAGED, CUSTOMS, HELD_FOR_PAYMENT, ADDRESS, REFUSED, RETURNED, OTHER)
# Kinds where the shopper may be owed a replacement or a refund ("Report a problem", returns/claims).
CLAIM_KINDS = frozenset({LOST, DAMAGED})


def exception_kind(status: str, reason: str) -> str:
    """The kind of stop the parcel is in, or "" when it is moving (or done)."""
    reason = reason or ""
    if status == st.RETURNED_TO_SENDER:
        return RETURNED
    if status == st.EXCEPTION:
        if reason in CARRIER_DELAY_REASONS:
            return ""
        return reason if reason in STOP_REASONS else OTHER
    if status == st.FAILED_ATTEMPT and reason in STUCK_ATTEMPT_REASONS:
        return reason
    return ""


def is_stopped(status: str, reason: str) -> bool:
    return bool(exception_kind(status, reason))

"""Which problems a shopper may report for a parcel, and until when. Pure: no database.

- lost: the carrier says so (an exception with reason "lost"), or the parcel is still "moving" but
  nothing was scanned for the policy's ``lost_after_days`` (longer than any lane's usual gap);
- damaged: the carrier reports it damaged, or the parcel was delivered (the shopper opened it);
- missing items, delivered but not received: only once the parcel is delivered.

The claims window counts from delivery, or for a parcel that never arrived from its last scan.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tracking.carriers import status as st
from tracking.edd import exceptions as exc

LOST = "lost"
DAMAGED = "damaged"
MISSING_ITEMS = "missing_items"
NOT_RECEIVED = "not_received"
DELIVERED_TYPES = (DAMAGED, MISSING_ITEMS, NOT_RECEIVED)
ALL_TYPES = (LOST, DAMAGED, MISSING_ITEMS, NOT_RECEIVED)

# Statuses of a parcel that should still be moving: a long silence there means it may be lost.
MOVING = frozenset({st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.EXPIRED})


@dataclass(frozen=True)
class ParcelFacts:
    status: str
    reason: str = ""
    is_return: bool = False
    delivered_at: datetime | None = None
    last_event_at: datetime | None = None
    shipped_at: datetime | None = None

    @classmethod
    def of(cls, shipment) -> ParcelFacts:
        return cls(status=shipment.status, reason=shipment.status_reason or "", is_return=shipment.is_return,
                   delivered_at=shipment.delivered_at, last_event_at=shipment.last_event_at,
                   shipped_at=shipment.shipped_at)


def carrier_says_lost(facts: ParcelFacts) -> bool:
    return exc.exception_kind(facts.status, facts.reason) == exc.LOST


def silent_too_long(facts: ParcelFacts, *, lost_after_days: int, now: datetime) -> bool:
    if facts.status == st.EXCEPTION:
        moving = exc.exception_kind(facts.status, facts.reason) in ("", exc.OTHER)
    else:
        moving = facts.status in MOVING
    last = facts.last_event_at or facts.shipped_at
    return moving and last is not None and now - last >= timedelta(days=lost_after_days)


def claim_types(facts: ParcelFacts, *, lost_after_days: int, now: datetime) -> tuple[str, ...]:
    """The problems that may be reported for this parcel now (window aside), most likely first."""
    if facts.is_return:
        return ()
    if facts.status == st.DELIVERED:
        return DELIVERED_TYPES
    kind = exc.exception_kind(facts.status, facts.reason)
    if kind == exc.DAMAGED:
        return (DAMAGED,)
    if carrier_says_lost(facts) or silent_too_long(facts, lost_after_days=lost_after_days, now=now):
        return (LOST,)
    return ()


def window_start(facts: ParcelFacts) -> datetime | None:
    if facts.status == st.DELIVERED:
        return facts.delivered_at or facts.last_event_at
    return facts.last_event_at or facts.shipped_at


def window_closed(facts: ParcelFacts, *, window_days: int, now: datetime) -> bool:
    start = window_start(facts)
    return start is not None and now > start + timedelta(days=window_days)

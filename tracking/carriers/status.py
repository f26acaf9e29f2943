"""The canonical shipment status taxonomy (DESIGN.md) and the one function that derives a
shipment's status from its event log.

Pure Python: no Django imports, so carrier adapters and their tests can use it freely.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Protocol

PENDING = "pending"
INFO_RECEIVED = "info_received"
IN_TRANSIT = "in_transit"
OUT_FOR_DELIVERY = "out_for_delivery"
FAILED_ATTEMPT = "failed_attempt"
AVAILABLE_FOR_PICKUP = "available_for_pickup"
DELIVERED = "delivered"
EXCEPTION = "exception"
RETURNED_TO_SENDER = "returned_to_sender"
CANCELLED = "cancelled"
EXPIRED = "expired"

# (value, English label) in journey order; the model's choices and the progress bar read this.
STATUSES: list[tuple[str, str]] = [
    (PENDING, "Pending"),
    (INFO_RECEIVED, "Info received"),
    (IN_TRANSIT, "In transit"),
    (OUT_FOR_DELIVERY, "Out for delivery"),
    (FAILED_ATTEMPT, "Failed attempt"),
    (AVAILABLE_FOR_PICKUP, "Available for pickup"),
    (DELIVERED, "Delivered"),
    (EXCEPTION, "Exception"),
    (RETURNED_TO_SENDER, "Returned to sender"),
    (CANCELLED, "Cancelled"),
    (EXPIRED, "Expired"),
]
ALL = frozenset(value for value, _ in STATUSES)
TERMINAL = frozenset({DELIVERED, RETURNED_TO_SENDER, CANCELLED, EXPIRED})

# Optional reasons carried by events; free text from carriers is mapped onto these by adapters.
REASONS: list[tuple[str, str]] = [
    ("weather", "Weather"),
    ("customs", "Customs"),
    ("address_issue", "Address issue"),
    ("recipient_unavailable", "Recipient unavailable"),
    ("refused", "Refused"),
    ("damaged", "Damaged"),
    ("lost", "Lost"),
    ("carrier_delay", "Carrier delay"),
    ("held_for_payment", "Held for payment"),
    ("other", "Other"),
]
ALL_REASONS = frozenset(value for value, _ in REASONS)
DELAY_REASONS = frozenset({"weather", "customs", "carrier_delay", "held_for_payment", "address_issue"})

# Stage on the shopper's progress bar (0..4). Off-path states sit at the stage they interrupt.
STAGE = {
    PENDING: 0,
    INFO_RECEIVED: 1,
    IN_TRANSIT: 2,
    EXCEPTION: 2,
    OUT_FOR_DELIVERY: 3,
    FAILED_ATTEMPT: 3,
    AVAILABLE_FOR_PICKUP: 3,
    DELIVERED: 4,
    RETURNED_TO_SENDER: 4,
    CANCELLED: 0,
    EXPIRED: 2,
}

# Tie-break for events stamped with the same instant: the one further along wins, terminal last.
_PRECEDENCE = {value: index for index, (value, _) in enumerate(STATUSES)}
for _status in TERMINAL:
    _PRECEDENCE[_status] += 100


class EventLike(Protocol):
    occurred_at: datetime
    status: str
    reason: str


@dataclass(frozen=True)
class DerivedStatus:
    status: str
    reason: str
    occurred_at: datetime | None


def derive_status(events: Iterable[EventLike]) -> DerivedStatus:
    """The shipment's status from its events: the latest event by ``occurred_at`` wins.

    Events that arrive late but happened earlier therefore never undo a later state (a delayed
    ``in_transit`` scan cannot undo ``delivered``), and the result depends only on the set of
    events, not the order they arrived in. Same-instant ties go to the status further along.
    """
    latest = None
    for event in events:
        if latest is None or _sort_key(event) > _sort_key(latest):
            latest = event
    if latest is None:
        return DerivedStatus(PENDING, "", None)
    return DerivedStatus(latest.status, latest.reason or "", latest.occurred_at)


def _sort_key(event: EventLike):
    return (event.occurred_at, _PRECEDENCE.get(event.status, -1), event.reason or "")

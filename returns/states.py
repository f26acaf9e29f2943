"""The return's state machine: the only transitions services may apply. Anything else is refused."""
from __future__ import annotations

from returns.models.requests import ReturnStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED}),
    # A parcel handed in at a counter may reach the warehouse without any carrier scan.
    S.APPROVED: frozenset({S.IN_TRANSIT, S.RECEIVED, S.CLOSED}),
    S.IN_TRANSIT: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.INSPECTED}),
    S.INSPECTED: frozenset({S.REFUNDED, S.CREDITED, S.EXCHANGED, S.CLOSED}),
    S.REJECTED: frozenset(),
    S.REFUNDED: frozenset(),
    S.CREDITED: frozenset(),
    S.EXCHANGED: frozenset(),
    S.CLOSED: frozenset(),
}
TERMINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

# A claim needs no parcel back: once approved, the money (or the replacement) settles it.
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.REFUNDED, S.CREDITED, S.EXCHANGED, S.CLOSED}),
    S.REJECTED: frozenset(),
    S.REFUNDED: frozenset(),
    S.CREDITED: frozenset(),
    S.EXCHANGED: frozenset(),
    S.CLOSED: frozenset(),
}
assert frozenset(s for s, targets in CLAIM_TRANSITIONS.items() if not targets) == TERMINAL

# The shopper's progress bar: the happy path, ending in whichever resolution applies.
PROGRESS = (S.REQUESTED, S.APPROVED, S.IN_TRANSIT, S.RECEIVED, S.INSPECTED)
CLAIM_PROGRESS = (S.REQUESTED, S.APPROVED)


class InvalidTransition(Exception):
    def __init__(self, current: str, target: str):
        super().__init__(f"A return cannot go from {current} to {target}.")
        self.current = current
        self.target = target


def check_transition(current: str, target: str, *, claim: bool = False) -> None:
    table = CLAIM_TRANSITIONS if claim else TRANSITIONS
    if target not in table.get(current, frozenset()):
        raise InvalidTransition(current, target)

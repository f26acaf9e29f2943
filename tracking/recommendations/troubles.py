"""Is this order in trouble? Post-purchase offers stay hidden while it is (unless the merchant opts in).

Tracking knows about its own parcels. Other apps (returns: an open return request) add their own facts
by registering a predicate in their ``AppConfig.ready()`` — tracking never imports them::

    from tracking.recommendations import troubles
    troubles.register("returns.open_return", order_has_open_return)   # (order_id: int) -> bool

A parcel is in trouble while its current status is one of ``TROUBLED_SHIPMENT_STATUSES``: an exception
(held, damaged, lost, customs, address) or a failed delivery attempt are open until a later event moves
the parcel on; a parcel returned to sender stays troubled (the order never arrived) — the merchant can
set ``show_when_order_troubled`` to show the offer anyway. Return parcels (``is_return``) do not count.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Callable

from tracking.carriers import status as st

logger = logging.getLogger(__name__)

TROUBLED_SHIPMENT_STATUSES = frozenset({st.EXCEPTION, st.FAILED_ATTEMPT, st.RETURNED_TO_SENDER})

Predicate = Callable[[int], bool]
_predicates: dict[str, Predicate] = {}


def register(name: str, predicate: Predicate) -> None:
    """Add (or replace, by name — ready() may run twice) a predicate ``(order_id) -> bool``."""
    _predicates[name] = predicate


def unregister(name: str) -> None:
    _predicates.pop(name, None)


@contextlib.contextmanager
def registered(name: str, predicate: Predicate):
    """Register for the duration of a block (tests)."""
    previous = _predicates.get(name)
    register(name, predicate)
    try:
        yield
    finally:
        if previous is None:
            unregister(name)
        else:
            register(name, previous)


def registered_trouble(order_id: int) -> str | None:
    """Name of the first registered predicate that says the order is in trouble, else None.

    A predicate that raises counts as trouble: showing a discount to a shopper mid-complaint is worse
    than missing one impression."""
    for name, predicate in list(_predicates.items()):
        try:
            if predicate(order_id):
                return name
        except Exception:
            logger.exception("trouble predicate %s failed for order %s", name, order_id)
            return name
    return None

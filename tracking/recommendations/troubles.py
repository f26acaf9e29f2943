"""Is this order in trouble? Post-purchase offers stay hidden while it is (unless the merchant opts in).

Tracking knows about its own parcels. Other apps (returns: an open return request) add their own facts
on tracking.extensions.ORDER_TROUBLES in their ``AppConfig.ready()`` — tracking never imports them.

A parcel is in trouble while its current status is one of ``TROUBLED_SHIPMENT_STATUSES``: an exception
(held, damaged, lost, customs, address) or a failed delivery attempt are open until a later event moves
the parcel on; a parcel returned to sender stays troubled (the order never arrived) — the merchant can
set ``show_when_order_troubled`` to show the offer anyway. Return parcels (``is_return``) do not count.
"""
from __future__ import annotations

import logging

from tracking import extensions
from tracking.carriers import status as st

logger = logging.getLogger(__name__)

TROUBLED_SHIPMENT_STATUSES = frozenset({st.EXCEPTION, st.FAILED_ATTEMPT, st.RETURNED_TO_SENDER})


def registered_trouble(order_id: int) -> str | None:
    """Name of the first registered predicate that says the order is in trouble, else None.

    A predicate that raises counts as trouble: showing a discount to a shopper mid-complaint is worse
    than missing one impression."""
    for name, predicate in extensions.ORDER_TROUBLES.implementations():
        try:
            if predicate(order_id):
                return name
        except Exception:
            logger.exception("trouble predicate %s failed for order %s", name, order_id)
            return name
    return None

"""Shopify's carrier vocabulary: tracking company names → Doorstep company ids (through the shared
map), and Doorstep's canonical shipment status → Shopify's ``FulfillmentEventStatus``."""
from __future__ import annotations

from tracking.carriers import status as st
from tracking.stores.base import StoreTracking
from tracking.stores.carrier_names import company_id
from tracking.stores.parsing import text, tracking_number

# Canonical status -> FulfillmentEventStatus. None: Shopify has no event that says it (the push is
# skipped, not failed). Shopify's values: ATTEMPTED_DELIVERY, CARRIER_PICKED_UP, CONFIRMED, DELAYED,
# DELIVERED, FAILURE, IN_TRANSIT, LABEL_PRINTED, LABEL_PURCHASED, OUT_FOR_DELIVERY, PICKED_UP
# (collected by the shopper), READY_FOR_PICKUP.
FULFILLMENT_EVENT_STATUS: dict[str, str | None] = {
    st.PENDING: "CONFIRMED",
    st.INFO_RECEIVED: "LABEL_PRINTED",
    st.IN_TRANSIT: "IN_TRANSIT",
    st.OUT_FOR_DELIVERY: "OUT_FOR_DELIVERY",
    st.FAILED_ATTEMPT: "ATTEMPTED_DELIVERY",
    st.AVAILABLE_FOR_PICKUP: "READY_FOR_PICKUP",
    st.DELIVERED: "DELIVERED",
    st.EXCEPTION: "FAILURE",
    st.RETURNED_TO_SENDER: "FAILURE",
    st.CANCELLED: None,
    st.EXPIRED: None,
}
# An exception that only means "late" is DELAYED at Shopify, not FAILURE.
DELAY_REASONS = frozenset({"carrier_delay", "weather", "customs"})


def fulfillment_event_status(status: str, reason: str = "") -> str | None:
    if status == st.EXCEPTION and reason in DELAY_REASONS:
        return "DELAYED"
    return FULFILLMENT_EVENT_STATUS.get(status)


def tracking(number, company="", url="") -> StoreTracking | None:
    """A StoreTracking from what Shopify gives (None when there is no number at all)."""
    cleaned, suspicious = tracking_number(number)
    if not cleaned:
        return None
    name = text(company, 100)
    return StoreTracking(number=cleaned, company=name, url=text(url, 1000), carrier=company_id(name),
                         suspicious=suspicious)

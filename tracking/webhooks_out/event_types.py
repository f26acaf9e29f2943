"""The event types a merchant can subscribe to. Names are part of the public API: add, never rename.

tracking emits the shipment.* events; returns and feedback emit theirs through
``webhook_event_emit`` (tracking never imports them — the names are listed here so subscriptions can
be validated before those apps exist)."""

EVENT_TYPES: dict[str, str] = {
    "shipment.created": "A parcel was registered for an order.",
    "shipment.status_changed": "A parcel's canonical status changed.",
    "shipment.delivered": "A parcel was delivered.",
    "return.requested": "A shopper requested a return.",
    "return.approved": "A return was approved.",
    "return.rejected": "A return was rejected.",
    "return.received": "Returned items arrived at the warehouse.",
    "return.refunded": "A refund was issued for a return.",
    "nps.responded": "A shopper answered an NPS or CSAT survey.",
}


def register_event_type(name: str, description: str) -> None:
    """For apps that add event types beyond the list above (call from AppConfig.ready())."""
    if "." not in name:
        raise ValueError("event types look like 'thing.happened'")
    EVENT_TYPES.setdefault(name, description)

"""Helpers for tracking-page tests: the shopper's signed order link and events recorded through the service."""
import datetime as dt

from django.utils import timezone

from tracking.services.shipments import NewEvent, shipment_add_events
from tracking.tokens import make_token


def order_link(order):
    return f"/t/{make_token('order', {'o': order.pk})}/"


def add_events(shipment, *statuses, start=None, reason="", details=None):
    """Record events one hour apart, the last one with ``reason``/``details``."""
    start = start or timezone.now() - dt.timedelta(hours=len(statuses) + 1)
    events = [NewEvent(occurred_at=start + dt.timedelta(hours=i), status=status, carrier_code=status.upper(),
                       carrier_text=f"Carrier says {status}", location="Busan, KR",
                       reason=reason if i == len(statuses) - 1 else "",
                       details=details if i == len(statuses) - 1 else None)
              for i, status in enumerate(statuses)]
    shipment_add_events(shipment=shipment, events=events, source="webhook")
    shipment.refresh_from_db()
    return shipment

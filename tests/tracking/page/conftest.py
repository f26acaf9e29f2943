import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import MerchantFactory, OrderFactory, OrderLineFactory, ShipmentFactory, ShipmentLineFactory
from tracking.carriers import status as st
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


@pytest.fixture
def merchant(db):
    return MerchantFactory(slug="hanok", name="Hanok Home", faq_url="https://hanok.example.com/faq",
                           support_phone="+82 2 123 4567", quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(0))


@pytest.fixture
def order(merchant):
    order = OrderFactory(merchant=merchant, number="#1001", customer__email="mina@example.com",
                         customer__name="Mina Kim", ship_postal_code="04524")
    return order


@pytest.fixture
def shipment(order):
    # A generous promise: these parcels are on time unless a test makes them late.
    shipment = ShipmentFactory(order=order, promised_delivery_date=timezone.localdate() + dt.timedelta(days=10))
    ShipmentLineFactory(shipment=shipment, order_line=OrderLineFactory(order=order, title="Linen throw", quantity=2))
    return shipment


@pytest.fixture
def in_transit(shipment):
    return add_events(shipment, st.INFO_RECEIVED, st.IN_TRANSIT)


__all__ = ["order_link", "add_events", "st"]

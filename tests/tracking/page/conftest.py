import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import OrderFactory, OrderLineFactory, ShipmentFactory, ShipmentLineFactory
from tests.support.page import add_events
from tracking.carriers import status as st


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


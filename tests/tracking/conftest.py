"""Fixtures shared across tracking's capabilities: the shopper's order #1001 with one parcel (tracking
page, delivery changes, shipping emails) and API clients holding the merchants' keys (api, apikit,
webhooks_out, imports)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import OrderFactory, OrderLineFactory, ProductVariantFactory, ShipmentFactory, ShipmentLineFactory
from tests.support.api import KeyClient
from tests.support.page import add_events
from tracking.carriers import status as st


@pytest.fixture
def order(merchant):
    """Mina Kim's order #1001 at the root merchant, shipping to Seoul 04524."""
    return OrderFactory(merchant=merchant, number="#1001", customer__email="mina@example.com",
                        customer__name="Mina Kim", ship_postal_code="04524")


@pytest.fixture
def shipment(order):
    # A generous promise: these parcels are on time unless a test makes them late.
    shipment = ShipmentFactory(order=order, promised_delivery_date=timezone.localdate() + dt.timedelta(days=10))
    ShipmentLineFactory(shipment=shipment, order_line=OrderLineFactory(order=order, title="Linen throw", quantity=2))
    return shipment


@pytest.fixture
def in_transit(shipment):
    return add_events(shipment, st.INFO_RECEIVED, st.IN_TRANSIT)


@pytest.fixture
def api(merchant):
    """An API client with a write key of the root merchant."""
    return KeyClient(merchant)


@pytest.fixture
def other_api(other_merchant):
    return KeyClient(other_merchant)


@pytest.fixture
def variants(merchant):
    """Ten variants SKU-0…SKU-9 priced 1,000…10,000 KRW."""
    return [ProductVariantFactory(product__merchant=merchant, sku=f"SKU-{i}", price=Decimal("1000") * (i + 1),
                                  currency="KRW") for i in range(10)]

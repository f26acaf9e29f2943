"""Fixtures for the returns tests: a merchant with its policy, a delivered two-line order paid by the
mock gateway, and helpers to walk a return through its life."""
import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from returns.models import ReturnPolicy
from returns.payments.mock import MockGateway
from returns.services import RequestedLine, return_policy_ensure, return_request
from tests.factories import (
    MerchantFactory,
    OrderFactory,
    OrderLineFactory,
    ProductVariantFactory,
    ShipmentFactory,
    ShipmentLineFactory,
)
from tracking.carriers import status as st


@pytest.fixture(autouse=True)
def _english():
    """A request in Korean leaves the language active in this thread; messages are asserted in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "private")}}}
    MockGateway.reset()
    yield
    MockGateway.reset()


@pytest.fixture
def merchant(db):
    # Equal quiet-hour bounds = no quiet hours, so emails go out whatever the time the suite runs.
    return MerchantFactory(slug="acme", name="Acme", currency="KRW", country="KR",
                           quiet_hours_start=datetime.time(0), quiet_hours_end=datetime.time(0))


@pytest.fixture
def policy(merchant) -> ReturnPolicy:
    return return_policy_ensure(merchant=merchant)


def make_order(merchant, *, delivered_days_ago=2, total=Decimal("50000"), lines=((Decimal("25000"), 1),
               (Decimal("12500"), 2)), gateway="mock", **kwargs):
    order = OrderFactory(merchant=merchant, total=total, subtotal=total, payment_gateway=gateway,
                         payment_reference="pi_test_123" if gateway else "", **kwargs)
    made = []
    for price, qty in lines:
        variant = ProductVariantFactory(product__merchant=merchant, price=price, currency=order.currency)
        made.append(OrderLineFactory(order=order, variant=variant, quantity=qty, unit_price=price))
    if delivered_days_ago is not None:
        shipment = ShipmentFactory(order=order, status=st.DELIVERED,
                                   delivered_at=timezone.now() - timedelta(days=delivered_days_ago))
        for line in made:
            ShipmentLineFactory(shipment=shipment, order_line=line, quantity=line.quantity)
    return order


@pytest.fixture
def order(merchant, policy):
    return make_order(merchant)


def ask(order, *, lines=None, reason="changed_mind", resolution="refund", method="drop_off", key="k1", **kwargs):
    if lines is None:
        lines = [RequestedLine(line.pk, line.quantity) for line in order.lines.all()]
    rr, _created = return_request(order=order, lines=lines, reason_code=reason, resolution=resolution,
                                  method=method, idempotency_key=key, **kwargs)
    return rr


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("agent", "agent@example.com", "pw-agent-123")

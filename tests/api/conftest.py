from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tests.factories import MerchantFactory, ProductVariantFactory
from tracking.models import ApiKey
from tracking.apikit.keys import api_key_create


class KeyClient(APIClient):
    """An APIClient that sends a merchant API key; ``.merchant`` and ``.key`` for assertions."""

    def __init__(self, merchant, scope=ApiKey.Scope.WRITE):
        super().__init__()
        self.merchant = merchant
        self.key, self.raw_key = api_key_create(merchant=merchant, name="test", scope=scope)
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {self.raw_key}")


@pytest.fixture
def merchant(db):
    return MerchantFactory(slug="acme", currency="KRW")


@pytest.fixture
def other_merchant(db):
    return MerchantFactory(slug="globex", currency="KRW")


@pytest.fixture
def api(merchant):
    return KeyClient(merchant)


@pytest.fixture
def other_api(other_merchant):
    return KeyClient(other_merchant)


@pytest.fixture
def variants(merchant):
    return [ProductVariantFactory(product__merchant=merchant, sku=f"SKU-{i}", price=Decimal("1000") * (i + 1),
                                  currency="KRW") for i in range(10)]


def order_body(number="1001", skus=("SKU-0", "SKU-1"), quantity=2, **overrides):
    body = {
        "number": number,
        "placed_at": "2026-01-05T10:00:00+09:00",
        "currency": "KRW",
        "customer": {"email": "Jane@Example.com", "name": "Jane Doe"},
        "shipping_address": {"line1": "1 Test-ro", "city": "Seoul", "postal_code": "04524", "country": "kr"},
        "lines": [{"sku": sku, "quantity": quantity} for sku in skus],
    }
    body.update(overrides)
    return body


def problem_fields(response) -> set:
    return {e["field"] for e in response.json().get("errors", [])}

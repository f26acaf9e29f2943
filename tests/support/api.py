"""Helpers for /api/v1/ tests: a client with a merchant API key, an order body, problem fields."""
from rest_framework.test import APIClient

from tracking.apikit.keys import api_key_create
from tracking.models import ApiKey


class KeyClient(APIClient):
    """An APIClient that sends a merchant API key; ``.merchant`` and ``.key`` for assertions."""

    def __init__(self, merchant, scope=ApiKey.Scope.WRITE):
        super().__init__()
        self.merchant = merchant
        self.key, self.raw_key = api_key_create(merchant=merchant, name="test", scope=scope)
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {self.raw_key}")


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

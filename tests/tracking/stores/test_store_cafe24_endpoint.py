"""Cafe24 through /webhooks/stores/<id>/: its notifications are thin (ids only) and keyed by the
app's webhook key, so Doorstep verifies the key, stores the delivery and reads the order from the
Admin API (recorded answers through `responses`); a wrong key, another mall or an expired token
write nothing and lose nothing."""
import pytest
import responses
from django.test import TestCase

from tests.factories import StoreConnectionFactory
from tests.support.fixtures import store_bytes, store_json
from tracking.models import Order, StoreConnection, StoreWebhookDelivery

API = "https://doorstep.cafe24api.com/api/v2/admin"
KEY = "cafe24-webhook-key"
pytestmark = pytest.mark.django_db


@pytest.fixture
def cafe24(merchant):
    return StoreConnectionFactory(merchant=merchant, platform="cafe24", shop="doorstep", access_token="c24_token",
                                  webhook_secret=KEY, currency="KRW")


def post(client, connection, body, key=KEY):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(connection.webhook_path, data=body, content_type="application/json",
                           HTTP_X_API_KEY=key, HTTP_X_TRACE_ID="trace-1")


@responses.activate
def test_thin_shipping_notification_fetches_the_order(client, cafe24):
    responses.get(f"{API}/orders/20261102-0000013", json=store_json("cafe24", "order.json"))
    responses.get(f"{API}/carriers", json=store_json("cafe24", "carriers.json"))
    response = post(client, cafe24, store_bytes("cafe24", "webhook_90024_shipping.json"))
    assert response.status_code == 202
    order = Order.objects.get(merchant=cafe24.merchant)
    assert order.number == "20261102-0000013" and order.currency == "KRW"
    assert StoreWebhookDelivery.objects.get().processed_at is not None


def test_wrong_key_is_401_and_stores_nothing(client, cafe24):
    response = post(client, cafe24, store_bytes("cafe24", "webhook_90024_shipping.json"), key="nope")
    assert response.status_code == 401 and not Order.objects.exists()
    assert StoreWebhookDelivery.objects.get().verdict == "rejected_signature"


def test_notification_for_another_mall_is_refused(client, cafe24):
    body = store_bytes("cafe24", "webhook_90024_shipping.json").replace(b'"doorstep"', b'"othermall"')
    assert post(client, cafe24, body).status_code == 401 and not Order.objects.exists()


@responses.activate
def test_expired_token_keeps_the_delivery_and_asks_for_reauthorisation(client, cafe24):
    responses.get(f"{API}/orders/20261102-0000013", json=store_json("cafe24", "error_401.json"), status=401)
    assert post(client, cafe24, store_bytes("cafe24", "webhook_90024_shipping.json")).status_code == 202
    row = StoreWebhookDelivery.objects.get()
    assert row.processed_at is None and row.processing_error.startswith("waiting")
    cafe24.refresh_from_db()
    assert cafe24.state == StoreConnection.State.NEEDS_REAUTH and not Order.objects.exists()

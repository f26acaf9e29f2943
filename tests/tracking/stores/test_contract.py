"""The contract itself: dataclasses are frozen and keep secrets out of repr, token grants apply,
unsupported capabilities raise, every adapter declares what it offers."""
import dataclasses
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tracking.stores import base as b
from tracking.stores.cafe24 import Cafe24Adapter
from tracking.stores.shopify import ShopifyAdapter
from tracking.stores.woocommerce import WooCommerceAdapter

ADAPTERS = [ShopifyAdapter, WooCommerceAdapter, Cafe24Adapter]


def test_dataclasses_are_frozen():
    order = b.StoreOrder(platform="x", id="1", number="#1", created_at=None, updated_at=None, currency="USD",
                         totals=b.StoreTotals())
    with pytest.raises(dataclasses.FrozenInstanceError):
        order.id = "2"
    assert order.trackings == () and order.customer is None and order.financial_status in b.FINANCIAL_STATUSES


def test_credentials_repr_hides_secrets():
    credentials = b.StoreCredentials(shop="s", access_token="AT-1", refresh_token="RT-1", client_secret="CS-1",
                                     webhook_secret="WS-1", consumer_key="ck_1", consumer_secret="cs_1")
    text = repr(credentials)
    assert not any(secret in text for secret in ("AT-1", "RT-1", "CS-1", "WS-1", "ck_1", "cs_1"))
    assert "shop='s'" in text


def test_webhook_secrets_current_first_empties_dropped():
    credentials = b.StoreCredentials(webhook_secret="new", previous_webhook_secrets=("", "old"))
    assert credentials.webhook_secrets == ("new", "old")


def test_token_grant_apply_keeps_what_the_grant_lacks():
    credentials = b.StoreCredentials(shop="s", access_token="a", refresh_token="r", scopes=("x",),
                                     refresh_token_expires_at=datetime(2027, 1, 1, tzinfo=timezone.utc))
    grant = b.TokenGrant(access_token="a2", expires_at=datetime(2026, 12, 1, tzinfo=timezone.utc))
    applied = grant.apply(credentials)
    assert (applied.access_token, applied.refresh_token, applied.scopes) == ("a2", "r", ("x",))
    assert applied.token_expires_at == datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert applied.refresh_token_expires_at == credentials.refresh_token_expires_at


def test_page():
    assert b.Page(items=(1, 2), next_cursor="c").has_more and not b.Page(items=()).has_more


def test_order_trackings_flatten_fulfilments():
    t1, t2 = b.StoreTracking("1Z1"), b.StoreTracking("1Z2")
    order = b.StoreOrder(platform="x", id="1", number="1", created_at=None, updated_at=None, currency="USD",
                         totals=b.StoreTotals(total=Decimal("1")),
                         fulfilments=(b.StoreFulfilment("f1", "success", trackings=(t1,)),
                                      b.StoreFulfilment("f2", "success", trackings=(t2,))))
    assert order.trackings == (t1, t2)


def test_errors_say_whether_to_retry():
    assert b.RateLimited("x", retry_after=3).retryable and b.StoreUnavailable("x").retryable
    assert not b.AuthError("x").retryable and not b.InvalidRequest("x").retryable and not b.NotFound("x").retryable
    assert b.AuthError("x", reason=b.AuthError.REASON_EXPIRED).reason == "expired"
    assert b.StoreUnavailable("x", outcome_unknown=True).outcome_unknown
    assert b.WebhookRejected("x", status=422, reason_code="shape").status == 422
    assert all(issubclass(e, b.StoreError) for e in (b.AuthError, b.RateLimited, b.StoreUnavailable, b.NotFound,
                                                     b.InvalidRequest, b.WebhookRejected, b.Unsupported, b.OAuthRejected))


def test_topic_names():
    assert {"order.created", "order.updated", "order.cancelled", "order.deleted", "fulfilment.created",
            "fulfilment.updated", "refund.created", "product.created", "product.updated", "product.deleted",
            "app.uninstalled", "customer.data_request", "customer.redact", "shop.redact", "unknown", "ping"} == b.TOPICS
    assert set(b.DEFAULT_TOPICS) <= b.TOPICS


@pytest.mark.parametrize("cls", ADAPTERS)
def test_adapters_declare_themselves(cls):
    assert cls.slug and cls.name and cls.capabilities & b.Capability.WEBHOOKS and cls.capabilities & b.Capability.BACKFILL


def test_the_base_adapter_offers_nothing():
    adapter = b.StoreAdapter()
    adapter.slug = "none"
    now = datetime.now(timezone.utc)
    for call in (lambda: adapter.fetch_orders(), lambda: adapter.fetch_order("1"), lambda: adapter.fetch_products(),
                 lambda: adapter.register_webhooks(callback_url="https://x"),
                 lambda: adapter.push_fulfilment_event(order_id="1", fulfilment_id="", tracking_number="", status="",
                                                       happened_at=now),
                 lambda: adapter.create_refund(order_id="1", amount=Decimal(1), currency="USD", idempotency_key="k"),
                 lambda: adapter.authorize_url(redirect_uri="https://x", state="s"),
                 lambda: adapter.exchange_code(code="c"), lambda: adapter.refresh_access_token()):
        with pytest.raises(b.Unsupported):
            call()
    with pytest.raises(b.WebhookRejected) as caught:
        adapter.verify_webhook(headers={}, body=b"")
    assert caught.value.status == 404


def test_needs_refresh_uses_the_injected_clock():
    now = datetime(2026, 11, 12, tzinfo=timezone.utc)
    credentials = b.StoreCredentials(refresh_token="r", token_expires_at=now + timedelta(minutes=10))
    assert not b.StoreAdapter(credentials, now=lambda: now).needs_refresh()
    assert b.StoreAdapter(credentials, now=lambda: now + timedelta(minutes=6)).needs_refresh()

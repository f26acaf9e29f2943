"""Shopify GraphQL Admin API through `responses`: backfill pages and cursors, the cost-based
throttle, HTTP and GraphQL error mapping, refundCreate and fulfillmentEventCreate request bodies,
webhook subscriptions."""
import base64
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests
import responses

from tracking.carriers import status as st
from tracking.stores import base as b
from tracking.stores.base import (AuthError, InvalidRequest, NotFound, RateLimited, RefundLineRequest, StoreCredentials,
                                  StoreUnavailable)
from tracking.stores.shopify import ShopifyAdapter
from tracking.stores.shopify.adapter import refund_plan
from tracking.stores.shopify.client import throttle_wait

from tests.support.stores import NOW

from tests.support.fixtures import store_json as fixture_json, request_json

SHOP = "doorstep-test.myshopify.com"
GRAPHQL = f"https://{SHOP}/admin/api/2026-10/graphql.json"


@pytest.fixture
def adapter(sleeper):
    return ShopifyAdapter(StoreCredentials(shop=SHOP, access_token="shpat_test", client_id="app", client_secret="s"),
                          sleep=sleeper, now=lambda: NOW)


def graphql_bodies():
    return [request_json(call) for call in responses.calls]


# --- backfill -----------------------------------------------------------------------------------
@responses.activate
def test_orders_backfill_pages_with_a_self_contained_cursor(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page1.json"))
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page2.json"))
    since = datetime(2026, 11, 1, tzinfo=timezone.utc)
    first = adapter.fetch_orders(since=since)
    assert [o.number for o in first.items] == ["#1001", "#1002"] and first.has_more
    second = adapter.fetch_orders(cursor=first.next_cursor)
    assert [o.number for o in second.items] == ["#1004"] and second.next_cursor is None
    one, two = graphql_bodies()
    assert one["variables"] == {"first": 8, "after": None, "query": "updated_at:>='2026-11-01T00:00:00Z'"}
    assert two["variables"]["after"] == "eyJsYXN0X2lkIjo0NTA3ODk0NjksImxhc3RfdmFsdWUiOiIyMDI2LTExLTA2In0="
    assert two["variables"]["query"] == one["variables"]["query"]  # the cursor carries `since`
    assert "sortKey: UPDATED_AT" in one["query"] and "trackingInfo" in one["query"]
    assert responses.calls[0].request.headers["X-Shopify-Access-Token"] == "shpat_test"


@responses.activate
def test_backfilled_order_fields(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page1.json"))
    order, korean = adapter.fetch_orders().items
    assert order.presentment_totals.total == Decimal("331.81") and order.totals.total == Decimal("243.98")
    assert order.financial_status == "partially_refunded" and order.fulfilment_status == "fulfilled"
    assert order.lines[1].product_deleted and order.lines[1].sku == ""
    assert [t.carrier for t in order.trackings] == ["ups", "ups", "kr.cjlogistics"]
    assert order.refunds[0].amount == Decimal("13.6") and order.refunds[0].currency == "CAD"
    assert order.customer.email == "jon@example.com"
    assert korean.fulfilment_status == "partial" and korean.fulfilments[0].trackings == ()


@responses.activate
def test_cancelled_order_without_customer_in_backfill(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page2.json"))
    (order,) = adapter.fetch_orders().items
    assert order.cancelled_at is not None and order.cancel_reason == "customer" and order.customer is None


@responses.activate
def test_query_cost_too_high_halves_the_page(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_max_cost_exceeded.json"))
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page2.json"))
    page = adapter.fetch_orders()
    assert [request_json(c)["variables"]["first"] for c in responses.calls] == [8, 4]
    assert len(page.items) == 1


@responses.activate
def test_fetch_order_follows_line_pages(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_order_full.json"))
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_order_lines.json"))
    order = adapter.fetch_order("450789469")
    assert [line.sku for line in order.lines] == ["TEE-BLK-M", "CAP-01"]
    full, lines = graphql_bodies()
    assert full["variables"] == {"id": "gid://shopify/Order/450789469"}
    assert lines["variables"] == {"id": "gid://shopify/Order/450789469", "after": "bGluZS0x"}
    hanjin = order.fulfilments[1]
    assert hanjin.lines == (b.StoreFulfilmentLine("1071823173", 1),) and hanjin.trackings[0].carrier == "kr.hanjin"


@responses.activate
def test_fetch_order_not_found(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_order_not_found.json"))
    with pytest.raises(NotFound):
        adapter.fetch_order("1")


@responses.activate
def test_products_page(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_products_page.json"))
    page = adapter.fetch_products(since=datetime(2026, 11, 1, tzinfo=timezone.utc))
    tshirt, tee = page.items
    assert tshirt.status == "active" and tshirt.image_url.endswith("tshirt.jpg")
    assert [(v.sku, v.price, v.stock) for v in tshirt.variants] == [("TS-S", Decimal("19.99"), 75), ("TS-M", Decimal("21.99"), None)]
    assert tee.variants == () and tee.image_url == "" and page.next_cursor is None


def test_bad_cursor_is_an_invalid_request(adapter):
    with pytest.raises(InvalidRequest):
        adapter.fetch_orders(cursor="not-base64-json!!")


def test_naive_since_is_refused(adapter):
    with pytest.raises(InvalidRequest):
        adapter.fetch_orders(since=datetime(2026, 11, 1))


# --- throttling and errors ----------------------------------------------------------------------
def test_throttle_wait_from_the_cost_extension():
    extensions = fixture_json("shopify", "graphql_throttled.json")["extensions"]
    assert throttle_wait(extensions) == pytest.approx(2.0)  # (802 - 602) / 100
    assert throttle_wait({"cost": {"requestedQueryCost": 5, "throttleStatus": {"currentlyAvailable": 10, "restoreRate": 50}}}) == 0
    assert throttle_wait(None) is None and throttle_wait({"cost": {"throttleStatus": {"restoreRate": 0}}}) is None


@responses.activate
def test_throttled_query_waits_for_the_bucket_then_retries(adapter, sleeper):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_throttled.json"))
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page2.json"))
    assert len(adapter.fetch_orders().items) == 1
    assert sleeper.waits == [pytest.approx(2.0)]


@responses.activate
def test_a_long_throttle_goes_back_to_the_caller(adapter, sleeper):
    throttled = fixture_json("shopify", "graphql_throttled.json")
    throttled["extensions"]["cost"]["requestedQueryCost"] = 5000
    responses.post(GRAPHQL, json=throttled)
    with pytest.raises(RateLimited) as caught:
        adapter.fetch_orders()
    assert caught.value.retry_after == pytest.approx(43.98) and caught.value.retryable and sleeper.waits == []


@responses.activate
def test_http_429_honours_retry_after(adapter, sleeper):
    responses.post(GRAPHQL, json=fixture_json("shopify", "error_429.json"), status=429, headers={"Retry-After": "2.0"})
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page2.json"))
    adapter.fetch_orders()
    assert len(responses.calls) == 2 and sleeper.waits == [2.0]


@responses.activate
def test_http_429_with_integer_retry_after(adapter, sleeper):
    responses.post(GRAPHQL, json=fixture_json("shopify", "error_429.json"), status=429, headers={"Retry-After": "3"})
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page2.json"))
    adapter.fetch_orders()
    assert sleeper.waits == [3.0]


@responses.activate
def test_invalid_token_is_an_auth_error(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "error_401.json"), status=401)
    with pytest.raises(AuthError) as caught:
        adapter.fetch_orders()
    assert caught.value.reason == AuthError.REASON_INVALID and not caught.value.retryable


@responses.activate
def test_401_after_the_token_expired_says_expired(sleeper):
    adapter = ShopifyAdapter(StoreCredentials(shop=SHOP, access_token="old", refresh_token="r",
                                              token_expires_at=NOW - timedelta(minutes=1)), sleep=sleeper, now=lambda: NOW)
    responses.post(GRAPHQL, json=fixture_json("shopify", "error_401.json"), status=401)
    with pytest.raises(AuthError) as caught:
        adapter.fetch_order("1")
    assert caught.value.reason == AuthError.REASON_EXPIRED


@responses.activate
def test_access_denied_is_a_scope_problem(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_access_denied.json"))
    with pytest.raises(AuthError) as caught:
        adapter.fetch_order("1")
    assert caught.value.reason == AuthError.REASON_SCOPE


@responses.activate
def test_server_errors_are_retried_then_reported_unavailable(adapter, sleeper):
    for _ in range(4):
        responses.post(GRAPHQL, body="upstream trouble", status=503)
    with pytest.raises(StoreUnavailable) as caught:
        adapter.fetch_orders()
    assert len(responses.calls) == 4 and len(sleeper.waits) == 3 and caught.value.retryable


@responses.activate
def test_frozen_shop_is_unavailable(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "error_402.json"), status=402)
    with pytest.raises(StoreUnavailable):
        adapter.fetch_orders()


@responses.activate
def test_timeouts_on_reads_are_retried(adapter, sleeper):
    responses.post(GRAPHQL, body=requests.ReadTimeout("slow"))
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_orders_page2.json"))
    assert len(adapter.fetch_orders().items) == 1 and len(sleeper.waits) == 1


def test_misconfigured_shop_domain_is_refused():
    with pytest.raises(InvalidRequest):
        ShopifyAdapter(StoreCredentials(shop="evil.com", access_token="x")).fetch_order("1")


@responses.activate
def test_api_url_override_reaches_a_sandbox(sleeper):
    adapter = ShopifyAdapter(StoreCredentials(shop=SHOP, access_token="t", api_url="http://127.0.0.1:8765/{shop}",
                                              api_version="2026-07"), sleep=sleeper)
    responses.post(f"http://127.0.0.1:8765/{SHOP}/admin/api/2026-07/graphql.json",
                   json=fixture_json("shopify", "graphql_orders_page2.json"))
    assert len(adapter.fetch_orders().items) == 1


# --- fulfilment events --------------------------------------------------------------------------
@responses.activate
def test_fulfilment_event_request_body(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_fulfillment_event_create.json"))
    result = adapter.push_fulfilment_event(
        order_id="820982911946154508", fulfilment_id="255858046", tracking_number="1Z999AA10123456784",
        status=st.OUT_FOR_DELIVERY, happened_at=datetime(2026, 11, 11, 17, 5, tzinfo=timezone(timedelta(hours=9))),
        message="On the van", location="Ottawa, ON", estimated_delivery_at=datetime(2026, 11, 11, 20, tzinfo=timezone.utc))
    assert result == b.PushResult(accepted=True, platform_status="OUT_FOR_DELIVERY",
                                  remote_id="gid://shopify/FulfillmentEvent/944956395")
    (body,) = graphql_bodies()
    assert "fulfillmentEventCreate" in body["query"]
    assert body["variables"] == {"fulfillmentEvent": {
        "fulfillmentId": "gid://shopify/Fulfillment/255858046", "status": "OUT_FOR_DELIVERY",
        "happenedAt": "2026-11-11T08:05:00Z", "message": "On the van · Ottawa, ON",
        "estimatedDeliveryAt": "2026-11-11T20:00:00Z"}}


@pytest.mark.parametrize("status, reason, expected", [
    (st.INFO_RECEIVED, "", "LABEL_PRINTED"), (st.IN_TRANSIT, "", "IN_TRANSIT"),
    (st.FAILED_ATTEMPT, "recipient_unavailable", "ATTEMPTED_DELIVERY"),
    (st.AVAILABLE_FOR_PICKUP, "", "READY_FOR_PICKUP"), (st.DELIVERED, "", "DELIVERED"),
    (st.EXCEPTION, "damaged", "FAILURE"), (st.EXCEPTION, "weather", "DELAYED"), (st.PENDING, "", "CONFIRMED"),
])
@responses.activate
def test_canonical_status_map(adapter, status, reason, expected):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_fulfillment_event_create.json"))
    adapter.push_fulfilment_event(order_id="1", fulfilment_id="2", tracking_number="X", status=status, reason=reason,
                                  happened_at=NOW)
    assert graphql_bodies()[0]["variables"]["fulfillmentEvent"]["status"] == expected


def test_statuses_shopify_cannot_say_are_skipped(adapter):
    result = adapter.push_fulfilment_event(order_id="1", fulfilment_id="2", tracking_number="X", status=st.CANCELLED,
                                           happened_at=NOW)
    assert not result.accepted and "cancelled" in result.skipped_reason


def test_no_fulfilment_no_event(adapter):
    result = adapter.push_fulfilment_event(order_id="1", fulfilment_id="", tracking_number="X", status=st.DELIVERED,
                                           happened_at=NOW)
    assert not result.accepted and result.skipped_reason


# --- refunds ------------------------------------------------------------------------------------
@responses.activate
def test_refund_goes_to_the_original_transactions(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_order_transactions.json"))
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_refund_create.json"))
    refund = adapter.create_refund(order_id="820982911946154508", amount=Decimal("300.00"), currency="cad",
                                   idempotency_key="rma-1001-refund-1", note="Return RMA-1001", notify=True,
                                   lines=[RefundLineRequest("866550311766439020", 1, restock=True)])
    assert refund.id == "929361465" and refund.amount == Decimal("300.0") and refund.currency == "CAD"
    assert refund.order_id == "820982911946154508" and refund.lines == (b.StoreRefundLine("866550311766439020", 1),)
    lookup, create = graphql_bodies()
    assert lookup["variables"] == {"id": "gid://shopify/Order/820982911946154508"}
    assert "@idempotent(key: $idempotencyKey)" in create["query"]
    assert create["variables"]["idempotencyKey"] == "rma-1001-refund-1"
    assert create["variables"]["input"] == {
        "orderId": "gid://shopify/Order/820982911946154508",
        "currency": "CAD",
        "notify": True,
        "note": "Return RMA-1001",
        # 306.00 paid by card less 13.60 already refunded = 292.40, the rest from the gift card.
        "transactions": [
            {"orderId": "gid://shopify/Order/820982911946154508", "parentId": "gid://shopify/OrderTransaction/389404469",
             "gateway": "shopify_payments", "kind": "REFUND", "amount": "292.40"},
            {"orderId": "gid://shopify/Order/820982911946154508", "parentId": "gid://shopify/OrderTransaction/389404470",
             "gateway": "gift_card", "kind": "REFUND", "amount": "7.60"},
        ],
        "refundLineItems": [{"lineItemId": "gid://shopify/LineItem/866550311766439020", "quantity": 1,
                             "restockType": "RETURN"}],
    }


def test_refund_plan_refuses_more_than_was_paid():
    transactions = fixture_json("shopify", "graphql_order_transactions.json")["data"]["order"]["transactions"]
    assert sum(part for _, _, part in refund_plan(transactions, Decimal("318.21"))) == Decimal("318.21")
    with pytest.raises(InvalidRequest):
        refund_plan(transactions, Decimal("318.22"))


@responses.activate
def test_refund_user_errors_become_invalid_request(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_order_transactions.json"))
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_refund_user_errors.json"))
    with pytest.raises(InvalidRequest) as caught:
        adapter.create_refund(order_id="820982911946154508", amount=Decimal("5"), currency="CAD", idempotency_key="k1")
    assert caught.value.errors == ("Amount cannot be greater than the refundable amount.",)


@responses.activate
def test_refund_in_the_shop_currency_is_refused_when_the_shopper_paid_in_another(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_order_transactions.json"))
    with pytest.raises(InvalidRequest):
        adapter.create_refund(order_id="820982911946154508", amount=Decimal("5"), currency="USD", idempotency_key="k1")
    assert len(responses.calls) == 1  # nothing was sent to refundCreate


@pytest.mark.parametrize("amount, key", [(Decimal("0"), "k"), (Decimal("-1"), "k"), (Decimal("NaN"), "k"), (1.5, "k"),
                                         (Decimal("1"), ""), (Decimal("1"), None)])
def test_refund_arguments_are_checked_before_any_call(adapter, amount, key):
    with pytest.raises(InvalidRequest):
        adapter.create_refund(order_id="1", amount=amount, currency="CAD", idempotency_key=key)


@responses.activate
def test_refund_on_an_older_api_version_has_no_idempotent_directive(sleeper):
    adapter = ShopifyAdapter(StoreCredentials(shop=SHOP, access_token="t", api_version="2025-10"), sleep=sleeper)
    responses.post(f"https://{SHOP}/admin/api/2025-10/graphql.json", json=fixture_json("shopify", "graphql_order_transactions.json"))
    responses.post(f"https://{SHOP}/admin/api/2025-10/graphql.json", json=fixture_json("shopify", "graphql_refund_create.json"))
    adapter.create_refund(order_id="820982911946154508", amount=Decimal("1"), currency="CAD", idempotency_key="k")
    create = request_json(responses.calls[1])
    assert "@idempotent" not in create["query"] and "idempotencyKey" not in create["variables"]


@responses.activate
def test_a_refund_that_timed_out_on_an_old_version_is_not_retried(sleeper):
    adapter = ShopifyAdapter(StoreCredentials(shop=SHOP, access_token="t", api_version="2025-10"), sleep=sleeper)
    url = f"https://{SHOP}/admin/api/2025-10/graphql.json"
    responses.post(url, json=fixture_json("shopify", "graphql_order_transactions.json"))
    responses.post(url, body=requests.ReadTimeout("no answer"))
    with pytest.raises(StoreUnavailable) as caught:
        adapter.create_refund(order_id="820982911946154508", amount=Decimal("1"), currency="CAD", idempotency_key="k")
    assert caught.value.outcome_unknown and len(responses.calls) == 2


# --- webhook subscriptions ----------------------------------------------------------------------
@responses.activate
def test_register_webhooks(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_webhook_subscription_create.json"))
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_webhook_subscription_taken.json"))
    ids = adapter.register_webhooks(callback_url="https://doorstep.example/hooks/shopify/abc",
                                    topics=[b.TOPIC_ORDER_CREATED, b.TOPIC_ORDER_UPDATED])
    assert ids == ["gid://shopify/WebhookSubscription/1047897672"]  # the second was already there
    first, second = graphql_bodies()
    assert first["variables"] == {"topic": "ORDERS_CREATE", "subscription": {
        "uri": "https://doorstep.example/hooks/shopify/abc", "format": "JSON"}}
    assert second["variables"]["topic"] == "ORDERS_UPDATED"


@responses.activate
def test_default_topics_cover_orders_fulfilments_refunds_products_and_uninstall(adapter):
    responses.post(GRAPHQL, json=fixture_json("shopify", "graphql_webhook_subscription_create.json"))
    adapter.register_webhooks(callback_url="https://doorstep.example/h")
    assert [request_json(c)["variables"]["topic"] for c in responses.calls] == [
        "ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_DELETE", "FULFILLMENTS_CREATE",
        "FULFILLMENTS_UPDATE", "REFUNDS_CREATE", "PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE",
        "APP_UNINSTALLED"]


@responses.activate
def test_older_api_versions_use_callback_url(sleeper):
    adapter = ShopifyAdapter(StoreCredentials(shop=SHOP, access_token="t", api_version="2025-07"), sleep=sleeper)
    responses.post(f"https://{SHOP}/admin/api/2025-07/graphql.json",
                   json=fixture_json("shopify", "graphql_webhook_subscription_create.json"))
    adapter.register_webhooks(callback_url="https://doorstep.example/h", topics=[b.TOPIC_ORDER_CREATED])
    assert request_json(responses.calls[0])["variables"]["subscription"] == {
        "callbackUrl": "https://doorstep.example/h", "format": "JSON"}


def test_compliance_topics_cannot_be_registered_by_api(adapter):
    with pytest.raises(InvalidRequest, match="compliance"):
        adapter.register_webhooks(callback_url="https://doorstep.example/h", topics=[b.TOPIC_CUSTOMER_REDACT])


def test_webhooks_need_https(adapter):
    with pytest.raises(InvalidRequest):
        adapter.register_webhooks(callback_url="http://doorstep.example/h")


def test_capabilities(adapter):
    for capability in b.Capability:
        if capability is not b.Capability.NONE:
            assert adapter.supports(capability)


def test_cursor_is_opaque_but_self_contained(adapter):
    state = {"q": "updated_at:>='2026-11-01T00:00:00Z'", "after": "abc", "n": 8}
    from tracking.stores.shopify.adapter import decode_cursor, encode_cursor
    assert decode_cursor(encode_cursor(state)) == state
    assert "=" not in encode_cursor(state)
    with pytest.raises(InvalidRequest):
        decode_cursor(base64.urlsafe_b64encode(json.dumps([1]).encode()).decode())

"""WooCommerce: webhook signatures and the unsigned creation ping, topics, order/product parsing
(Shipment Tracking items, deleted products, guest orders), keyset backfill pages, write-back
(notes, tracking items, refunds with an idempotency marker) and error mapping, via `responses`."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import requests
import responses
from responses import matchers

from tracking.carriers import status as st
from tracking.stores import base as b
from tracking.stores.base import (AuthError, InvalidRequest, NotFound, RateLimited, RefundLineRequest, StoreCredentials,
                                  StoreUnavailable, WebhookRejected)
from tracking.stores.woocommerce import WooCommerceAdapter
from tracking.stores.woocommerce.adapter import _uncursor, webhook_signature

from tests.support.stores import NOW

from tests.support.fixtures import store_bytes as fixture_bytes, store_json as fixture_json, request_json

STORE = "https://shop.example.com"
API = f"{STORE}/wp-json/wc/v3"
SECRET = "wc-webhook-secret-7d1"


@pytest.fixture
def adapter(sleeper):
    return WooCommerceAdapter(StoreCredentials(shop=STORE, consumer_key="ck_test", consumer_secret="cs_test",
                                               webhook_secret=SECRET), sleep=sleeper, now=lambda: NOW)


def wc_headers(body: bytes, topic: str, secret: str = SECRET) -> dict:
    resource, _, event = topic.partition(".")
    return {"X-WC-Webhook-Source": f"{STORE}/", "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event, "X-WC-Webhook-Signature": webhook_signature(secret, body),
            "X-WC-Webhook-ID": "142", "X-WC-Webhook-Delivery-ID": "a3f1c1b2d4e5", "Content-Type": "application/json"}


def deliver(adapter, body: bytes, topic: str):
    hdrs = wc_headers(body, topic)
    adapter.verify_webhook(headers=hdrs, body=body)
    return adapter.parse_webhook(headers=hdrs, body=body)


# --- webhooks -----------------------------------------------------------------------------------
def test_signed_order_webhook(adapter):
    webhook = deliver(adapter, fixture_bytes("woocommerce", "order_727.json"), "order.updated")
    assert webhook.topic == b.TOPIC_ORDER_UPDATED and webhook.delivery_id == "a3f1c1b2d4e5"
    assert webhook.shop == f"{STORE}/" and webhook.order_ids == ("727",) and webhook.event_id == "142"
    assert webhook.triggered_at == datetime(2026, 11, 5, 13, 2, 11, tzinfo=timezone.utc)


def test_wrong_and_missing_signatures(adapter):
    body = fixture_bytes("woocommerce", "order_727.json")
    with pytest.raises(WebhookRejected) as wrong:
        adapter.verify_webhook(headers=wc_headers(body, "order.updated", secret="nope"), body=body)
    hdrs = wc_headers(body, "order.updated")
    del hdrs["X-WC-Webhook-Signature"]
    with pytest.raises(WebhookRejected) as missing:
        adapter.verify_webhook(headers=hdrs, body=body)
    assert wrong.value.status == missing.value.status == 401


def test_no_webhook_secret_fails_closed():
    body = b'{"id": 1}'
    adapter = WooCommerceAdapter(StoreCredentials(shop=STORE))
    with pytest.raises(WebhookRejected):
        adapter.verify_webhook(headers=wc_headers(body, "order.deleted"), body=body)


def test_creation_ping_is_recognised_without_a_signature(adapter):
    hdrs = {"User-Agent": "WooCommerce/9.4.1 Hookshot (WordPress/6.7)", "Content-Type": "application/x-www-form-urlencoded"}
    body = fixture_bytes("woocommerce", "webhook_ping.txt")  # what WC_Webhook::deliver_ping() posts
    adapter.verify_webhook(headers=hdrs, body=body)
    webhook = adapter.parse_webhook(headers=hdrs, body=body)
    assert webhook.topic == b.TOPIC_PING and webhook.delivery_id == "ping-142"


@pytest.mark.parametrize("body", [b"webhook_id=142&x=1", b"webhook_id=", b'{"webhook_id": 142}', b"webhook_id=1\n"])
def test_nothing_else_passes_as_a_ping(adapter, body):
    with pytest.raises(WebhookRejected):
        adapter.verify_webhook(headers={}, body=body)


def test_a_ping_body_with_a_topic_header_must_be_signed(adapter):
    with pytest.raises(WebhookRejected):
        adapter.verify_webhook(headers={"X-WC-Webhook-Topic": "order.updated"}, body=b"webhook_id=142")


@pytest.mark.parametrize("wc_topic, topic, body", [
    ("order.created", b.TOPIC_ORDER_CREATED, "order_727.json"),
    ("order.updated", b.TOPIC_ORDER_UPDATED, "order_727.json"),
    ("order.restored", b.TOPIC_ORDER_UPDATED, "order_727.json"),
    ("order.deleted", b.TOPIC_ORDER_DELETED, "webhook_order_deleted.json"),
    ("product.created", b.TOPIC_PRODUCT_CREATED, "product_simple.json"),
    ("product.updated", b.TOPIC_PRODUCT_UPDATED, "product_variable.json"),
    ("product.deleted", b.TOPIC_PRODUCT_DELETED, "webhook_order_deleted.json"),
    ("action.woocommerce_order_refunded", b.TOPIC_REFUND_CREATED, "webhook_refund_action.json"),
    ("coupon.created", b.TOPIC_UNKNOWN, "webhook_order_deleted.json"),
])
def test_topics(adapter, wc_topic, topic, body):
    assert deliver(adapter, fixture_bytes("woocommerce", body), wc_topic).topic == topic


def test_refund_action_needs_a_fetch(adapter):
    webhook = deliver(adapter, fixture_bytes("woocommerce", "webhook_refund_action.json"), "action.woocommerce_order_refunded")
    assert webhook.order_ids == ("727",) and webhook.needs_fetch


def test_order_webhook_without_id_is_a_422(adapter):
    body = b'{"status": "processing", "line_items": []}'
    with pytest.raises(WebhookRejected) as caught:
        deliver(adapter, body, "order.updated")
    assert caught.value.status == 422


# --- parsing ------------------------------------------------------------------------------------
def test_order_with_shipment_tracking_items():
    from tracking.stores.woocommerce.parse import parse_order

    order = parse_order(fixture_json("woocommerce", "order_727.json"))
    assert order.id == order.number == "727" and order.currency == order.presentment_currency == "USD"
    assert order.created_at == datetime(2026, 11, 3, 19, 22, 10, tzinfo=timezone.utc)
    assert order.totals == b.StoreTotals(total=Decimal("29.35"), subtotal=Decimal("28.00"), tax=Decimal("1.35"),
                                         shipping=Decimal("10.00"), discounts=Decimal("0.00"), refunded=Decimal("3.33"))
    assert order.financial_status == "partially_refunded" and order.fulfilment_status == "partial"
    assert order.platform_status == "processing" and order.payment_gateways == ("Credit card (Stripe)",)
    single, variation, mug = order.lines
    assert single.unit_price == Decimal("3.00") and single.quantity == 2 and single.variant_id is None
    assert variation.variant_id == "23" and variation.product_id == "22"
    assert mug.product_deleted and mug.unit_price == Decimal("3.3333")  # from "10.00" / 3, never the float price
    usps, cj = order.fulfilments
    assert usps.id == "7f4978c390ee633c6294ae0f258656f9" and usps.trackings[0].carrier == "usps"
    assert usps.created_at == datetime.fromtimestamp(1793750400, tz=timezone.utc)
    assert (cj.trackings[0].number, cj.trackings[0].company, cj.trackings[0].carrier) == ("651234567893", "CJ대한통운", "kr.cjlogistics")
    assert order.refunds[0].amount == Decimal("3.33") and order.customer.id == "25"
    assert order.shipping_address.postal_code == "94103"


def test_guest_order_without_email_has_no_customer():
    from tracking.stores.woocommerce.parse import parse_order

    order = parse_order(fixture_json("woocommerce", "orders_page1.json")[1])
    assert order.customer is None and order.email == "" and order.shipping_address is None
    assert order.fulfilment_status == "fulfilled" and order.financial_status == "paid" and order.currency == "KRW"


def test_cancelled_order_gets_a_cancellation_time():
    from tracking.stores.woocommerce.parse import parse_order

    order = parse_order(fixture_json("woocommerce", "orders_page2.json")[0])
    assert order.cancelled_at == order.updated_at and order.financial_status == "voided"


def test_products():
    from tracking.stores.woocommerce.parse import parse_product

    simple = parse_product(fixture_json("woocommerce", "product_simple.json"))
    assert simple.variants == (b.StoreVariant(id="93", sku="WOO-1", price=Decimal("3.00"), stock=14),)
    variable = parse_product(fixture_json("woocommerce", "product_variable.json"), fixture_json("woocommerce", "variations_22.json"))
    assert [(v.id, v.title, v.price, v.stock) for v in variable.variants] == [
        ("23", "Black", Decimal("12.00"), 5), ("24", "Green", Decimal("12.00"), None)]
    assert variable.image_url.endswith("T_4_front-11.jpg") and variable.handle == "ship-your-idea-22"


# --- backfill -----------------------------------------------------------------------------------
@responses.activate
def test_orders_backfill_keyset_pages(adapter):
    responses.get(f"{API}/orders", json=fixture_json("woocommerce", "orders_page1.json"),
                  headers={"X-WP-Total": "3", "X-WP-TotalPages": "2"},
                  match=[matchers.query_param_matcher({"page": "1", "per_page": "2", "orderby": "modified", "order": "asc",
                                                       "dates_are_gmt": "true", "modified_after": "2026-11-01T00:00:00"})])
    responses.get(f"{API}/orders", json=fixture_json("woocommerce", "orders_page2.json"),
                  headers={"X-WP-Total": "1", "X-WP-TotalPages": "1"},
                  match=[matchers.query_param_matcher({"page": "1", "per_page": "2", "orderby": "modified", "order": "asc",
                                                       "dates_are_gmt": "true", "modified_after": "2026-11-05T13:02:10"})])
    first = adapter.fetch_orders(since=datetime(2026, 11, 1, tzinfo=timezone.utc), page_size=2)
    assert [o.id for o in first.items] == ["727", "728"] and first.has_more
    second = adapter.fetch_orders(cursor=first.next_cursor)
    assert [o.id for o in second.items] == ["730"] and second.next_cursor is None
    request = responses.calls[0].request
    assert request.headers["Authorization"].startswith("Basic ")


@responses.activate
def test_a_full_page_within_one_second_moves_by_page_number(adapter):
    page = fixture_json("woocommerce", "orders_page1.json")  # both modified at 13:02:11
    responses.get(f"{API}/orders", json=page, headers={"X-WP-TotalPages": "5"})
    cursor = adapter.fetch_orders(cursor=None, page_size=2).next_cursor
    assert _uncursor(cursor) == {"after": "2026-11-05T13:02:10", "page": 1, "n": 2}
    again = adapter.fetch_orders(cursor=cursor).next_cursor
    assert _uncursor(again) == {"after": "2026-11-05T13:02:10", "page": 2, "n": 2}  # no progress: next page


@responses.activate
def test_fetch_order_and_not_found(adapter):
    responses.get(f"{API}/orders/727", json=fixture_json("woocommerce", "order_727.json"))
    responses.get(f"{API}/orders/999", json=fixture_json("woocommerce", "error_404.json"), status=404)
    assert adapter.fetch_order("727").number == "727"
    with pytest.raises(NotFound):
        adapter.fetch_order("999")
    with pytest.raises(NotFound):
        adapter.fetch_order("../../users")


@responses.activate
def test_products_backfill_reads_variations(adapter):
    responses.get(f"{API}/products", json=[fixture_json("woocommerce", "product_variable.json"),
                                           fixture_json("woocommerce", "product_simple.json")],
                  headers={"X-WP-TotalPages": "1"})
    responses.get(f"{API}/products/22/variations", json=fixture_json("woocommerce", "variations_22.json"))
    page = adapter.fetch_products()
    variable, simple = page.items
    assert [v.sku for v in variable.variants] == ["IDEA-BLK", "IDEA-GRN"] and simple.variants[0].stock == 14
    assert page.next_cursor is None


# --- errors -------------------------------------------------------------------------------------
@responses.activate
def test_bad_keys_and_missing_permissions(adapter):
    responses.get(f"{API}/orders/1", json=fixture_json("woocommerce", "error_401.json"), status=401)
    responses.post(f"{API}/orders/1/notes", json=fixture_json("woocommerce", "error_401_cannot.json"), status=401)
    with pytest.raises(AuthError) as bad:
        adapter.fetch_order("1")
    with pytest.raises(AuthError) as scope:
        adapter.push_fulfilment_event(order_id="1", fulfilment_id="x", tracking_number="1", status=st.IN_TRANSIT,
                                      happened_at=NOW)
    assert bad.value.reason == AuthError.REASON_INVALID and scope.value.reason == AuthError.REASON_SCOPE


@responses.activate
def test_429_with_retry_after_is_retried_then_reported(adapter, sleeper):
    for _ in range(4):
        responses.get(f"{API}/orders/1", json=fixture_json("woocommerce", "error_429.json"), status=429,
                      headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as caught:
        adapter.fetch_order("1")
    assert sleeper.waits == [7.0, 7.0, 7.0] and caught.value.retry_after == 7.0


def test_http_stores_are_refused_unless_a_sandbox_is_configured():
    with pytest.raises(InvalidRequest):
        WooCommerceAdapter(StoreCredentials(shop="http://shop.example.com", consumer_key="k", consumer_secret="s")).fetch_order("1")


@responses.activate
def test_sandbox_api_url_may_be_plain_http(sleeper):
    adapter = WooCommerceAdapter(StoreCredentials(shop=STORE, api_url="http://127.0.0.1:8081", consumer_key="k",
                                                  consumer_secret="s"), sleep=sleeper)
    responses.get("http://127.0.0.1:8081/wp-json/wc/v3/orders/727", json=fixture_json("woocommerce", "order_727.json"))
    assert adapter.fetch_order("727").id == "727"


@responses.activate
def test_query_string_auth_for_hosts_that_strip_authorization(sleeper):
    adapter = WooCommerceAdapter(StoreCredentials(shop=STORE, consumer_key="ck_q", consumer_secret="cs_q",
                                                  extra={"query_string_auth": True}), sleep=sleeper)
    responses.get(f"{API}/orders/727", json=fixture_json("woocommerce", "order_727.json"),
                  match=[matchers.query_param_matcher({"consumer_key": "ck_q", "consumer_secret": "cs_q"})])
    adapter.fetch_order("727")
    assert "Authorization" not in responses.calls[0].request.headers


# --- write back ---------------------------------------------------------------------------------
@responses.activate
def test_fulfilment_event_is_a_private_note(adapter):
    responses.post(f"{API}/orders/727/notes", json=fixture_json("woocommerce", "note_created.json"), status=201)
    result = adapter.push_fulfilment_event(
        order_id="727", fulfilment_id="7f4978c390ee633c6294ae0f258656f9", tracking_number="9400111899560000000000",
        status=st.OUT_FOR_DELIVERY, happened_at=datetime(2026, 11, 11, 17, 5, tzinfo=timezone(timedelta(hours=9))),
        location="San Francisco, CA")
    assert result == b.PushResult(accepted=True, platform_status="Out for delivery", remote_id="281")
    assert request_json(responses.calls[0]) == {
        "note": "Parcel 9400111899560000000000: Out for delivery (2026-11-11 08:05 UTC) – San Francisco, CA",
        "customer_note": False}


@responses.activate
def test_a_new_parcel_is_attached_with_shipment_tracking(sleeper):
    adapter = WooCommerceAdapter(StoreCredentials(shop=STORE, consumer_key="k", consumer_secret="s",
                                                  extra={"shipment_tracking": True}), sleep=sleeper)
    responses.post(f"{STORE}/wp-json/wc-shipment-tracking/v3/orders/727/shipment-trackings",
                   json=fixture_json("woocommerce", "shipment_tracking_created.json"), status=201)
    responses.post(f"{API}/orders/727/notes", json=fixture_json("woocommerce", "note_created.json"), status=201)
    result = adapter.push_fulfilment_event(order_id="727", fulfilment_id="", tracking_number="9400111899560000000000",
                                           carrier="usps", status=st.INFO_RECEIVED, happened_at=NOW)
    assert result.remote_id == "3c8b6a9f0d1e2f3a4b5c6d7e8f9a0b1c"
    assert request_json(responses.calls[0]) == {"tracking_number": "9400111899560000000000", "date_shipped": "2026-11-12",
                                                "tracking_provider": "USPS"}


@responses.activate
def test_unknown_carrier_becomes_a_custom_provider(sleeper):
    adapter = WooCommerceAdapter(StoreCredentials(shop=STORE, consumer_key="k", consumer_secret="s",
                                                  extra={"shipment_tracking": True}), sleep=sleeper)
    responses.post(f"{STORE}/wp-json/wc-shipment-tracking/v3/orders/9/shipment-trackings",
                   json=fixture_json("woocommerce", "shipment_tracking_created.json"), status=201)
    responses.post(f"{API}/orders/9/notes", json=fixture_json("woocommerce", "note_created.json"), status=201)
    adapter.push_fulfilment_event(order_id="9", fulfilment_id="", tracking_number="LX123", carrier="kr.logen",
                                  status=st.IN_TRANSIT, happened_at=NOW)
    assert request_json(responses.calls[0])["custom_tracking_provider"] == "kr.logen"


@responses.activate
def test_refund_request_body(adapter):
    responses.get(f"{API}/orders/727", json=fixture_json("woocommerce", "order_727.json"))
    responses.post(f"{API}/orders/727/refunds", json=fixture_json("woocommerce", "refund_created.json"), status=201)
    refund = adapter.create_refund(order_id="727", amount=Decimal("6"), currency="usd", idempotency_key="rma-56-1",
                                   note="Return RMA-56", lines=[RefundLineRequest("315", 2, restock=True)])
    assert request_json(responses.calls[1]) == {"amount": "6.00", "reason": "Return RMA-56 [doorstep:rma-56-1]",
                                                "api_refund": True, "api_restock": True,
                                                "line_items": [{"id": "315", "quantity": 2}]}
    assert refund.id == "740" and refund.amount == Decimal("6.00") and refund.currency == "USD"
    assert refund.lines == (b.StoreRefundLine("741", 2, Decimal("6.00")),)
    assert refund.created_at == datetime(2026, 11, 10, 13, 0, tzinfo=timezone.utc)


@responses.activate
def test_repeating_a_refund_returns_the_existing_one(adapter):
    responses.get(f"{API}/orders/727", json=fixture_json("woocommerce", "order_727.json"))
    refund = adapter.create_refund(order_id="727", amount=Decimal("3.33"), currency="USD", idempotency_key="rma-55-1")
    assert refund.id == "726" and len(responses.calls) == 1  # found by its marker, no second refund


@responses.activate
def test_a_refund_that_timed_out_is_not_retried(adapter):
    responses.get(f"{API}/orders/727", json=fixture_json("woocommerce", "order_727.json"))
    responses.post(f"{API}/orders/727/refunds", body=requests.ReadTimeout("no answer"))
    with pytest.raises(StoreUnavailable) as caught:
        adapter.create_refund(order_id="727", amount=Decimal("1"), currency="USD", idempotency_key="rma-57-1")
    assert caught.value.outcome_unknown and len(responses.calls) == 2


@responses.activate
def test_a_refund_in_another_currency_is_refused(adapter):
    responses.get(f"{API}/orders/727", json=fixture_json("woocommerce", "order_727.json"))
    with pytest.raises(InvalidRequest):
        adapter.create_refund(order_id="727", amount=Decimal("1"), currency="EUR", idempotency_key="k-1")


@pytest.mark.parametrize("key", ["", "has space", "a]b", "x" * 101, None])
def test_refund_keys_must_fit_the_marker(adapter, key):
    with pytest.raises(InvalidRequest):
        adapter.create_refund(order_id="727", amount=Decimal("1"), currency="USD", idempotency_key=key)


@responses.activate
def test_register_webhooks(adapter):
    responses.post(f"{API}/webhooks", json=fixture_json("woocommerce", "webhook_created.json"), status=201)
    ids = adapter.register_webhooks(callback_url="https://doorstep.example/hooks/wc/abc")
    bodies = [request_json(c) for c in responses.calls]
    assert [body["topic"] for body in bodies] == ["order.created", "order.updated", "order.deleted",
                                                  "action.woocommerce_order_refunded", "product.created",
                                                  "product.updated", "product.deleted"]
    assert bodies[0] == {"name": "Doorstep order.created", "topic": "order.created",
                         "delivery_url": "https://doorstep.example/hooks/wc/abc", "secret": SECRET, "status": "active"}
    assert ids == ["142"] * 7


def test_register_webhooks_needs_a_secret_first():
    adapter = WooCommerceAdapter(StoreCredentials(shop=STORE, consumer_key="k", consumer_secret="s"))
    with pytest.raises(InvalidRequest):
        adapter.register_webhooks(callback_url="https://doorstep.example/h")


def test_capabilities(adapter):
    assert adapter.supports(b.Capability.REFUNDS) and adapter.supports(b.Capability.BACKFILL)
    assert not adapter.supports(b.Capability.OAUTH) and not adapter.supports(b.Capability.COMPLIANCE_WEBHOOKS)

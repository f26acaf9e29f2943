"""Cafe24: webhook key checks and event mapping, order parsing (shipping codes as fulfilments,
Korean couriers, deleted products, multi-invoice), date-window backfill with offsets, the
leaky-bucket and usage-limit headers, shipment write-back, OAuth and token refresh, via `responses`."""
import base64
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from responses import matchers

from tracking.carriers import status as st
from tracking.stores import base as b
from tracking.stores.base import AuthError, InvalidRequest, OAuthRejected, RateLimited, StoreCredentials, Unsupported, WebhookRejected
from tracking.stores.cafe24 import Cafe24Adapter
from tracking.stores.cafe24 import oauth
from tracking.stores.cafe24.adapter import _cursor, _uncursor
from tracking.stores.cafe24.client import bucket_wait

from tests.support.stores import NOW

from tests.support.fixtures import store_bytes as fixture_bytes, store_json as fixture_json, request_json

MALL = "doorstep"
API = f"https://{MALL}.cafe24api.com/api/v2/admin"
KEY = "6f1c3f7e-2d7a-4c53-9d1a-0f3b2a8e9c11"
KST = timezone(timedelta(hours=9))


@pytest.fixture
def adapter(sleeper):
    return Cafe24Adapter(StoreCredentials(shop=MALL, access_token="c24-token", refresh_token="c24-refresh",
                                          client_id="BrIfqEKoPxeE2P5Fbm8eUE", client_secret="c24-secret",
                                          webhook_secret=KEY, token_expires_at=NOW + timedelta(hours=1),
                                          refresh_token_expires_at=NOW + timedelta(days=10)),
                         sleep=sleeper, now=lambda: NOW)


def deliver(adapter, name: str, **headers):
    body = fixture_bytes("cafe24", name)
    hdrs = {"X-API-Key": KEY, "Content-Type": "application/json", **headers}
    adapter.verify_webhook(headers=hdrs, body=body)
    return adapter.parse_webhook(headers=hdrs, body=body)


# --- webhooks -----------------------------------------------------------------------------------
def test_webhook_key_right_wrong_missing(adapter):
    body = fixture_bytes("cafe24", "webhook_90023_order_placed.json")
    adapter.verify_webhook(headers={"x-api-key": KEY}, body=body)
    with pytest.raises(WebhookRejected) as wrong:
        adapter.verify_webhook(headers={"X-API-Key": KEY[:-1] + "0"}, body=body)
    with pytest.raises(WebhookRejected) as missing:
        adapter.verify_webhook(headers={}, body=body)
    assert wrong.value.status == missing.value.status == 401


def test_url_token_is_an_alternative_to_the_header(adapter):
    body = fixture_bytes("cafe24", "webhook_90023_order_placed.json")
    adapter.verify_webhook(headers={}, body=body, url_token=KEY)
    with pytest.raises(WebhookRejected):
        adapter.verify_webhook(headers={}, body=body, url_token="guess")


def test_no_key_configured_fails_closed():
    with pytest.raises(WebhookRejected):
        Cafe24Adapter(StoreCredentials(shop=MALL)).verify_webhook(headers={"X-API-Key": ""}, body=b"{}")


@pytest.mark.parametrize("name, topic, order_ids, product_ids", [
    ("webhook_90023_order_placed.json", b.TOPIC_ORDER_CREATED, ("20261102-0000013",), ()),
    ("webhook_90024_shipping.json", b.TOPIC_ORDER_UPDATED, ("20261102-0000013",), ()),
    ("webhook_90071_shipping_bulk.json", b.TOPIC_ORDER_UPDATED, ("20261102-0000013", "20261103-0000021"), ()),
    ("webhook_90026_cancel.json", b.TOPIC_ORDER_CANCELLED, ("20261101-0000002",), ()),
    ("webhook_90160_refund.json", b.TOPIC_REFUND_CREATED, ("20261102-0000013",), ()),
    ("webhook_90002_product.json", b.TOPIC_PRODUCT_UPDATED, (), ("781",)),
    ("webhook_90041_product_bulk.json", b.TOPIC_PRODUCT_UPDATED, (), ("781", "782")),
    ("webhook_90150_sold_out.json", b.TOPIC_PRODUCT_UPDATED, (), ("781",)),
    ("webhook_90003_product_deleted.json", b.TOPIC_PRODUCT_DELETED, (), ("782",)),
    ("webhook_90077_app_deleted.json", b.TOPIC_APP_UNINSTALLED, (), ()),
    ("webhook_90032_other.json", b.TOPIC_UNKNOWN, (), ()),
])
def test_events_map_to_topics(adapter, name, topic, order_ids, product_ids):
    webhook = deliver(adapter, name)
    assert (webhook.topic, webhook.order_ids, webhook.product_ids) == (topic, order_ids, product_ids)
    assert webhook.shop == MALL and webhook.platform == "cafe24"
    assert webhook.needs_fetch == bool(order_ids)  # the body is a summary and is not signed: read the order


def test_delivery_id_is_stable_for_a_redelivery(adapter):
    first = deliver(adapter, "webhook_90024_shipping.json")
    again = deliver(adapter, "webhook_90024_shipping.json")
    assert first.delivery_id == again.delivery_id and len(first.delivery_id) == 40
    assert deliver(adapter, "webhook_90024_shipping.json", **{"X-Trace-Id": "0d492786"}).delivery_id == "0d492786"


def test_platform_topic_is_the_event_number(adapter):
    webhook = deliver(adapter, "webhook_90077_app_deleted.json")
    assert webhook.platform_topic == "90077"
    assert webhook.triggered_at == datetime(2026, 11, 20, 12, 30, 15, tzinfo=KST)


@pytest.mark.parametrize("body", [b'{"resource": {}}', b'{"event_no": 90023}', b'{"event_no": 90023, "resource": {}}',
                                  b'{"event_no": true, "resource": {"order_id": "1"}}'])
def test_malformed_events_are_422(adapter, body):
    with pytest.raises(WebhookRejected) as caught:
        adapter.parse_webhook(headers={}, body=body)
    assert caught.value.status == 422


# --- orders -------------------------------------------------------------------------------------
@responses.activate
def test_order_parsing(adapter):
    responses.get(f"{API}/orders/20261102-0000013", json=fixture_json("cafe24", "order.json"))
    order = adapter.fetch_order("20261102-0000013")
    assert order.id == order.number == "20261102-0000013" and order.currency == "KRW"
    assert order.created_at == datetime(2026, 11, 2, 10, 21, 35, tzinfo=KST)
    assert order.updated_at == datetime(2026, 11, 3, 14, 0, tzinfo=KST)  # the latest date it carries
    assert order.totals == b.StoreTotals(total=Decimal("50000.00"), subtotal=Decimal("49000.00"), tax=Decimal("4545.00"),
                                         shipping=Decimal("3000.00"), discounts=Decimal("2000.00"), refunded=Decimal("0"))
    tee, mug, third = order.lines
    assert tee.unit_price == Decimal("20000.00") and tee.sku == "TEE-01-BLK-M" and tee.variant_title == "색상=블랙, 사이즈=M"
    assert mug.product_deleted and mug.variant_id is None
    shipped, waiting = order.fulfilments
    assert shipped.id == "D-20261102-0000013-00" and shipped.status == "success"
    assert [(t.number, t.carrier, t.suspicious) for t in shipped.trackings] == [
        ("651234567893", "kr.cjlogistics", False), ("651234567904", "kr.cjlogistics", False),
        ("4081 2345 6789", "kr.hanjin", True)]  # the multi-invoice parcel, flagged for its spaces
    assert [line.line_id for line in shipped.lines] == ["20261102-0000013-01", "20261102-0000013-02"]
    assert waiting.status == "pending" and waiting.trackings == ()
    assert order.fulfilment_status == "partial" and order.financial_status == "paid"
    assert order.customer == b.StoreCustomer(id="gdhong", email="gdhong@example.kr", phone="010-2424-2424", first_name="홍길동")
    assert order.shipping_address.postal_code == "06236" and order.shipping_address.country_code == "KR"
    assert order.payment_gateways == ("inicis",) and order.source == "mobile"
    assert len(responses.calls) == 1  # names came with the items: no carrier-list call


@responses.activate
def test_orders_backfill_pages_by_offset_then_window(adapter, sleeper):
    common = {"shop_no": "1", "start_date": "2026-11-01", "end_date": "2026-11-12", "date_type": "order_date",
              "embed": "items,receivers,buyer", "limit": "2"}
    responses.get(f"{API}/orders", json=fixture_json("cafe24", "orders_page1.json"),
                  headers={"X-Api-Call-Limit": "1/40"}, match=[matchers.query_param_matcher({**common, "offset": "0"})])
    responses.get(f"{API}/orders", json=fixture_json("cafe24", "orders_page2.json"),
                  headers={"X-Api-Call-Limit": "2/40"}, match=[matchers.query_param_matcher({**common, "offset": "2"})])
    responses.get(f"{API}/carriers", json=fixture_json("cafe24", "carriers.json"))
    first = adapter.fetch_orders(since=datetime(2026, 11, 1, tzinfo=KST), page_size=2)
    assert [o.id for o in first.items] == ["20261102-0000013", "20261103-0000021"]
    naver = first.items[1]
    assert naver.customer.id == "" and naver.email == ""  # a guest (비회원) order: a name, no member id
    assert naver.trackings[0].carrier == "kr.epost"  # code 0099 came without a name: read from the mall's list
    second = adapter.fetch_orders(cursor=first.next_cursor)
    (cancelled,) = second.items
    assert second.next_cursor is None
    assert cancelled.cancelled_at == datetime(2026, 11, 1, 18, 0, tzinfo=KST)
    assert cancelled.financial_status == "refunded" and cancelled.totals.refunded == Decimal("50000.00")
    assert cancelled.fulfilments == () and sleeper.waits == []
    assert responses.calls[0].request.headers["Authorization"] == "Bearer c24-token"
    assert responses.calls[0].request.headers["X-Cafe24-Api-Version"] == "2025-12-01"


@responses.activate
def test_long_history_is_read_in_windows_under_three_months(adapter):
    responses.get(f"{API}/orders", json=fixture_json("cafe24", "orders_empty.json"))
    page = adapter.fetch_orders(since=datetime(2026, 1, 1, tzinfo=KST))
    query = parse_qs(urlsplit(responses.calls[0].request.url).query)
    assert (query["start_date"], query["end_date"]) == (["2026-01-01"], ["2026-03-31"])
    assert _uncursor(page.next_cursor)["s"] == "2026-04-01" and _uncursor(page.next_cursor)["e"] == "2026-06-29"


def test_default_history_is_a_year(adapter):
    state = {"s": "2025-11-12", "e": "2026-02-09", "u": "2026-11-12", "o": 0, "n": 100}
    with responses.RequestsMock() as mock:
        mock.get(f"{API}/orders", json=fixture_json("cafe24", "orders_empty.json"))
        adapter.fetch_orders()
        query = parse_qs(urlsplit(mock.calls[0].request.url).query)
    assert query["start_date"] == [state["s"]] and query["end_date"] == [state["e"]]


@responses.activate
def test_a_window_past_the_offset_limit_is_halved(adapter):
    many = {"orders": [fixture_json("cafe24", "orders_page2.json")["orders"][0]] * 100}
    responses.get(f"{API}/orders", json=many)
    cursor = _cursor({"s": "2026-01-01", "e": "2026-03-01", "u": "2026-11-12", "o": 14900, "n": 100})
    state = _uncursor(adapter.fetch_orders(cursor=cursor).next_cursor)
    assert (state["s"], state["e"], state["o"]) == ("2026-01-01", "2026-01-30", 0)


@pytest.mark.parametrize("cursor", ["garbage", _cursor({"s": "x"}), _cursor([1, 2])])
def test_bad_cursors(adapter, cursor):
    with pytest.raises(InvalidRequest):
        adapter.fetch_orders(cursor=cursor)


# --- rate limits and errors ---------------------------------------------------------------------
@pytest.mark.parametrize("header, wait", [("1/40", 0), ("30/40", 0), ("36/40", 3.0), ("40/40", 5.0), ("junk", 0), (None, 0)])
def test_bucket_wait(header, wait):
    assert bucket_wait(header) == wait


@responses.activate
def test_a_nearly_full_bucket_slows_the_next_call(adapter, sleeper):
    responses.get(f"{API}/orders/20261102-0000013", json=fixture_json("cafe24", "order.json"),
                  headers={"X-Api-Call-Limit": "38/40"})
    adapter.fetch_order("20261102-0000013")
    assert sleeper.waits == [4.0]


@responses.activate
def test_429_waits_for_the_usage_remain_headers(adapter, sleeper):
    responses.get(f"{API}/orders/20261102-0000013", json=fixture_json("cafe24", "error_429.json"), status=429,
                  headers={"X-Cafe24-Call-Usage": "120.04", "X-Cafe24-Call-Remain": "32",
                           "X-Cafe24-Time-Usage": "100.5", "X-Cafe24-Time-Remain": "7"})
    responses.get(f"{API}/orders/20261102-0000013", json=fixture_json("cafe24", "order.json"))
    adapter.fetch_order("20261102-0000013")
    assert sleeper.waits == [32.0]


@responses.activate
def test_429_beyond_the_patience_goes_back_to_the_caller(adapter, sleeper):
    responses.get(f"{API}/orders/1", json=fixture_json("cafe24", "error_429.json"), status=429,
                  headers={"X-Cafe24-Call-Remain": "600"})
    with pytest.raises(RateLimited) as caught:
        adapter.fetch_order("1")
    assert caught.value.retry_after == 600 and sleeper.waits == []


@responses.activate
def test_expired_token_and_missing_scope(adapter):
    responses.get(f"{API}/orders/1", json=fixture_json("cafe24", "error_401_expired.json"), status=401)
    responses.get(f"{API}/orders/2", json=fixture_json("cafe24", "error_403_scope.json"), status=403)
    with pytest.raises(AuthError) as expired:
        adapter.fetch_order("1")
    with pytest.raises(AuthError) as scope:
        adapter.fetch_order("2")
    assert expired.value.reason == AuthError.REASON_EXPIRED and scope.value.reason == AuthError.REASON_SCOPE


def test_malformed_mall_ids_are_refused():
    for mall in ("evil.com", "a/b", "doorstep.cafe24api.com", "", "x", "doorstep:443", "door step"):
        with pytest.raises(OAuthRejected):
            oauth.validate_mall_id(mall)
        with pytest.raises(InvalidRequest):
            Cafe24Adapter(StoreCredentials(shop=mall, access_token="t")).fetch_order("1")


# --- shipments ----------------------------------------------------------------------------------
@responses.activate
def test_delivered_moves_the_shipment_to_shipped(adapter):
    responses.put(f"{API}/orders/20261102-0000013/shipments/D-20261102-0000013-00",
                  json=fixture_json("cafe24", "shipment_updated.json"))
    result = adapter.push_fulfilment_event(order_id="20261102-0000013", fulfilment_id="D-20261102-0000013-00",
                                           tracking_number="651234567893", status=st.DELIVERED, happened_at=NOW)
    assert result == b.PushResult(accepted=True, platform_status="shipped", remote_id="D-20261102-0000013-00")
    assert request_json(responses.calls[0]) == {"shop_no": 1, "request": {"status": "shipped"}}


@responses.activate
def test_an_unchanged_shipment_is_not_an_error(adapter):
    responses.put(f"{API}/orders/1/shipments/D-1", json=fixture_json("cafe24", "error_409.json"), status=409)
    result = adapter.push_fulfilment_event(order_id="1", fulfilment_id="D-1", tracking_number="x",
                                           status=st.OUT_FOR_DELIVERY, happened_at=NOW)
    assert result.accepted and result.skipped_reason == "unchanged" and result.platform_status == "shipping"


@pytest.mark.parametrize("status", [st.EXCEPTION, st.RETURNED_TO_SENDER, st.CANCELLED, st.EXPIRED])
def test_statuses_cafe24_cannot_say_are_skipped(adapter, status):
    assert not adapter.push_fulfilment_event(order_id="1", fulfilment_id="D-1", tracking_number="x", status=status,
                                             happened_at=NOW).accepted


def test_shipments_are_never_moved_back_to_standby(adapter):
    result = adapter.push_fulfilment_event(order_id="1", fulfilment_id="D-1", tracking_number="x",
                                           status=st.INFO_RECEIVED, happened_at=NOW)
    assert not result.accepted


@responses.activate
def test_a_new_parcel_is_registered_with_the_malls_courier_code(adapter):
    responses.get(f"{API}/carriers", json=fixture_json("cafe24", "carriers.json"))
    responses.post(f"{API}/orders/20261110-0000031/shipments", json=fixture_json("cafe24", "shipment_created.json"), status=201)
    result = adapter.push_fulfilment_event(order_id="20261110-0000031", fulfilment_id="", tracking_number="651234567915",
                                           carrier="kr.cjlogistics", status=st.IN_TRANSIT, happened_at=NOW)
    assert result == b.PushResult(accepted=True, platform_status="shipping", remote_id="D-20261110-0000031-00")
    assert request_json(responses.calls[1]) == {"shop_no": 1, "request": {
        "tracking_no": "651234567915", "shipping_company_code": "0006", "status": "shipping"}}


@responses.activate
def test_configured_codes_win_over_the_carrier_list(sleeper):
    adapter = Cafe24Adapter(StoreCredentials(shop=MALL, access_token="t", extra={"cafe24_carrier_codes": {"0042": "kr.logen"}}),
                            sleep=sleeper)
    responses.post(f"{API}/orders/1/shipments", json=fixture_json("cafe24", "shipment_created.json"), status=201)
    adapter.push_fulfilment_event(order_id="1", fulfilment_id="", tracking_number="12345678901", carrier="kr.logen",
                                  status=st.IN_TRANSIT, happened_at=NOW)
    assert request_json(responses.calls[0])["request"]["shipping_company_code"] == "0042"


@responses.activate
def test_unknown_courier_is_skipped_not_guessed(adapter):
    responses.get(f"{API}/carriers", json=fixture_json("cafe24", "carriers.json"))
    result = adapter.push_fulfilment_event(order_id="1", fulfilment_id="", tracking_number="1", carrier="kr.logen",
                                           status=st.IN_TRANSIT, happened_at=NOW)
    assert not result.accepted and "kr.logen" in result.skipped_reason


@responses.activate
def test_carrier_list_without_the_shipping_scope_is_empty(adapter):
    responses.get(f"{API}/carriers", json=fixture_json("cafe24", "error_403_scope.json"), status=403)
    assert adapter.mall_carriers() == {}


def test_refunds_are_not_offered(adapter):
    assert not adapter.supports(b.Capability.REFUNDS) and not adapter.supports(b.Capability.WEBHOOK_REGISTRATION)
    with pytest.raises(Unsupported):
        adapter.create_refund(order_id="1", amount=Decimal("1"), currency="KRW", idempotency_key="k")
    with pytest.raises(Unsupported):
        adapter.register_webhooks(callback_url="https://x")


@responses.activate
def test_products_page(adapter):
    responses.get(f"{API}/products", json=fixture_json("cafe24", "products_page.json"),
                  match=[matchers.query_param_matcher({"shop_no": "1", "embed": "variants", "limit": "2", "offset": "0",
                                                       "updated_start_date": "2026-11-01T09:00:00+09:00"})])
    page = adapter.fetch_products(since=datetime(2026, 11, 1, tzinfo=timezone.utc), page_size=2)
    tee, cap = page.items
    assert [(v.id, v.title, v.price, v.stock) for v in tee.variants] == [
        ("P0000BEB000A", "블랙 / M", Decimal("20000.00"), 12), ("P0000BEB000B", "화이트 / L", Decimal("19000.00"), None)]
    assert tee.handle == "P0000BEB" and tee.status == "active" and cap.status == "draft" and cap.image_url == ""
    assert page.next_cursor is not None


# --- OAuth --------------------------------------------------------------------------------------
def test_authorize_url(adapter):
    url = adapter.authorize_url(redirect_uri="https://doorstep.example/oauth/cafe24", state="st-1",
                                scopes=["mall.read_order", "mall.write_order"])
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == (f"{MALL}.cafe24api.com", "/api/v2/oauth/authorize")
    assert parse_qs(parts.query) == {"response_type": ["code"], "client_id": ["BrIfqEKoPxeE2P5Fbm8eUE"], "state": ["st-1"],
                                     "redirect_uri": ["https://doorstep.example/oauth/cafe24"],
                                     "scope": ["mall.read_order,mall.write_order"]}


@responses.activate
def test_code_exchange(adapter):
    responses.post(f"https://{MALL}.cafe24api.com/api/v2/oauth/token", json=fixture_json("cafe24", "token.json"))
    grant = adapter.exchange_code(code="c0de", redirect_uri="https://doorstep.example/oauth/cafe24")
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"BrIfqEKoPxeE2P5Fbm8eUE:c24-secret").decode()
    assert parse_qs(request.body) == {"grant_type": ["authorization_code"], "code": ["c0de"],
                                      "redirect_uri": ["https://doorstep.example/oauth/cafe24"]}
    assert grant.expires_at == datetime(2026, 11, 12, 20, 0, tzinfo=KST)  # Cafe24 writes Korean time without offset
    assert grant.refresh_token_expires_at == datetime(2026, 11, 26, 18, 0, tzinfo=KST)
    assert "mall.read_shipping" in grant.scopes and adapter.credentials.access_token == "0iqR5nM5EJIq4bfkN6j2hA"


@responses.activate
def test_a_token_for_another_mall_is_refused(adapter):
    token = dict(fixture_json("cafe24", "token.json"), mall_id="othermall")
    responses.post(f"https://{MALL}.cafe24api.com/api/v2/oauth/token", json=token)
    with pytest.raises(OAuthRejected):
        adapter.exchange_code(code="c0de", redirect_uri="https://x")


@responses.activate
def test_refresh_rotates_the_refresh_token(adapter):
    responses.post(f"https://{MALL}.cafe24api.com/api/v2/oauth/token", json=fixture_json("cafe24", "refresh.json"))
    assert not adapter.needs_refresh()
    grant = adapter.refresh_access_token()
    assert parse_qs(responses.calls[0].request.body) == {"grant_type": ["refresh_token"], "refresh_token": ["c24-refresh"]}
    assert grant.refresh_token == adapter.credentials.refresh_token == "xLlhWztQHBik7lWvW1Ey7F"
    assert adapter.credentials.token_expires_at == datetime(2026, 11, 12, 22, 0, tzinfo=KST)


@responses.activate
def test_refused_refresh_means_reauthorisation(adapter):
    responses.post(f"https://{MALL}.cafe24api.com/api/v2/oauth/token", json=fixture_json("cafe24", "refresh_invalid.json"),
                   status=400)
    with pytest.raises(AuthError):
        adapter.refresh_access_token()
    assert len(responses.calls) == 1


def test_an_expired_refresh_token_is_not_even_tried(sleeper):
    adapter = Cafe24Adapter(StoreCredentials(shop=MALL, refresh_token="old", refresh_token_expires_at=NOW - timedelta(days=1)),
                            sleep=sleeper, now=lambda: NOW)
    with pytest.raises(AuthError):
        adapter.refresh_access_token()


def test_needs_refresh_close_to_expiry(sleeper):
    adapter = Cafe24Adapter(StoreCredentials(shop=MALL, refresh_token="r", token_expires_at=NOW + timedelta(minutes=4)),
                            now=lambda: NOW)
    assert adapter.needs_refresh() and not adapter.needs_refresh(margin=timedelta(minutes=1))


@responses.activate
def test_sandbox_base_url(sleeper):
    adapter = Cafe24Adapter(StoreCredentials(shop=MALL, access_token="t", api_url="http://127.0.0.1:9000/{mall_id}"),
                            sleep=sleeper)
    responses.get(f"http://127.0.0.1:9000/{MALL}/api/v2/admin/orders/20261102-0000013", json=fixture_json("cafe24", "order.json"))
    assert adapter.fetch_order("20261102-0000013").id == "20261102-0000013"


def test_cursor_round_trip():
    state = {"s": "2026-01-01", "e": "2026-03-31", "u": "2026-11-12", "o": 100, "n": 100}
    assert _uncursor(_cursor(state)) == state
    assert json.loads(base64.urlsafe_b64decode(_cursor(state) + "==")) == state

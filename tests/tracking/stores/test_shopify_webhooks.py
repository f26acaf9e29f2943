"""Shopify webhooks: signatures (right, wrong, missing, rotated), every topic mapping, parsing of
the documented payload shapes (two fulfilments with three parcels, partial, POS without email,
cancelled, refunds, products, compliance)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tracking.stores import base as b
from tracking.stores.base import StoreCredentials, WebhookRejected
from tracking.stores.shopify import ShopifyAdapter
from tracking.stores.shopify.adapter import webhook_signature
from tracking.stores.shopify.parse import TOPICS

from tests.support.fixtures import store_bytes as fixture_bytes

SECRET = "hush-client-secret"
SHOP = "doorstep-test.myshopify.com"


@pytest.fixture
def adapter():
    return ShopifyAdapter(StoreCredentials(shop=SHOP, client_id="app", client_secret=SECRET, access_token="shpat_x"))


def headers(body: bytes, topic: str, *, secret: str = SECRET, **extra) -> dict:
    return {
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": webhook_signature(secret, body),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        "X-Shopify-Triggered-At": "2026-11-04T13:30:12.128Z",
        "X-Shopify-API-Version": "2026-10",
        **extra,
    }


def deliver(adapter, name: str, topic: str):
    body = fixture_bytes("shopify", name)
    hdrs = headers(body, topic)
    adapter.verify_webhook(headers=hdrs, body=body)
    return adapter.parse_webhook(headers=hdrs, body=body)


# --- signatures ---------------------------------------------------------------------------------
def test_valid_signature_is_accepted(adapter):
    body = fixture_bytes("shopify", "webhook_orders_create.json")
    adapter.verify_webhook(headers=headers(body, "orders/create"), body=body)


def test_headers_are_case_insensitive(adapter):
    body = b'{"id": 1}'
    lowered = {k.lower(): v for k, v in headers(body, "orders/delete").items()}
    adapter.verify_webhook(headers=lowered, body=body)


def test_wrong_signature_is_rejected(adapter):
    body = fixture_bytes("shopify", "webhook_orders_create.json")
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify_webhook(headers=headers(body, "orders/create", secret="not-the-secret"), body=body)
    assert caught.value.status == 401 and caught.value.reason_code == "signature"


def test_tampered_body_is_rejected(adapter):
    body = fixture_bytes("shopify", "webhook_orders_create.json")
    hdrs = headers(body, "orders/create")
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify_webhook(headers=hdrs, body=body.replace(b'"243.98"', b'"0.01"'))
    assert caught.value.status == 401


def test_missing_signature_is_rejected(adapter):
    body = b'{"id": 1}'
    hdrs = headers(body, "orders/delete")
    del hdrs["X-Shopify-Hmac-Sha256"]
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify_webhook(headers=hdrs, body=body)
    assert caught.value.status == 401


def test_no_secret_configured_fails_closed():
    body = b'{"id": 1}'
    adapter = ShopifyAdapter(StoreCredentials(shop=SHOP))
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify_webhook(headers=headers(body, "orders/delete", secret="anything"), body=body)
    assert caught.value.status == 401


def test_rotated_secret_still_verifies_during_the_overlap():
    body = b'{"id": 1}'
    adapter = ShopifyAdapter(StoreCredentials(shop=SHOP, client_secret="new", previous_webhook_secrets=("old",)))
    adapter.verify_webhook(headers=headers(body, "orders/delete", secret="old"), body=body)
    adapter.verify_webhook(headers=headers(body, "orders/delete", secret="new"), body=body)


def test_delivery_for_another_shop_is_rejected(adapter):
    body = b'{"id": 1}'
    hdrs = headers(body, "orders/delete", **{"X-Shopify-Shop-Domain": "other.myshopify.com"})
    with pytest.raises(WebhookRejected):
        adapter.verify_webhook(headers=hdrs, body=body)


def test_unprefixed_event_headers_are_accepted(adapter):
    body = b'{"id": 7}'
    hdrs = {"Shopify-Topic": "orders/delete", "Shopify-Hmac-Sha256": webhook_signature(SECRET, body),
            "Shopify-Shop-Domain": SHOP, "Shopify-Webhook-Id": "w-1"}
    adapter.verify_webhook(headers=hdrs, body=body)
    assert adapter.parse_webhook(headers=hdrs, body=body).order_ids == ("7",)


# --- topics -------------------------------------------------------------------------------------
@pytest.mark.parametrize("platform_topic, topic, fixture", [
    ("orders/create", b.TOPIC_ORDER_CREATED, "webhook_orders_create.json"),
    ("orders/updated", b.TOPIC_ORDER_UPDATED, "webhook_orders_partial.json"),
    ("orders/paid", b.TOPIC_ORDER_UPDATED, "webhook_orders_partial.json"),
    ("orders/fulfilled", b.TOPIC_ORDER_UPDATED, "webhook_orders_create.json"),
    ("orders/partially_fulfilled", b.TOPIC_ORDER_UPDATED, "webhook_orders_partial.json"),
    ("orders/cancelled", b.TOPIC_ORDER_CANCELLED, "webhook_orders_cancelled.json"),
    ("orders/delete", b.TOPIC_ORDER_DELETED, "webhook_orders_delete.json"),
    ("fulfillments/create", b.TOPIC_FULFILMENT_CREATED, "webhook_fulfillments_create.json"),
    ("fulfillments/update", b.TOPIC_FULFILMENT_UPDATED, "webhook_fulfillments_create.json"),
    ("refunds/create", b.TOPIC_REFUND_CREATED, "webhook_refunds_create.json"),
    ("products/create", b.TOPIC_PRODUCT_CREATED, "webhook_products_create.json"),
    ("products/update", b.TOPIC_PRODUCT_UPDATED, "webhook_products_create.json"),
    ("products/delete", b.TOPIC_PRODUCT_DELETED, "webhook_products_delete.json"),
    ("app/uninstalled", b.TOPIC_APP_UNINSTALLED, "webhook_app_uninstalled.json"),
    ("customers/data_request", b.TOPIC_CUSTOMER_DATA_REQUEST, "webhook_customers_data_request.json"),
    ("customers/redact", b.TOPIC_CUSTOMER_REDACT, "webhook_customers_redact.json"),
    ("shop/redact", b.TOPIC_SHOP_REDACT, "webhook_shop_redact.json"),
    ("inventory_levels/update", b.TOPIC_UNKNOWN, "webhook_orders_delete.json"),
])
def test_every_topic_maps(adapter, platform_topic, topic, fixture):
    webhook = deliver(adapter, fixture, platform_topic)
    assert webhook.topic == topic and webhook.platform_topic == platform_topic
    assert webhook.topic in b.TOPICS


def test_topic_table_covers_every_doorstep_order_and_product_topic():
    assert set(TOPICS.values()) >= b.ORDER_TOPICS | b.PRODUCT_TOPICS | b.COMPLIANCE_TOPICS | {b.TOPIC_APP_UNINSTALLED}


def test_delivery_metadata_comes_from_headers(adapter):
    webhook = deliver(adapter, "webhook_orders_create.json", "orders/create")
    assert webhook.delivery_id == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert webhook.event_id == "98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert webhook.shop == SHOP and webhook.api_version == "2026-10" and webhook.platform == "shopify"
    assert webhook.triggered_at == datetime(2026, 11, 4, 13, 30, 12, 128000, tzinfo=timezone.utc)


def test_missing_topic_header_is_a_400(adapter):
    body = b'{"id": 1}'
    hdrs = headers(body, "")
    with pytest.raises(WebhookRejected) as caught:
        adapter.parse_webhook(headers=hdrs, body=body)
    assert caught.value.status == 400


def test_order_payload_without_id_is_a_422(adapter):
    body = b'{"name": "#1", "line_items": []}'
    with pytest.raises(WebhookRejected) as caught:
        adapter.parse_webhook(headers=headers(body, "orders/create"), body=body)
    assert caught.value.status == 422 and caught.value.reason_code == "shape"


def test_non_json_body_is_a_400(adapter):
    with pytest.raises(WebhookRejected) as caught:
        adapter.parse_webhook(headers=headers(b"<xml/>", "orders/create"), body=b"<xml/>")
    assert caught.value.status == 400


# --- payloads -----------------------------------------------------------------------------------
def test_order_with_two_fulfilments_and_three_parcels(adapter):
    webhook = deliver(adapter, "webhook_orders_create.json", "orders/create")
    (order,) = webhook.orders
    assert webhook.order_ids == ("820982911946154508",) and not webhook.needs_fetch
    assert order.id == "820982911946154508" and order.number == "#1001"
    assert order.raw_id == "gid://shopify/Order/820982911946154508"
    assert order.created_at == datetime(2026, 11, 2, 10, 15, 2, tzinfo=timezone(timedelta(hours=-5)))
    assert order.updated_at == datetime(2026, 11, 4, 13, 30, 11, tzinfo=timezone.utc)
    # Shop vs presentment currency, all Decimal.
    assert (order.currency, order.presentment_currency) == ("USD", "CAD")
    assert order.totals.total == Decimal("243.98") and order.presentment_totals.total == Decimal("331.81")
    assert order.totals.shipping == Decimal("14.00") and order.totals.discounts == Decimal("10.00")
    assert order.totals.refunded == Decimal("0")  # refunds are in CAD, shop money is USD
    assert order.presentment_totals.refunded == Decimal("13.60")
    assert order.financial_status == "partially_refunded" and order.fulfilment_status == "fulfilled"
    assert order.payment_gateways == ("shopify_payments", "gift_card")
    # Lines: the second one's product was deleted.
    ipod, wrap = order.lines
    assert ipod.product_id == "632910392" and ipod.variant_id == "808950810" and not ipod.product_deleted
    assert ipod.unit_price == Decimal("199.00") and ipod.presentment_unit_price == Decimal("270.64")
    assert wrap.product_id is None and wrap.variant_id is None and wrap.product_deleted and wrap.quantity == 2
    # Fulfilments: two, three tracking numbers between them, carriers normalised.
    first, second = order.fulfilments
    assert [t.number for t in first.trackings] == ["1Z999AA10123456784", "1Z999AA10123456795"]
    assert {t.carrier for t in first.trackings} == {"ups"} and first.trackings[1].url.endswith("1Z999AA10123456795")
    assert first.shipment_status == "in_transit" and first.lines == (b.StoreFulfilmentLine("866550311766439020", 1),)
    assert [(t.number, t.company, t.carrier) for t in second.trackings] == [("651234567893", "CJ대한통운", "kr.cjlogistics")]
    assert len(order.trackings) == 3 and not any(t.suspicious for t in order.trackings)
    # The refund: money from the successful refund transaction, never a float.
    (refund,) = order.refunds
    assert refund.amount == Decimal("13.60") and refund.currency == "CAD" and refund.note == "Gift wrap was torn"
    assert refund.lines[0].amount == Decimal("13.60") and isinstance(refund.lines[0].amount, Decimal)
    assert order.customer == b.StoreCustomer(id="115310627314723954", email="jon@example.com", phone="+16135551111",
                                             first_name="Jon", last_name="Doe")
    assert order.shipping_address.postal_code == "K2P0V6" and order.shipping_address.country_code == "CA"


def test_partial_fulfilment_and_a_fulfilment_without_tracking(adapter):
    (order,) = deliver(adapter, "webhook_orders_partial.json", "orders/updated").orders
    assert order.fulfilment_status == "partial" and order.currency == order.presentment_currency == "KRW"
    (fulfilment,) = order.fulfilments
    assert fulfilment.trackings == () and fulfilment.status == "success"
    assert order.totals.total == Decimal("62000") and order.shipping_address.region == "서울특별시"
    assert order.customer.name == "민지 김"


def test_pos_order_without_customer_or_email(adapter):
    (order,) = deliver(adapter, "webhook_orders_pos.json", "orders/create").orders
    assert order.customer is None and order.email == "" and order.shipping_address is None
    assert order.source == "pos" and order.fulfilments == ()
    mug, credit = order.lines
    assert credit.unit_price == Decimal("-5.00") and credit.product_deleted
    assert order.totals.total == Decimal("0.00")


def test_cancelled_order(adapter):
    webhook = deliver(adapter, "webhook_orders_cancelled.json", "orders/cancelled")
    (order,) = webhook.orders
    assert order.cancelled_at == datetime(2026, 11, 8, 15, 0, tzinfo=timezone.utc)
    assert order.cancel_reason == "customer" and order.financial_status == "voided"
    assert order.fulfilment_status == "unfulfilled"


def test_order_delete_carries_the_id_only(adapter):
    webhook = deliver(adapter, "webhook_orders_delete.json", "orders/delete")
    assert webhook.order_ids == ("820982911946154508",) and webhook.orders == ()


def test_fulfilment_webhook_flags_an_unusual_tracking_number(adapter):
    webhook = deliver(adapter, "webhook_fulfillments_create.json", "fulfillments/create")
    (fulfilment,) = webhook.fulfilments
    assert webhook.order_ids == ("450789469",) and webhook.needs_fetch
    (tracking,) = fulfilment.trackings
    assert tracking.number == "4567 8901/23" and tracking.suspicious  # kept as given, but flagged
    assert tracking.carrier == "kr.hanjin"


def test_refund_webhook_sums_successful_refund_transactions(adapter):
    webhook = deliver(adapter, "webhook_refunds_create.json", "refunds/create")
    (refund,) = webhook.refunds
    assert refund.amount == Decimal("270.64") and refund.currency == "CAD"  # the failed 99.00 is not money
    assert refund.lines == (b.StoreRefundLine("866550311766439020", 1, Decimal("270.64")),)
    assert webhook.order_ids == ("820982911946154508",) and webhook.needs_fetch


def test_product_with_variants(adapter):
    webhook = deliver(adapter, "webhook_products_create.json", "products/create")
    (product,) = webhook.products
    assert product.handle == "example-t-shirt" and product.image_url.endswith("tshirt.jpg")
    small, medium = product.variants
    assert small == b.StoreVariant(id="642667041472713922", title="Small", sku="TS-S", price=Decimal("19.99"), stock=75)
    assert medium.stock is None  # not inventory-managed: Shopify's 0 means nothing


def test_product_delete(adapter):
    webhook = deliver(adapter, "webhook_products_delete.json", "products/delete")
    assert webhook.product_ids == ("788032119674292922",) and webhook.products == ()


def test_compliance_data_request(adapter):
    request = deliver(adapter, "webhook_customers_data_request.json", "customers/data_request").compliance
    assert request.kind == b.TOPIC_CUSTOMER_DATA_REQUEST and request.customer_email == "john@example.com"
    assert request.order_ids == ("299938", "280263", "220458") and request.data_request_id == "9999"


def test_compliance_redactions(adapter):
    customer = deliver(adapter, "webhook_customers_redact.json", "customers/redact").compliance
    assert customer.customer_id == "191167" and customer.order_ids == ("299938", "280263", "220458")
    shop = deliver(adapter, "webhook_shop_redact.json", "shop/redact").compliance
    assert shop.kind == b.TOPIC_SHOP_REDACT and shop.shop_domain == "doorstep-test.myshopify.com"


def test_orders_edited_needs_a_fetch(adapter):
    body = b'{"order_edit": {"id": 78912328, "order_id": 450789469, "staff_note": "", "line_items": {}}}'
    hdrs = headers(body, "orders/edited")
    adapter.verify_webhook(headers=hdrs, body=body)
    webhook = adapter.parse_webhook(headers=hdrs, body=body)
    assert webhook.topic == b.TOPIC_ORDER_UPDATED and webhook.order_ids == ("450789469",) and webhook.needs_fetch


def test_same_order_from_webhook_and_backfill_share_the_id():
    """The Django half upserts by (platform, shop, id): REST and GraphQL ids must agree."""
    from tracking.stores.shopify.parse import parse_graphql_order, parse_rest_order
    from tests.support.fixtures import store_json as fixture_json

    rest = parse_rest_order(fixture_json("shopify", "webhook_orders_create.json"))
    graphql = parse_graphql_order(fixture_json("shopify", "graphql_orders_page1.json")["data"]["orders"]["nodes"][0])
    assert rest.id == graphql.id and rest.raw_id == graphql.raw_id
    assert [line.id for line in rest.lines] == [line.id for line in graphql.lines]
    assert [f.id for f in rest.fulfilments] == [f.id for f in graphql.fulfilments]
    assert rest.updated_at == graphql.updated_at

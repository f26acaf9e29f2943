"""POST /webhooks/stores/<id>/ end to end (verify, log, acknowledge, process eagerly): Shopify and
WooCommerce recorded deliveries become orders, lines, customers, parcels, products and mirrored
refunds; bad input is a 4xx and writes nothing but the log row; duplicates and out-of-order
updates leave one effect."""
import json
from decimal import Decimal

import pytest
from django.test import TestCase

from tests.factories import StoreConnectionFactory
from tests.support.fixtures import store_bytes
from tests.support.stores import SHOPIFY_SECRET, shopify_headers, woocommerce_headers
from tracking.models import (
    Customer,
    Order,
    OrderLine,
    Product,
    ProductVariant,
    Shipment,
    ShipmentLine,
    StoreConnection,
    StoreObjectLink,
    StoreWebhookDelivery,
)
from tracking import crypto

SHOP = "doorstep-test.myshopify.com"
V = StoreWebhookDelivery.Verdict
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _shopify_app(settings):
    settings.DOORSTEP_SHOPIFY_CLIENT_SECRET = SHOPIFY_SECRET
    settings.DOORSTEP_SHOPIFY_CLIENT_ID = "doorstep-app"


@pytest.fixture
def shopify(merchant):
    return StoreConnectionFactory(merchant=merchant, shop=SHOP, currency="")


def post(client, connection, body: bytes, headers: dict):
    with TestCase.captureOnCommitCallbacks(execute=True):  # processing is queued after commit
        return client.post(connection.webhook_path, data=body, content_type="application/json", **headers)


def deliver(client, connection, name, topic, **kw):
    body = store_bytes("shopify", name)
    return post(client, connection, body, shopify_headers(body, topic, shop=SHOP, **kw))


def test_order_create_builds_order_customer_lines_and_parcels(client, shopify):
    response = deliver(client, shopify, "webhook_orders_create.json", "orders/create")
    assert response.status_code == 202
    order = Order.objects.get(merchant=shopify.merchant)
    assert order.number == "#1001" and order.source == Order.Source.STORE
    # What the shopper paid: the presentment currency (CAD), not the shop's USD.
    assert order.currency == "CAD" and order.total == Decimal("331.81")
    assert order.customer.email == "jon@example.com" and order.ship_postal_code == "K2P0V6"
    assert order.payment_gateway == "shopify" and order.payment_reference == f"{shopify.public_id}:820982911946154508"
    lines = list(OrderLine.objects.filter(order=order).order_by("id"))
    assert [(line.quantity, line.unit_price) for line in lines] == [(1, Decimal("270.64")), (2, Decimal("27.87"))]
    # The gift wrap's product was deleted: its line points at the platform's "Deleted product".
    assert lines[1].variant.sku == "shopify:deleted" and not lines[1].variant.product.is_active
    parcels = {s.tracking_number: s for s in Shipment.objects.filter(order=order)}
    assert set(parcels) == {"1Z999AA10123456784", "1Z999AA10123456795", "651234567893"}
    # Several parcels in one fulfilment: its lines travel in the first, the CJ parcel carries the wrap.
    assert ShipmentLine.objects.filter(shipment=parcels["651234567893"], order_line=lines[1], quantity=2).exists()
    delivery = StoreWebhookDelivery.objects.get()
    assert delivery.verdict == V.ACCEPTED and delivery.processed_at is not None and delivery.topic == "order.created"
    shopify.refresh_from_db()
    assert shopify.currency == "USD"


def test_same_delivery_twice_is_one_effect(client, shopify):
    first = deliver(client, shopify, "webhook_orders_create.json", "orders/create", webhook_id="same-id")
    second = deliver(client, shopify, "webhook_orders_create.json", "orders/create", webhook_id="same-id")
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json()["status"] == V.DUPLICATE
    assert Order.objects.count() == 1 and Shipment.objects.count() == 3


def test_same_content_under_a_new_delivery_id_changes_nothing(client, shopify):
    deliver(client, shopify, "webhook_orders_create.json", "orders/create")
    deliver(client, shopify, "webhook_orders_create.json", "orders/updated")
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 2 and Shipment.objects.count() == 3
    last = StoreWebhookDelivery.objects.order_by("-id").first()
    assert "duplicate" in last.outcome


def test_an_older_update_arriving_late_changes_nothing(client, shopify):
    document = json.loads(store_bytes("shopify", "webhook_orders_create.json"))
    newer = dict(document, updated_at="2026-11-05T08:00:00-05:00", email="new@example.com")
    older = dict(document, updated_at="2026-11-04T08:00:00-05:00", email="old@example.com")
    for version in (newer, older):
        body = json.dumps(version).encode()
        assert post(client, shopify, body, shopify_headers(body, "orders/updated", shop=SHOP)).status_code == 202
    order = Order.objects.get()
    assert order.customer.email != "old@example.com"
    assert "older" in StoreWebhookDelivery.objects.order_by("-id").first().outcome


def test_pos_order_without_email_and_a_negative_line(client, shopify):
    assert deliver(client, shopify, "webhook_orders_pos.json", "orders/create").status_code == 202
    order = Order.objects.get()
    assert order.customer.email.endswith("@no-email.invalid")
    assert OrderLine.objects.filter(order=order).count() == 1  # the -5.00 loyalty credit is a discount
    assert order.discount_total >= Decimal("5.00") and order.total == Decimal("0.00")
    link = StoreObjectLink.objects.get(kind="order")
    assert "negative price" in link.note


def test_order_with_no_lines_is_stored_as_a_header(client, shopify):
    document = json.loads(store_bytes("shopify", "webhook_orders_create.json"))
    document.update(line_items=[], fulfillments=[], refunds=[])
    body = json.dumps(document).encode()
    assert post(client, shopify, body, shopify_headers(body, "orders/create", shop=SHOP)).status_code == 202
    order = Order.objects.get()
    assert order.lines.count() == 0 and "no lines" in StoreObjectLink.objects.get(kind="order").note


def test_fulfilment_for_a_known_order_adds_a_parcel_and_flags_a_weird_number(client, shopify):
    deliver(client, shopify, "webhook_orders_partial.json", "orders/create")
    before = Shipment.objects.count()
    document = json.loads(store_bytes("shopify", "webhook_fulfillments_create.json"))
    order_id = StoreObjectLink.objects.get(kind="order").external_id
    document["order_id"] = int(order_id)
    body = json.dumps(document).encode()
    assert post(client, shopify, body, shopify_headers(body, "fulfillments/create", shop=SHOP)).status_code == 202
    # The platform named the carrier (Hanjin): the parcel is tracked, its odd number flagged for staff.
    assert Shipment.objects.count() == before + 1
    link = StoreObjectLink.objects.get(kind="shipment")
    assert link.data["suspicious"] and "4567 8901/23" in link.note


def test_a_number_no_carrier_uses_without_a_carrier_name_stays_unresolved(client, shopify):
    document = json.loads(store_bytes("shopify", "webhook_orders_partial.json"))
    document["fulfillments"] = [{"id": 77, "status": "success", "tracking_company": "Other",
                                 "tracking_numbers": ["??-*"], "line_items": []}]
    body = json.dumps(document).encode()
    assert post(client, shopify, body, shopify_headers(body, "orders/updated", shop=SHOP)).status_code == 202
    assert Shipment.objects.count() == 0
    assert StoreObjectLink.objects.get(kind="shipment").status == "unresolved"


def test_refund_made_in_shopify_lowers_what_doorstep_may_refund(client, shopify):
    from returns.models import RefundLedger

    deliver(client, shopify, "webhook_orders_create.json", "orders/create")
    order = Order.objects.get()
    ledger = RefundLedger.objects.get(order=order)  # the order's own refund (13.60 CAD) was mirrored
    assert ledger.refunded_total == Decimal("13.60")
    assert deliver(client, shopify, "webhook_refunds_create.json", "refunds/create").status_code == 202
    ledger.refresh_from_db()
    assert ledger.refunded_total == Decimal("13.60") + Decimal("270.64")
    # Again (a retried delivery with a new id): counted once.
    deliver(client, shopify, "webhook_refunds_create.json", "refunds/create")
    ledger.refresh_from_db()
    assert ledger.refunded_total == Decimal("284.24")


def test_cancelled_order_is_marked(client, shopify):
    deliver(client, shopify, "webhook_orders_cancelled.json", "orders/cancelled")
    link = StoreObjectLink.objects.get(kind="order")
    assert link.status == "cancelled" and link.data["cancelled_at"]


def test_products_and_variants_upsert_and_delete(client, shopify):
    deliver(client, shopify, "webhook_products_create.json", "products/create")
    product = Product.objects.get(merchant=shopify.merchant)
    assert product.is_active and ProductVariant.objects.filter(product=product).exists()
    deliver(client, shopify, "webhook_products_delete.json", "products/delete")
    product.refresh_from_db()
    assert not product.is_active


def test_unknown_topic_is_200_and_logged(client, shopify):
    body = b'{"id": 1}'
    response = post(client, shopify, body, shopify_headers(body, "shop/update", shop=SHOP))
    assert response.status_code == 200
    assert StoreWebhookDelivery.objects.get().outcome.startswith("shop/update")


@pytest.mark.parametrize("mutate, status, verdict", [
    (lambda h: h.update(HTTP_X_SHOPIFY_HMAC_SHA256="AAAA"), 401, V.REJECTED_SIGNATURE),
    (lambda h: h.pop("HTTP_X_SHOPIFY_HMAC_SHA256"), 401, V.REJECTED_SIGNATURE),
    (lambda h: h.update(HTTP_X_SHOPIFY_SHOP_DOMAIN="someone-else.myshopify.com"), 401, None),
])
def test_bad_signatures_and_other_shops_are_refused_and_write_nothing(client, shopify, mutate, status, verdict):
    body = store_bytes("shopify", "webhook_orders_create.json")
    headers = shopify_headers(body, "orders/create", shop=SHOP)
    mutate(headers)
    response = post(client, shopify, body, headers)
    assert response.status_code == status
    row = StoreWebhookDelivery.objects.get()
    assert row.verdict in ({verdict} if verdict else {V.REJECTED_SHOP, V.REJECTED_SIGNATURE})
    assert Order.objects.count() == 0 and Customer.objects.count() == 0


def test_body_that_is_not_json_is_400(client, shopify):
    body = b"<html>not json</html>"
    response = post(client, shopify, body, shopify_headers(body, "orders/create", shop=SHOP))
    assert response.status_code == 400
    assert StoreWebhookDelivery.objects.get().verdict == V.REJECTED_BODY


def test_unknown_or_disconnected_connection_is_404(client, shopify):
    body = b"{}"
    response = client.post("/webhooks/stores/st_nope/", data=body, content_type="application/json",
                           **shopify_headers(body, "orders/create", shop=SHOP))
    assert response.status_code == 404
    StoreConnection.objects.filter(pk=shopify.pk).update(state="disconnected")
    assert post(client, shopify, body, shopify_headers(body, "orders/create", shop=SHOP)).status_code == 404


def test_app_uninstalled_disconnects_and_wipes_tokens(client, shopify):
    assert deliver(client, shopify, "webhook_app_uninstalled.json", "app/uninstalled").status_code == 202
    shopify.refresh_from_db()
    assert shopify.state == "disconnected" and shopify.access_token_encrypted == ""


def test_other_tenants_rows_are_never_touched(client, shopify, other_merchant):
    other = StoreConnectionFactory(merchant=other_merchant, shop="other-shop.myshopify.com")
    deliver(client, shopify, "webhook_orders_create.json", "orders/create")
    assert not Order.objects.filter(merchant=other_merchant).exists()
    assert not StoreObjectLink.objects.filter(connection=other).exists()


# --- WooCommerce ------------------------------------------------------------------------------------
@pytest.fixture
def woo(merchant):
    return StoreConnectionFactory(merchant=merchant, platform="woocommerce", shop="https://shop.example",
                                  access_token="", webhook_secret="woo-secret",
                                  consumer_key_encrypted=crypto.encrypt("ck_x"),
                                  consumer_secret_encrypted=crypto.encrypt("cs_x"))


def test_woocommerce_order_webhook(client, woo):
    body = store_bytes("woocommerce", "order_727.json")
    response = post(client, woo, body, woocommerce_headers(body, "order.updated", secret="woo-secret"))
    assert response.status_code == 202, response.content
    order = Order.objects.get(merchant=woo.merchant)
    assert order.payment_gateway == "woocommerce" and order.lines.exists()


def test_woocommerce_creation_ping_is_200_and_logged(client, woo):
    response = client.post(woo.webhook_path, data=store_bytes("woocommerce", "webhook_ping.txt"),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert StoreWebhookDelivery.objects.get().verdict == V.PING


def test_woocommerce_wrong_signature_and_wrong_store(client, woo):
    body = store_bytes("woocommerce", "order_727.json")
    assert post(client, woo, body, woocommerce_headers(body, "order.updated", secret="nope")).status_code == 401
    headers = woocommerce_headers(body, "order.updated", secret="woo-secret", source="https://evil.example/")
    assert post(client, woo, body, headers).status_code == 401
    assert Order.objects.count() == 0

"""Property: whatever headers and body arrive, verify_webhook and parse_webhook either accept or
raise WebhookRejected with a 4xx (never another exception: that would be a 500 at the endpoint),
and the pure order parsers raise nothing but ValueError on junk."""
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as hs

from tracking.stores import base as b
from tracking.stores.base import StoreCredentials, WebhookRejected
from tracking.stores.cafe24 import Cafe24Adapter
from tracking.stores.cafe24.parse import parse_order as cafe24_order
from tracking.stores.shopify import ShopifyAdapter
from tracking.stores.shopify.parse import TOPICS as SHOPIFY_TOPICS, parse_graphql_order, parse_rest_order
from tracking.stores.woocommerce import WooCommerceAdapter
from tracking.stores.woocommerce.parse import TOPICS as WC_TOPICS, parse_order as wc_order

ADAPTERS = [
    ShopifyAdapter(StoreCredentials(shop="doorstep-test.myshopify.com", client_secret="s3cret")),
    ShopifyAdapter(StoreCredentials()),
    WooCommerceAdapter(StoreCredentials(shop="https://shop.example", webhook_secret="s3cret")),
    WooCommerceAdapter(StoreCredentials()),
    Cafe24Adapter(StoreCredentials(shop="doorstep", webhook_secret="s3cret")),
    Cafe24Adapter(StoreCredentials()),
]

json_values = hs.recursive(
    hs.none() | hs.booleans() | hs.integers(min_value=-10**20, max_value=10**20)
    | hs.floats(allow_nan=False, allow_infinity=False) | hs.text(max_size=20)
    | hs.sampled_from(["2026-11-02T10:15:02-05:00", "19.99", "-0", "1e999", "NaN", "gid://shopify/Order/1", "0", "T"]),
    lambda children: hs.lists(children, max_size=4) | hs.dictionaries(hs.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
money_like = json_values | hs.sampled_from(["12.50", "0.00", "-3.33", "abc", "1,000"])
line = hs.fixed_dictionaries({}, optional={
    "id": json_values, "product_id": json_values, "variant_id": json_values, "variation_id": json_values,
    "quantity": json_values, "price": money_like, "subtotal": money_like, "sku": json_values, "title": json_values,
    "order_item_code": json_values, "product_no": json_values, "product_price": money_like, "option_price": money_like,
    "shipping_code": json_values, "tracking_no": json_values, "shipping_company_code": json_values,
    "multi_invoice": hs.lists(json_values, max_size=2), "price_set": json_values, "originalUnitPriceSet": json_values,
    "product": json_values, "variant": json_values})
order_like = hs.fixed_dictionaries({}, optional={
    "id": json_values | hs.integers(min_value=1, max_value=10**18), "order_id": json_values | hs.just("20261102-0000013"),
    "name": json_values, "currency": json_values | hs.just("KRW"), "presentment_currency": json_values,
    "total_price": money_like, "total": money_like, "total_price_set": json_values, "updated_at": json_values,
    "created_at": json_values, "cancelled_at": json_values, "date_modified_gmt": json_values, "status": json_values,
    "line_items": hs.lists(line, max_size=3) | json_values, "items": hs.lists(line, max_size=3) | json_values,
    "lineItems": json_values | hs.fixed_dictionaries({"nodes": hs.lists(line, max_size=3)}),
    "fulfillments": hs.lists(json_values | hs.fixed_dictionaries({}, optional={
        "id": json_values, "tracking_numbers": json_values, "tracking_urls": json_values, "trackingInfo": json_values,
        "line_items": json_values, "order_id": json_values}), max_size=3),
    "refunds": hs.lists(json_values | hs.fixed_dictionaries({}, optional={
        "id": json_values, "transactions": json_values, "total": money_like, "refund_line_items": json_values,
        "totalRefundedSet": json_values}), max_size=3),
    "customer": json_values, "billing": json_values, "shipping": json_values, "shipping_address": json_values,
    "meta_data": hs.lists(hs.fixed_dictionaries({"key": hs.just("_wc_shipment_tracking_items"), "value": json_values}), max_size=2),
    "actual_order_amount": json_values, "initial_order_amount": json_values, "receivers": json_values, "buyer": json_values,
    "event_no": json_values | hs.sampled_from([90023, 90071, 90003, 90077, "90024"]),
    "resource": json_values | hs.fixed_dictionaries({}, optional={"order_id": json_values, "product_no": json_values,
                                                                   "mall_id": json_values, "updated_date": json_values}),
    "order_edit": json_values, "shop_id": json_values, "shop_domain": json_values, "orders_requested": json_values,
    "variants": json_values, "images": json_values, "arg": json_values, "order_id_": json_values,
})
bodies = hs.binary(max_size=200) | hs.sampled_from([b"webhook_id=1", b"webhook_id=x", b"{}", b"[]", b"null"]) \
    | order_like.map(lambda d: json.dumps(d).encode())
topics = hs.sampled_from(sorted(set(SHOPIFY_TOPICS) | set(WC_TOPICS) | {"", "x", "order.updated"})) | hs.text(max_size=20)
headers = hs.fixed_dictionaries({}, optional={
    "X-Shopify-Topic": topics, "X-WC-Webhook-Topic": topics, "X-Shopify-Hmac-Sha256": hs.text(max_size=60),
    "X-WC-Webhook-Signature": hs.text(max_size=60), "X-API-Key": hs.text(max_size=40) | hs.just("s3cret"),
    "X-Shopify-Shop-Domain": hs.text(max_size=40), "X-Shopify-Triggered-At": hs.text(max_size=40),
    "X-Shopify-Webhook-Id": hs.text(max_size=40), "X-WC-Webhook-Delivery-ID": hs.text(max_size=40),
}) | hs.dictionaries(hs.text(max_size=20), hs.text(max_size=40) | hs.none() | hs.integers(), max_size=4)

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: f"{a.slug}-{'secret' if a.credentials.webhook_secrets or a.credentials.client_secret else 'none'}")
@SETTINGS
@given(headers=headers, body=bodies, url_token=hs.text(max_size=20))
def test_only_webhook_rejected_escapes(adapter, headers, body, url_token):
    try:
        adapter.verify_webhook(headers=headers, body=body, url_token=url_token)
    except WebhookRejected as exc:
        assert 400 <= exc.status < 500
    try:
        webhook = adapter.parse_webhook(headers=headers, body=body)
    except WebhookRejected as exc:
        assert 400 <= exc.status < 500
    else:
        assert webhook.topic in b.TOPICS and isinstance(webhook.delivery_id, str) and webhook.delivery_id
        for order in webhook.orders:
            assert order.id and all(isinstance(line.unit_price, type(order.totals.total)) for line in order.lines)


@pytest.mark.parametrize("parse", [parse_rest_order, parse_graphql_order, wc_order, cafe24_order],
                         ids=["shopify-rest", "shopify-graphql", "woocommerce", "cafe24"])
@SETTINGS
@given(document=order_like | json_values)
def test_order_parsers_fail_only_with_value_error(parse, document):
    try:
        order = parse(document)
    except ValueError:
        return
    assert order.id and order.financial_status in b.FINANCIAL_STATUSES and order.fulfilment_status in b.FULFILMENT_STATUSES

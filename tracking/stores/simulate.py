"""A simulated store: platform-shaped order documents and signed webhook deliveries (Shopify REST
webhook bodies, WooCommerce REST v3 orders), for ``manage.py simulate_store``, the browser test
and the benchmark. Parcels get mock-carrier tracking numbers, so the simulated orders track like
real ones on a development install.

A run for each order: ``orders/create`` → ``orders/updated`` (paid) → a fulfilment with one or two
parcels → later status changes; with the given rates a delivery is sent twice (same delivery id:
a platform retry) or an older ``orders/updated`` is sent after a newer one (out of order)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from datetime import datetime, timedelta, timezone
from typing import Iterator

from tracking.carriers.mock import scenarios

PLATFORMS = ("shopify", "woocommerce", "cafe24")
CUSTOMERS = (("Jiwoo", "Kim", "jiwoo.kim@example.com", "06236", "KR", "Seoul"),
             ("Ava", "Jones", "ava.jones@example.com", "94105", "US", "San Francisco"),
             ("Minjun", "Park", "", "48058", "KR", "Busan"))  # the last one has no email (POS)
PRODUCTS = (("1001", "2001", "TEE-BLK-M", "Organic tee", "Black / M", "25.00"),
            ("1002", "2002", "MUG-WHT", "Stoneware mug", "", "14.50"),
            ("1003", "2003", "CAP-NVY", "Canvas cap", "Navy", "19.00"))


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def shopify_order(n: int, *, placed_at: datetime, updated_at: datetime, parcels: list[str] = (),
                  financial_status: str = "paid", currency: str = "KRW", number_prefix: str = "#") -> dict:
    first, last, email, postcode, country, city = CUSTOMERS[n % len(CUSTOMERS)]
    product = PRODUCTS[n % len(PRODUCTS)]
    order_id = 7_000_000_000 + n
    line_id = 9_000_000_000 + n * 10
    price = product[5]
    fulfilments = []
    if parcels:
        fulfilments.append({
            "id": 5_000_000_000 + n, "order_id": order_id, "status": "success", "created_at": _iso(updated_at),
            "updated_at": _iso(updated_at), "tracking_company": "Mock Carrier", "tracking_numbers": list(parcels),
            "tracking_urls": [], "line_items": [{"id": line_id, "quantity": 1}], "shipment_status": None,
        })
    return {
        "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}", "name": f"{number_prefix}{1000 + n}",
        "order_number": 1000 + n, "email": email, "created_at": _iso(placed_at), "updated_at": _iso(updated_at),
        "currency": currency, "presentment_currency": currency, "financial_status": financial_status,
        "fulfillment_status": "fulfilled" if parcels else None, "source_name": "web" if email else "pos",
        "total_price": price, "subtotal_price": price, "total_tax": "0.00", "total_discounts": "0.00",
        "total_shipping_price_set": {"shop_money": {"amount": "0.00", "currency_code": currency}},
        "customer": {"id": 6_000_000 + n % 97, "email": email, "first_name": first, "last_name": last}
        if email else None,
        "shipping_address": {"first_name": first, "last_name": last, "address1": f"{n} Example-ro", "city": city,
                             "zip": postcode, "country_code": country},
        "line_items": [{"id": line_id, "product_id": int(product[0]), "variant_id": int(product[1]), "sku": product[2],
                        "title": product[3], "variant_title": product[4], "quantity": 1, "price": price}],
        "fulfillments": fulfilments, "refunds": [], "payment_gateway_names": ["shopify_payments"],
    }


def woocommerce_order(n: int, *, placed_at: datetime, updated_at: datetime, parcels: list[str] = (),
                      status: str = "processing", currency: str = "KRW") -> dict:
    first, last, email, postcode, country, city = CUSTOMERS[n % len(CUSTOMERS)]
    product = PRODUCTS[n % len(PRODUCTS)]
    order_id = 20_000 + n
    address = {"first_name": first, "last_name": last, "address_1": f"{n} Example-ro", "city": city,
               "postcode": postcode, "country": country}
    meta = []
    if parcels:
        meta.append({"id": 1, "key": "_wc_shipment_tracking_items", "value": [
            {"tracking_id": f"trk{n}{i}", "tracking_provider": "", "custom_tracking_provider": "Mock Carrier",
             "tracking_number": number, "date_shipped": str(int(updated_at.timestamp()))}
            for i, number in enumerate(parcels)]})
    return {
        "id": order_id, "number": str(order_id), "status": status, "currency": currency,
        "date_created_gmt": placed_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_modified_gmt": updated_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_paid_gmt": placed_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
        "total": product[5], "total_tax": "0.00", "shipping_total": "0.00", "discount_total": "0.00",
        "customer_id": 300 + n % 50, "billing": {**address, "email": email or f"guest{n}@example.com"},
        "shipping": address, "payment_method": "bacs", "payment_method_title": "Bank transfer",
        "line_items": [{"id": 40_000 + n, "name": product[3], "product_id": int(product[0]),
                        "variation_id": 0, "quantity": 1, "sku": product[2], "price": float(product[5]),
                        "subtotal": product[5], "total": product[5]}],
        "refunds": [], "meta_data": meta, "created_via": "checkout",
    }


def deliveries(*, platform: str, shop: str, secret: str, count: int, seed: int = 0, duplicate_rate: float = 0.1,
               out_of_order_rate: float = 0.1, now: datetime | None = None,
               serial_start: int = 0) -> Iterator[tuple[dict[str, str], bytes]]:
    """Yield signed (headers, body) store deliveries for ``count`` orders (each order: created, updated,
    fulfilled; several per order)."""
    rng = random.Random(seed)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    mix = scenarios.SCENARIOS
    for i in range(count):
        n = serial_start + i
        placed = now - timedelta(days=3, minutes=n % 600)
        paid = placed + timedelta(minutes=5)
        shipped = placed + timedelta(hours=20)
        scenario = mix[n % len(mix)]
        parcels = [scenarios.make_tracking_number(scenario, shipped, 700_000 + n * 2)]
        if rng.random() < 0.2:
            parcels.append(scenarios.make_tracking_number(mix[(n + 1) % len(mix)], shipped, 700_001 + n * 2))
        if platform == "woocommerce":
            versions = [("order.created", woocommerce_order(n, placed_at=placed, updated_at=placed, status="pending")),
                        ("order.updated", woocommerce_order(n, placed_at=placed, updated_at=paid)),
                        ("order.updated", woocommerce_order(n, placed_at=placed, updated_at=shipped, parcels=parcels,
                                                            status="completed"))]
        else:
            versions = [("orders/create", shopify_order(n, placed_at=placed, updated_at=placed,
                                                        financial_status="pending")),
                        ("orders/updated", shopify_order(n, placed_at=placed, updated_at=paid)),
                        ("orders/updated", shopify_order(n, placed_at=placed, updated_at=shipped, parcels=parcels))]
        sends = [(topic, doc, f"{platform}-{seed}-{n}-{k}") for k, (topic, doc) in enumerate(versions)]
        if rng.random() < out_of_order_rate:
            sends[1], sends[2] = sends[2], sends[1]  # the paid update arrives after the shipped one
        if rng.random() < duplicate_rate:
            sends.append(sends[-1])  # the platform retries the last delivery
        for topic, document, delivery_id in sends:
            body = json.dumps(document, separators=(",", ":")).encode()
            yield _headers(platform, shop=shop, secret=secret, topic=topic, delivery_id=delivery_id, body=body), body


def _headers(platform: str, *, shop: str, secret: str, topic: str, delivery_id: str, body: bytes) -> dict:
    if platform == "woocommerce":
        resource, _, event = topic.partition(".")
        return {"Content-Type": "application/json", "X-WC-Webhook-Topic": topic, "X-WC-Webhook-Resource": resource,
                "X-WC-Webhook-Event": event, "X-WC-Webhook-Signature": sign(secret, body),
                "X-WC-Webhook-Delivery-ID": delivery_id, "X-WC-Webhook-Source": shop.rstrip("/") + "/"}
    return {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": sign(secret, body),
            "X-Shopify-Shop-Domain": shop, "X-Shopify-Webhook-Id": delivery_id, "X-Shopify-API-Version": "2026-10"}

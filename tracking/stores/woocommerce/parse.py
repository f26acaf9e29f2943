"""Pure functions: WooCommerce REST v3 JSON → store dataclasses.

WooCommerce has one status per order (pending, processing, on-hold, completed, cancelled,
refunded, failed, trash…); the financial and fulfilment statuses are derived from it. WooCommerce
core has no fulfilments: parcels come from the Shipment Tracking extension's order meta
``_wc_shipment_tracking_items`` (one StoreFulfilment per tracking item, no line quantities).
Timestamps come from the ``*_gmt`` fields (naive UTC). Line ``price`` is a JSON float in
WooCommerce's answers, so the unit price is computed from the ``subtotal`` string instead.
"""
from __future__ import annotations

import re
from decimal import Decimal

from tracking.stores import base as b
from tracking.stores.carrier_names import company_id
from tracking.stores.parsing import currency, dicts, ident, items, money, money0, obj, opt_ident, quantity, text, tracking_number, when

PLATFORM = "woocommerce"
TRACKING_META_KEY = "_wc_shipment_tracking_items"
REFUND_ACTION = "action.woocommerce_order_refunded"
PING_BODY = re.compile(rb"webhook_id=(\d{1,20})")  # use fullmatch

# X-WC-Webhook-Topic -> Doorstep topic
TOPICS: dict[str, str] = {
    "order.created": b.TOPIC_ORDER_CREATED,
    "order.updated": b.TOPIC_ORDER_UPDATED,
    "order.restored": b.TOPIC_ORDER_UPDATED,
    "order.deleted": b.TOPIC_ORDER_DELETED,
    "product.created": b.TOPIC_PRODUCT_CREATED,
    "product.updated": b.TOPIC_PRODUCT_UPDATED,
    "product.restored": b.TOPIC_PRODUCT_UPDATED,
    "product.deleted": b.TOPIC_PRODUCT_DELETED,
    REFUND_ACTION: b.TOPIC_REFUND_CREATED,
}

# Doorstep topic -> WooCommerce webhook topic. WooCommerce has no separate cancellation,
# fulfilment or uninstall topics: a cancellation arrives as order.updated (status "cancelled"),
# tracking changes as order.updated (the tracking meta changed). Those are skipped, not refused.
SUBSCRIPTION_TOPICS: dict[str, str] = {
    b.TOPIC_ORDER_CREATED: "order.created",
    b.TOPIC_ORDER_UPDATED: "order.updated",
    b.TOPIC_ORDER_DELETED: "order.deleted",
    b.TOPIC_PRODUCT_CREATED: "product.created",
    b.TOPIC_PRODUCT_UPDATED: "product.updated",
    b.TOPIC_PRODUCT_DELETED: "product.deleted",
    b.TOPIC_REFUND_CREATED: REFUND_ACTION,
}
COVERED_ELSEWHERE = frozenset({b.TOPIC_ORDER_CANCELLED, b.TOPIC_FULFILMENT_CREATED, b.TOPIC_FULFILMENT_UPDATED,
                               b.TOPIC_APP_UNINSTALLED})

_FINANCIAL = {"pending": "pending", "on-hold": "pending", "processing": "paid", "completed": "paid",
              "refunded": "refunded", "cancelled": "voided", "failed": "voided", "checkout-draft": "pending"}

# Doorstep carrier company id -> the provider name Shipment Tracking knows (anything else is sent
# as a custom provider).
TRACKING_PROVIDERS = {"ups": "UPS", "usps": "USPS", "fedex": "Fedex", "dhl": "DHL", "kr.epost": "Korea Post",
                      "kr.cjlogistics": "CJ GLS"}


def _gmt(document: dict, key: str):
    return when(document.get(f"{key}_gmt")) or when(document.get(key))


def parse_address(document, email: str = "") -> b.StoreAddress | None:
    address = obj(document)
    line1 = text(address.get("address_1"), 300)
    if not (line1 or text(address.get("city"), 100) or text(address.get("postcode"), 20)):
        return None
    return b.StoreAddress(
        name=" ".join(p for p in (text(address.get("first_name"), 100), text(address.get("last_name"), 100)) if p),
        company=text(address.get("company"), 200),
        line1=line1,
        line2=text(address.get("address_2"), 300),
        city=text(address.get("city"), 100),
        region=text(address.get("state"), 100),
        postal_code=text(address.get("postcode"), 20),
        country_code=text(address.get("country"), 2).upper(),
        phone=text(address.get("phone"), 40),
    )


def parse_line(document: dict) -> b.StoreOrderLine:
    count = quantity(document.get("quantity"))
    subtotal = money(document.get("subtotal"))
    if subtotal is not None and count:
        unit = subtotal / count
        if unit.as_tuple().exponent < -4:  # 10.00 / 3: keep four places, do not invent precision
            unit = unit.quantize(Decimal("0.0001"))
    else:
        unit = money0(document.get("price"))
    return b.StoreOrderLine(
        id=ident(document.get("id")),
        product_id=opt_ident(document.get("product_id")),
        variant_id=opt_ident(document.get("variation_id")),
        sku=text(document.get("sku"), 100),
        title=text(document.get("name"), 300),
        quantity=count,
        unit_price=unit,
    )


def tracking_items(meta_data) -> list[dict]:
    """The Shipment Tracking extension's items from an order's ``meta_data`` (value may be a list
    or a single item)."""
    found = []
    for meta in dicts(meta_data):
        if meta.get("key") == TRACKING_META_KEY:
            value = meta.get("value")
            found.extend(dicts(value) if isinstance(value, list) else dicts([value]))
    return found


def parse_tracking_item(item: dict, order_id: str) -> b.StoreFulfilment | None:
    number, suspicious = tracking_number(item.get("tracking_number"))
    if not number:
        return None
    company = text(item.get("custom_tracking_provider"), 100) or text(item.get("tracking_provider"), 100)
    shipped = when(item.get("date_shipped"))
    tracking = b.StoreTracking(number=number, company=company, url=text(item.get("custom_tracking_link"), 1000)
                               or text(item.get("tracking_link"), 1000), carrier=company_id(company),
                               suspicious=suspicious)
    return b.StoreFulfilment(id=text(item.get("tracking_id"), 100) or number, status="success", created_at=shipped,
                             updated_at=shipped, trackings=(tracking,), order_id=order_id)


def financial_status(status: str, refunds: tuple[b.StoreRefund, ...], paid: bool) -> str:
    if status == "refunded":
        return "refunded"
    if refunds:
        return "partially_refunded"
    if status in _FINANCIAL:
        return _FINANCIAL[status]
    return "paid" if paid else "unknown"


def parse_order(document: dict) -> b.StoreOrder:
    if not isinstance(document, dict) or not ident(document.get("id")):
        raise ValueError("not a WooCommerce order (no id)")
    if not isinstance(document.get("line_items", []), list):
        raise ValueError("WooCommerce order line_items is not a list")
    order_id = ident(document.get("id"))
    code = currency(document.get("currency"))
    status = text(document.get("status"), 40).lower()
    billing = obj(document.get("billing"))
    email = text(billing.get("email"), 254)
    customer_id = opt_ident(document.get("customer_id"))
    customer = None
    if customer_id or email:
        customer = b.StoreCustomer(id=customer_id or "", email=email, phone=text(billing.get("phone"), 40),
                                   first_name=text(billing.get("first_name"), 100),
                                   last_name=text(billing.get("last_name"), 100))
    lines = tuple(parse_line(line) for line in dicts(document.get("line_items")) if ident(line.get("id")))
    refunds = tuple(
        b.StoreRefund(id=ident(r.get("id")), amount=abs(money0(r.get("total"))), currency=code,
                      note=text(r.get("reason"), 1000), order_id=order_id)
        for r in dicts(document.get("refunds")) if ident(r.get("id")))
    fulfilments = tuple(f for f in (parse_tracking_item(i, order_id) for i in tracking_items(document.get("meta_data"))) if f)
    updated = _gmt(document, "date_modified")
    if status == "completed":
        fulfilment = "fulfilled"
    elif fulfilments:
        fulfilment = "partial"
    else:
        fulfilment = "unfulfilled"
    method = text(document.get("payment_method_title"), 100) or text(document.get("payment_method"), 100)
    return b.StoreOrder(
        platform=PLATFORM,
        id=order_id,
        number=text(document.get("number"), 50) or order_id,
        created_at=_gmt(document, "date_created"),
        updated_at=updated,
        cancelled_at=updated if status == "cancelled" else None,  # WooCommerce keeps no cancellation time
        currency=code,
        presentment_currency=code,
        totals=b.StoreTotals(
            total=money0(document.get("total")),
            subtotal=sum((money0(line.get("subtotal")) for line in dicts(document.get("line_items"))), Decimal("0")),
            tax=money0(document.get("total_tax")),
            shipping=money0(document.get("shipping_total")),
            discounts=money0(document.get("discount_total")),
            refunded=sum((r.amount for r in refunds), Decimal("0")),
        ),
        customer=customer,
        email=email,
        phone=text(billing.get("phone"), 40),
        shipping_address=parse_address(document.get("shipping")) or parse_address(billing),
        lines=lines,
        fulfilments=fulfilments,
        refunds=refunds,
        financial_status=financial_status(status, refunds, bool(document.get("date_paid_gmt") or document.get("date_paid"))),
        fulfilment_status=fulfilment,
        platform_status=status,
        payment_gateways=(method,) if method else (),
        source=text(document.get("created_via"), 50),
    )


def _variant_title(attributes) -> str:
    return " / ".join(text(a.get("option"), 100) for a in dicts(attributes) if text(a.get("option"), 100))


def _stock(document: dict) -> int | None:
    value = document.get("stock_quantity")
    return value if isinstance(value, int) and not isinstance(value, bool) and document.get("manage_stock") is not False else None


def parse_variation(document: dict) -> b.StoreVariant:
    return b.StoreVariant(id=ident(document.get("id")), title=_variant_title(document.get("attributes")),
                          sku=text(document.get("sku"), 100), price=money(document.get("price")), stock=_stock(document))


def parse_product(document: dict, variations: list[dict] | None = None) -> b.StoreProduct:
    if not isinstance(document, dict) or not ident(document.get("id")):
        raise ValueError("not a WooCommerce product (no id)")
    product_id = ident(document.get("id"))
    image = next(iter(dicts(document.get("images"))), {})
    if variations:
        variants = tuple(parse_variation(v) for v in variations if ident(v.get("id")))
    elif text(document.get("type"), 20) == "variable":
        variants = tuple(b.StoreVariant(id=ident(v)) for v in items(document.get("variations")) if ident(v))
    else:  # a simple product is its own single variant
        variants = (b.StoreVariant(id=product_id, sku=text(document.get("sku"), 100), price=money(document.get("price")),
                                   stock=_stock(document)),)
    return b.StoreProduct(platform=PLATFORM, id=product_id, title=text(document.get("name"), 300),
                          handle=text(document.get("slug"), 300), image_url=text(image.get("src"), 1000),
                          variants=variants, status=text(document.get("status"), 20).lower(),
                          updated_at=_gmt(document, "date_modified"))


def parse_refund(document: dict, order_id: str, code: str) -> b.StoreRefund:
    if not isinstance(document, dict) or not ident(document.get("id")):
        raise ValueError("not a WooCommerce refund (no id)")
    return b.StoreRefund(
        id=ident(document.get("id")), amount=abs(money0(document.get("amount"))), currency=code,
        created_at=_gmt(document, "date_created"),
        lines=tuple(b.StoreRefundLine(line_id=ident(line.get("id")), quantity=abs(quantity(line.get("quantity"))),
                                      amount=abs(money0(line.get("total"))))
                    for line in dicts(document.get("line_items")) if ident(line.get("id"))),
        note=text(document.get("reason"), 1000), order_id=order_id)


def parse_webhook_payload(topic: str, document: dict) -> dict:
    if topic in (b.TOPIC_ORDER_CREATED, b.TOPIC_ORDER_UPDATED):
        order = parse_order(document)
        return {"order_ids": (order.id,), "orders": (order,)}
    if topic == b.TOPIC_ORDER_DELETED:
        order_id = ident(document.get("id"))
        if not order_id:
            raise ValueError("order.deleted without id")
        return {"order_ids": (order_id,)}
    if topic == b.TOPIC_REFUND_CREATED:  # {"action": "woocommerce_order_refunded", "arg": <order id>}
        order_id = ident(document.get("arg"))
        if not order_id:
            raise ValueError("refund action without the order id")
        return {"order_ids": (order_id,), "needs_fetch": True}
    if topic in (b.TOPIC_PRODUCT_CREATED, b.TOPIC_PRODUCT_UPDATED):
        product = parse_product(document)
        return {"product_ids": (product.id,), "products": (product,)}
    if topic == b.TOPIC_PRODUCT_DELETED:
        product_id = ident(document.get("id"))
        if not product_id:
            raise ValueError("product.deleted without id")
        return {"product_ids": (product_id,)}
    return {}

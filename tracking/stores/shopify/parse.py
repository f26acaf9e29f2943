"""Pure functions: Shopify JSON → store dataclasses.

Two shapes reach us. Webhooks carry REST-shaped JSON (snake_case, numeric ids, money as strings,
``*_set`` objects with shop and presentment money). The GraphQL Admin API answers camelCase nodes
with ``gid://shopify/Order/123`` ids and ``MoneyBag`` amounts. Both become the same StoreOrder, with
the numeric id as ``id`` so a webhook and a backfill of the same order upsert the same row.

Functions raise ValueError for a body that is not the expected shape; the adapter turns that into
WebhookRejected(422) or InvalidRequest.
"""
from __future__ import annotations

from decimal import Decimal

from tracking.stores import base as b
from tracking.stores.parsing import currency, dicts, ident, items, money, money0, obj, opt_ident, quantity, text, truthy, when
from tracking.stores.shopify.carriers import tracking

PLATFORM = "shopify"

# X-Shopify-Topic -> Doorstep topic
TOPICS: dict[str, str] = {
    "orders/create": b.TOPIC_ORDER_CREATED,
    "orders/updated": b.TOPIC_ORDER_UPDATED,
    "orders/paid": b.TOPIC_ORDER_UPDATED,
    "orders/fulfilled": b.TOPIC_ORDER_UPDATED,
    "orders/partially_fulfilled": b.TOPIC_ORDER_UPDATED,
    "orders/edited": b.TOPIC_ORDER_UPDATED,
    "orders/cancelled": b.TOPIC_ORDER_CANCELLED,
    "orders/delete": b.TOPIC_ORDER_DELETED,
    "fulfillments/create": b.TOPIC_FULFILMENT_CREATED,
    "fulfillments/update": b.TOPIC_FULFILMENT_UPDATED,
    "refunds/create": b.TOPIC_REFUND_CREATED,
    "products/create": b.TOPIC_PRODUCT_CREATED,
    "products/update": b.TOPIC_PRODUCT_UPDATED,
    "products/delete": b.TOPIC_PRODUCT_DELETED,
    "app/uninstalled": b.TOPIC_APP_UNINSTALLED,
    "customers/data_request": b.TOPIC_CUSTOMER_DATA_REQUEST,
    "customers/redact": b.TOPIC_CUSTOMER_REDACT,
    "shop/redact": b.TOPIC_SHOP_REDACT,
}

# Doorstep topic -> WebhookSubscriptionTopic (what register_webhooks subscribes to). The compliance
# topics are not here on purpose: Shopify takes them only from the app's configuration.
SUBSCRIPTION_TOPICS: dict[str, str] = {
    b.TOPIC_ORDER_CREATED: "ORDERS_CREATE",
    b.TOPIC_ORDER_UPDATED: "ORDERS_UPDATED",
    b.TOPIC_ORDER_CANCELLED: "ORDERS_CANCELLED",
    b.TOPIC_ORDER_DELETED: "ORDERS_DELETE",
    b.TOPIC_FULFILMENT_CREATED: "FULFILLMENTS_CREATE",
    b.TOPIC_FULFILMENT_UPDATED: "FULFILLMENTS_UPDATE",
    b.TOPIC_REFUND_CREATED: "REFUNDS_CREATE",
    b.TOPIC_PRODUCT_CREATED: "PRODUCTS_CREATE",
    b.TOPIC_PRODUCT_UPDATED: "PRODUCTS_UPDATE",
    b.TOPIC_PRODUCT_DELETED: "PRODUCTS_DELETE",
    b.TOPIC_APP_UNINSTALLED: "APP_UNINSTALLED",
}

_FINANCIAL = {
    "pending": "pending", "authorized": "authorized", "partially_paid": "partially_paid", "paid": "paid",
    "partially_refunded": "partially_refunded", "refunded": "refunded", "voided": "voided", "expired": "voided",
}
_FULFILMENT = {
    "": "unfulfilled", "null": "unfulfilled", "unfulfilled": "unfulfilled", "partial": "partial",
    "partially_fulfilled": "partial", "fulfilled": "fulfilled", "restocked": "restocked",
    "open": "unfulfilled", "in_progress": "unfulfilled", "pending_fulfillment": "unfulfilled",
    "on_hold": "unfulfilled", "scheduled": "unfulfilled", "request_declined": "unfulfilled",
}


def financial_status(value) -> str:
    return _FINANCIAL.get(text(value, 40).lower(), "unknown")


def fulfilment_status(value) -> str:
    if value is None:
        return "unfulfilled"
    return _FULFILMENT.get(text(value, 40).lower(), "unknown")


# --- REST-shaped JSON (webhooks) -------------------------------------------------------------------
def _set_amount(document: dict, key: str, which: str) -> Decimal | None:
    return money(obj(obj(document.get(key)).get(which)).get("amount"))


def parse_customer(document) -> b.StoreCustomer | None:
    customer = obj(document)
    if not customer:
        return None
    email_obj = obj(customer.get("defaultEmailAddress"))
    phone_obj = obj(customer.get("defaultPhoneNumber"))
    return b.StoreCustomer(
        id=ident(customer.get("id")),
        email=text(customer.get("email"), 254) or text(email_obj.get("emailAddress"), 254),
        phone=text(customer.get("phone"), 40) or text(phone_obj.get("phoneNumber"), 40),
        first_name=text(customer.get("first_name") or customer.get("firstName"), 100),
        last_name=text(customer.get("last_name") or customer.get("lastName"), 100),
    )


def parse_address(document) -> b.StoreAddress | None:
    address = obj(document)
    if not address:
        return None
    name = text(address.get("name"), 200) or " ".join(
        p for p in (text(address.get("first_name"), 100), text(address.get("last_name"), 100)) if p)
    return b.StoreAddress(
        name=name,
        company=text(address.get("company"), 200),
        line1=text(address.get("address1"), 300),
        line2=text(address.get("address2"), 300),
        city=text(address.get("city"), 100),
        region=text(address.get("province"), 100),
        postal_code=text(address.get("zip"), 20),
        country_code=text(address.get("country_code") or address.get("countryCodeV2"), 2).upper(),
        phone=text(address.get("phone"), 40),
    )


def parse_rest_line(document: dict) -> b.StoreOrderLine:
    return b.StoreOrderLine(
        id=ident(document.get("id")),
        product_id=opt_ident(document.get("product_id")),
        variant_id=opt_ident(document.get("variant_id")),
        sku=text(document.get("sku"), 100),
        title=text(document.get("title") or document.get("name"), 300),
        variant_title=text(document.get("variant_title"), 300),
        quantity=quantity(document.get("quantity")),
        unit_price=money0(document.get("price")),
        presentment_unit_price=_set_amount(document, "price_set", "presentment_money"),
    )


def parse_rest_fulfilment(document: dict, order_id: str = "") -> b.StoreFulfilment:
    numbers = [n for n in items(document.get("tracking_numbers")) if n] or (
        [document["tracking_number"]] if document.get("tracking_number") else [])
    urls = items(document.get("tracking_urls")) or ([document["tracking_url"]] if document.get("tracking_url") else [])
    company = document.get("tracking_company")
    trackings = []
    for index, number in enumerate(numbers[:50]):
        found = tracking(number, company, urls[index] if index < len(urls) else "")
        if found and found not in trackings:
            trackings.append(found)
    return b.StoreFulfilment(
        id=ident(document.get("id")),
        status=text(document.get("status"), 20).lower(),
        created_at=when(document.get("created_at")),
        updated_at=when(document.get("updated_at")),
        lines=tuple(b.StoreFulfilmentLine(line_id=ident(line.get("id")), quantity=quantity(line.get("quantity")))
                    for line in dicts(document.get("line_items")) if ident(line.get("id"))),
        trackings=tuple(trackings),
        shipment_status=text(document.get("shipment_status"), 40),
        order_id=ident(document.get("order_id")) or order_id,
    )


def parse_rest_refund(document: dict, fallback_currency: str = "", order_id: str = "") -> b.StoreRefund:
    transactions = [t for t in dicts(document.get("transactions"))
                    if text(t.get("kind"), 20).lower() == "refund" and text(t.get("status"), 20).lower() in ("", "success")]
    amount = sum((money0(t.get("amount")) for t in transactions), Decimal("0"))
    code = next((currency(t.get("currency")) for t in transactions if currency(t.get("currency"))), "") or fallback_currency
    lines = tuple(
        b.StoreRefundLine(line_id=ident(line.get("line_item_id")), quantity=quantity(line.get("quantity")),
                          amount=money(line.get("subtotal")))
        for line in dicts(document.get("refund_line_items")) if ident(line.get("line_item_id"))
    )
    return b.StoreRefund(id=ident(document.get("id")), amount=abs(amount), currency=code,
                         created_at=when(document.get("created_at")) or when(document.get("processed_at")),
                         lines=lines, note=text(document.get("note"), 1000),
                         order_id=ident(document.get("order_id")) or order_id)


def parse_rest_order(document: dict) -> b.StoreOrder:
    if not isinstance(document, dict) or not ident(document.get("id")):
        raise ValueError("not a Shopify order (no id)")
    if not isinstance(document.get("line_items", []), list):
        raise ValueError("Shopify order line_items is not a list")
    order_id = ident(document.get("id"))
    shop_currency = currency(document.get("currency"))
    presentment = currency(document.get("presentment_currency")) or shop_currency
    shipping = _set_amount(document, "total_shipping_price_set", "shop_money")
    refunds = tuple(parse_rest_refund(r, presentment, order_id) for r in dicts(document.get("refunds")))
    # Refund transactions are in the presentment currency; in shop money only when the two agree.
    refunded = sum((r.amount for r in refunds), Decimal("0"))
    totals = b.StoreTotals(
        total=money0(document.get("total_price")),
        subtotal=money0(document.get("subtotal_price")),
        tax=money0(document.get("total_tax")),
        shipping=shipping if shipping is not None else Decimal("0"),
        discounts=money0(document.get("total_discounts")),
        refunded=refunded if presentment == shop_currency else Decimal("0"),
    )
    presentment_totals = None
    if obj(document.get("total_price_set")).get("presentment_money") is not None:
        presentment_totals = b.StoreTotals(
            total=_set_amount(document, "total_price_set", "presentment_money") or Decimal("0"),
            subtotal=_set_amount(document, "subtotal_price_set", "presentment_money") or Decimal("0"),
            tax=_set_amount(document, "total_tax_set", "presentment_money") or Decimal("0"),
            shipping=_set_amount(document, "total_shipping_price_set", "presentment_money") or Decimal("0"),
            discounts=_set_amount(document, "total_discounts_set", "presentment_money") or Decimal("0"),
            refunded=refunded,
        )
    email = text(document.get("email"), 254) or text(document.get("contact_email"), 254)
    return b.StoreOrder(
        platform=PLATFORM,
        id=order_id,
        number=text(document.get("name"), 50) or text(document.get("order_number"), 50),
        created_at=when(document.get("created_at")),
        updated_at=when(document.get("updated_at")),
        cancelled_at=when(document.get("cancelled_at")),
        cancel_reason=text(document.get("cancel_reason"), 100),
        currency=shop_currency,
        presentment_currency=presentment,
        totals=totals,
        presentment_totals=presentment_totals,
        customer=parse_customer(document.get("customer")),
        email=email,
        phone=text(document.get("phone"), 40),
        shipping_address=parse_address(document.get("shipping_address")),
        lines=tuple(parse_rest_line(line) for line in dicts(document.get("line_items")) if ident(line.get("id"))),
        fulfilments=tuple(parse_rest_fulfilment(f, order_id) for f in dicts(document.get("fulfillments"))),
        refunds=refunds,
        financial_status=financial_status(document.get("financial_status")),
        fulfilment_status=fulfilment_status(document.get("fulfillment_status")),
        platform_status=" / ".join(p for p in (text(document.get("financial_status"), 40),
                                               text(document.get("fulfillment_status"), 40)) if p),
        payment_gateways=tuple(text(g, 100) for g in items(document.get("payment_gateway_names")) if text(g, 100)),
        source=text(document.get("source_name"), 50),
        raw_id=text(document.get("admin_graphql_api_id"), 200),
        test=truthy(document.get("test")),
    )


def parse_rest_product(document: dict) -> b.StoreProduct:
    if not isinstance(document, dict) or not ident(document.get("id")):
        raise ValueError("not a Shopify product (no id)")
    image = obj(document.get("image")) or next(iter(dicts(document.get("images"))), {})
    variants = []
    for variant in dicts(document.get("variants")):
        tracked = text(variant.get("inventory_management"), 40)
        stock = variant.get("inventory_quantity")
        variants.append(b.StoreVariant(
            id=ident(variant.get("id")), title=text(variant.get("title"), 300), sku=text(variant.get("sku"), 100),
            price=money(variant.get("price")),
            stock=quantity(stock) if (tracked or "inventory_management" not in variant) and isinstance(stock, int) else None,
        ))
    return b.StoreProduct(platform=PLATFORM, id=ident(document.get("id")), title=text(document.get("title"), 300),
                          handle=text(document.get("handle"), 300), image_url=text(image.get("src"), 1000),
                          variants=tuple(variants), status=text(document.get("status"), 20).lower(),
                          updated_at=when(document.get("updated_at")))


def parse_compliance(topic: str, document: dict) -> b.ComplianceRequest:
    customer = obj(document.get("customer"))
    orders = items(document.get("orders_requested")) or items(document.get("orders_to_redact"))
    if not (document.get("shop_id") or document.get("shop_domain")):
        raise ValueError("compliance payload without shop_id / shop_domain")
    return b.ComplianceRequest(
        kind=topic,
        shop_id=ident(document.get("shop_id")),
        shop_domain=text(document.get("shop_domain"), 255),
        customer_id=ident(customer.get("id")),
        customer_email=text(customer.get("email"), 254),
        customer_phone=text(customer.get("phone"), 40),
        order_ids=tuple(ident(o) for o in orders if ident(o)),
        data_request_id=ident(obj(document.get("data_request")).get("id")),
    )


def parse_webhook_payload(topic: str, document: dict) -> dict:
    """The StoreWebhook fields a payload gives for a Doorstep ``topic`` (headers are the adapter's)."""
    if topic in (b.TOPIC_ORDER_CREATED, b.TOPIC_ORDER_UPDATED, b.TOPIC_ORDER_CANCELLED):
        if "order_edit" in document:  # orders/edited: {"order_edit": {"order_id": …}}
            order_id = ident(obj(document.get("order_edit")).get("order_id"))
            if not order_id:
                raise ValueError("order_edit without order_id")
            return {"order_ids": (order_id,), "needs_fetch": True}
        order = parse_rest_order(document)
        return {"order_ids": (order.id,), "orders": (order,)}
    if topic == b.TOPIC_ORDER_DELETED:
        order_id = ident(document.get("id"))
        if not order_id:
            raise ValueError("orders/delete without id")
        return {"order_ids": (order_id,)}
    if topic in (b.TOPIC_FULFILMENT_CREATED, b.TOPIC_FULFILMENT_UPDATED):
        fulfilment = parse_rest_fulfilment(document)
        if not fulfilment.id or not fulfilment.order_id:
            raise ValueError("fulfillment without id / order_id")
        return {"order_ids": (fulfilment.order_id,), "fulfilments": (fulfilment,), "needs_fetch": True}
    if topic == b.TOPIC_REFUND_CREATED:
        refund = parse_rest_refund(document)
        if not refund.id or not refund.order_id:
            raise ValueError("refund without id / order_id")
        return {"order_ids": (refund.order_id,), "refunds": (refund,), "needs_fetch": True}
    if topic in (b.TOPIC_PRODUCT_CREATED, b.TOPIC_PRODUCT_UPDATED):
        product = parse_rest_product(document)
        return {"product_ids": (product.id,), "products": (product,)}
    if topic == b.TOPIC_PRODUCT_DELETED:
        product_id = ident(document.get("id"))
        if not product_id:
            raise ValueError("products/delete without id")
        return {"product_ids": (product_id,)}
    if topic in b.COMPLIANCE_TOPICS:
        return {"compliance": parse_compliance(topic, document)}
    return {}  # app/uninstalled (a Shop object) and unknown topics: the headers say it all


# --- GraphQL nodes (backfill, fetch_order, mutations) ---------------------------------------------
def _bag(node: dict, key: str, which: str = "shopMoney") -> Decimal | None:
    return money(obj(obj(node.get(key)).get(which)).get("amount"))


def parse_graphql_line(node: dict) -> b.StoreOrderLine:
    return b.StoreOrderLine(
        id=ident(node.get("id")),
        product_id=opt_ident(obj(node.get("product")).get("id")),
        variant_id=opt_ident(obj(node.get("variant")).get("id")),
        sku=text(node.get("sku"), 100),
        title=text(node.get("title") or node.get("name"), 300),
        variant_title=text(node.get("variantTitle"), 300),
        quantity=quantity(node.get("quantity")),
        unit_price=_bag(node, "originalUnitPriceSet") or Decimal("0"),
        presentment_unit_price=_bag(node, "originalUnitPriceSet", "presentmentMoney"),
    )


def parse_graphql_fulfilment(node: dict, order_id: str) -> b.StoreFulfilment:
    trackings = []
    for info in dicts(node.get("trackingInfo")):
        found = tracking(info.get("number"), info.get("company"), info.get("url"))
        if found and found not in trackings:
            trackings.append(found)
    line_nodes = dicts(obj(node.get("fulfillmentLineItems")).get("nodes"))
    return b.StoreFulfilment(
        id=ident(node.get("id")),
        status=text(node.get("status"), 20).lower(),
        created_at=when(node.get("createdAt")),
        updated_at=when(node.get("updatedAt")),
        lines=tuple(b.StoreFulfilmentLine(line_id=ident(obj(n.get("lineItem")).get("id")), quantity=quantity(n.get("quantity")))
                    for n in line_nodes if ident(obj(n.get("lineItem")).get("id"))),
        trackings=tuple(trackings),
        shipment_status=text(node.get("displayStatus"), 40).lower(),
        order_id=order_id,
    )


def parse_graphql_refund(node: dict, order_id: str, fallback_currency: str) -> b.StoreRefund:
    presentment = obj(obj(node.get("totalRefundedSet")).get("presentmentMoney"))
    line_nodes = dicts(obj(node.get("refundLineItems")).get("nodes"))
    return b.StoreRefund(
        id=ident(node.get("id")),
        amount=abs(money0(presentment.get("amount"))),
        currency=currency(presentment.get("currencyCode")) or fallback_currency,
        created_at=when(node.get("createdAt")),
        lines=tuple(b.StoreRefundLine(line_id=ident(obj(n.get("lineItem")).get("id")), quantity=quantity(n.get("quantity")))
                    for n in line_nodes if ident(obj(n.get("lineItem")).get("id"))),
        note=text(node.get("note"), 1000),
        order_id=order_id,
    )


def _graphql_totals(node: dict, which: str) -> b.StoreTotals:
    return b.StoreTotals(
        total=_bag(node, "totalPriceSet", which) or Decimal("0"),
        subtotal=_bag(node, "subtotalPriceSet", which) or Decimal("0"),
        tax=_bag(node, "totalTaxSet", which) or Decimal("0"),
        shipping=_bag(node, "totalShippingPriceSet", which) or Decimal("0"),
        discounts=_bag(node, "totalDiscountsSet", which) or Decimal("0"),
        refunded=_bag(node, "totalRefundedSet", which) or Decimal("0"),
    )


def graphql_lines_page(node: dict) -> tuple[list[b.StoreOrderLine], str | None]:
    """(lines, cursor of the next page or None) from an order's ``lineItems`` connection."""
    connection = obj(node.get("lineItems"))
    lines = [parse_graphql_line(n) for n in dicts(connection.get("nodes")) if ident(n.get("id"))]
    page = obj(connection.get("pageInfo"))
    return lines, (text(page.get("endCursor"), 500) or None) if page.get("hasNextPage") is True else None


def parse_graphql_order(node: dict, extra_lines: list[b.StoreOrderLine] | None = None) -> b.StoreOrder:
    if not isinstance(node, dict) or not ident(node.get("id")):
        raise ValueError("not a Shopify Order node (no id)")
    order_id = ident(node.get("id"))
    presentment = currency(node.get("presentmentCurrencyCode")) or currency(node.get("currencyCode"))
    customer = parse_customer(node.get("customer"))
    lines, _ = graphql_lines_page(node)
    return b.StoreOrder(
        platform=PLATFORM,
        id=order_id,
        number=text(node.get("name"), 50),
        created_at=when(node.get("createdAt")),
        updated_at=when(node.get("updatedAt")),
        cancelled_at=when(node.get("cancelledAt")),
        cancel_reason=text(node.get("cancelReason"), 100).lower(),
        currency=currency(node.get("currencyCode")),
        presentment_currency=presentment,
        totals=_graphql_totals(node, "shopMoney"),
        presentment_totals=_graphql_totals(node, "presentmentMoney"),
        customer=customer,
        email=text(node.get("email"), 254),
        phone=text(node.get("phone"), 40),
        shipping_address=parse_address(node.get("shippingAddress")),
        lines=tuple(lines + list(extra_lines or [])),
        fulfilments=tuple(parse_graphql_fulfilment(f, order_id) for f in dicts(node.get("fulfillments"))),
        refunds=tuple(parse_graphql_refund(r, order_id, presentment) for r in dicts(node.get("refunds"))),
        financial_status=financial_status(node.get("displayFinancialStatus")),
        fulfilment_status=fulfilment_status(node.get("displayFulfillmentStatus")),
        platform_status=" / ".join(p for p in (text(node.get("displayFinancialStatus"), 40),
                                               text(node.get("displayFulfillmentStatus"), 40)) if p),
        payment_gateways=tuple(text(g, 100) for g in items(node.get("paymentGatewayNames")) if text(g, 100)),
        source=text(node.get("sourceName"), 50),
        raw_id=text(node.get("id"), 200),
        test=truthy(node.get("test")),
    )


def parse_graphql_product(node: dict) -> b.StoreProduct:
    if not isinstance(node, dict) or not ident(node.get("id")):
        raise ValueError("not a Shopify Product node (no id)")
    image = obj(obj(obj(node.get("featuredMedia")).get("preview")).get("image"))
    variants = tuple(
        b.StoreVariant(id=ident(v.get("id")), title=text(v.get("title"), 300), sku=text(v.get("sku"), 100),
                       price=money(v.get("price")),
                       stock=v["inventoryQuantity"] if isinstance(v.get("inventoryQuantity"), int) else None)
        for v in dicts(obj(node.get("variants")).get("nodes")) if ident(v.get("id"))
    )
    return b.StoreProduct(platform=PLATFORM, id=ident(node.get("id")), title=text(node.get("title"), 300),
                          handle=text(node.get("handle"), 300), image_url=text(image.get("url"), 1000),
                          variants=variants, status=text(node.get("status"), 20).lower(),
                          updated_at=when(node.get("updatedAt")))


def connection_page(connection) -> tuple[list[dict], str | None]:
    """(nodes, next cursor or None) from a GraphQL connection with pageInfo."""
    connection = obj(connection)
    page = obj(connection.get("pageInfo"))
    cursor = text(page.get("endCursor"), 500) if page.get("hasNextPage") is True else ""
    return dicts(connection.get("nodes")), cursor or None


def gid(kind: str, value: str) -> str:
    """Numeric id → ``gid://shopify/{kind}/{id}`` (a gid passes through)."""
    value = str(value).strip()
    return value if value.startswith("gid://") else f"gid://shopify/{kind}/{value}"



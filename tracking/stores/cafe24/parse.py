"""Pure functions: Cafe24 Admin API JSON → store dataclasses.

An order comes with ``embed=items,receivers,buyer``. Cafe24 has no fulfilment object: items
(품주) that share a ``shipping_code`` (배송번호) form one StoreFulfilment, with the items'
``tracking_no`` and ``shipping_company_code`` / ``shipping_company_name`` (and any extra parcels in
``multi_invoice``) as its trackings. The items carry everything ``GET /orders/{id}/shipments``
would, so that endpoint is not read; shipments are only written (see the adapter). Cafe24
keeps no order modification time, so ``updated_at`` is the latest date the order and its items
carry (order, payment, cancellation, shipping, delivery, refund…): good enough to order two
snapshots of the same order, not a true change log.

Webhooks are thin: ``{"event_no": 90023, "resource": {"mall_id": …, "order_id": …}}``. The event
numbers below are those of Cafe24's published webhook event list; every order event sets
``needs_fetch`` (the body is a summary, and it is not signed).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from tracking.stores import base as b
from tracking.stores.carrier_names import cafe24_company_id
from tracking.stores.parsing import currency, dicts, ident, items, money, money0, obj, opt_ident, quantity, text, tracking_number, when

PLATFORM = "cafe24"

# event_no -> Doorstep topic
EVENTS: dict[int, str] = {
    90023: b.TOPIC_ORDER_CREATED,  # order placed
    90024: b.TOPIC_ORDER_UPDATED,  # shipping status changed
    90071: b.TOPIC_ORDER_UPDATED,  # shipping status changed in bulk (comma-separated order ids)
    90025: b.TOPIC_ORDER_UPDATED,  # payment status changed
    90026: b.TOPIC_ORDER_CANCELLED,  # cancellation status changed
    90072: b.TOPIC_ORDER_CANCELLED,  # … in bulk
    90027: b.TOPIC_ORDER_UPDATED,  # return status changed
    90074: b.TOPIC_ORDER_UPDATED,  # … in bulk
    90160: b.TOPIC_REFUND_CREATED,  # a return was completed with its refund
    90001: b.TOPIC_PRODUCT_CREATED,
    90002: b.TOPIC_PRODUCT_UPDATED,
    90041: b.TOPIC_PRODUCT_UPDATED,  # edited in bulk (comma-separated product numbers)
    90022: b.TOPIC_PRODUCT_UPDATED,  # restored
    90075: b.TOPIC_PRODUCT_UPDATED,  # variant stock changed
    90150: b.TOPIC_PRODUCT_UPDATED,  # sold-out state changed
    90003: b.TOPIC_PRODUCT_DELETED,
    90077: b.TOPIC_APP_UNINSTALLED,  # app deleted from the mall
    90078: b.TOPIC_APP_UNINSTALLED,  # app expired on the mall
}

# Cafe24 order / item status codes (order_status): N = normal flow, C = cancellation,
# R = return, E = exchange.
SHIPPED_CODES = frozenset({"N30", "N40", "N50"})  # 배송중, 배송완료, 구매확정


def _dates(*values) -> list[datetime]:
    return [moment for moment in (when(v) for v in values) if moment is not None]


def parse_customer(order: dict, buyer: dict) -> b.StoreCustomer | None:
    member_id = text(order.get("member_id"), 100)
    email = text(buyer.get("email"), 254) or text(order.get("member_email"), 254)
    name = text(buyer.get("name"), 100) or text(order.get("billing_name"), 100)
    phone = text(buyer.get("cellphone"), 40) or text(buyer.get("phone"), 40)
    if not (member_id or email or name or phone):
        return None
    return b.StoreCustomer(id=member_id, email=email, phone=phone, first_name=name)


def parse_receiver(receiver: dict, domestic: bool) -> b.StoreAddress | None:
    line1 = text(receiver.get("address1"), 300)
    if not (line1 or text(receiver.get("zipcode"), 20)):
        return None
    country = text(receiver.get("country_code"), 2).upper() or ("KR" if domestic else "")
    return b.StoreAddress(name=text(receiver.get("name"), 100), line1=line1, line2=text(receiver.get("address2"), 300),
                          city=text(receiver.get("address_city"), 100), region=text(receiver.get("address_state"), 100),
                          postal_code=text(receiver.get("zipcode"), 20), country_code=country,
                          phone=text(receiver.get("cellphone"), 40) or text(receiver.get("phone"), 40))


def parse_item(item: dict) -> b.StoreOrderLine:
    price = money(item.get("product_price"))
    option = money0(item.get("option_price"))
    return b.StoreOrderLine(
        id=text(item.get("order_item_code"), 100) or ident(item.get("item_no")),
        product_id=opt_ident(item.get("product_no")),
        variant_id=opt_ident(item.get("variant_code")),
        sku=text(item.get("custom_variant_code"), 100) or text(item.get("custom_product_code"), 100),
        title=text(item.get("product_name"), 300),
        variant_title=text(item.get("option_value"), 300),
        quantity=quantity(item.get("quantity")),
        unit_price=(price + option) if price is not None else option,
    )


def _tracking(number, code, name, carriers: dict | None, overrides: dict | None) -> b.StoreTracking | None:
    cleaned, suspicious = tracking_number(number)
    if not cleaned:
        return None
    code_text = text(code, 20)
    return b.StoreTracking(number=cleaned, company=text(name, 100) or (carriers or {}).get(code_text, code_text),
                           carrier=cafe24_company_id(code_text, text(name, 100), mall_carriers=carriers, overrides=overrides),
                           suspicious=suspicious)


def parse_fulfilments(order_id: str, item_docs: list[dict], *, carriers: dict | None = None,
                      overrides: dict | None = None) -> tuple[b.StoreFulfilment, ...]:
    groups: dict[str, list[dict]] = {}
    for item in item_docs:
        code = text(item.get("shipping_code"), 100)
        if code:
            groups.setdefault(code, []).append(item)
    fulfilments = []
    for shipping_code, group in groups.items():
        trackings: list[b.StoreTracking] = []
        for item in group:
            candidates = [(item.get("tracking_no"), item.get("shipping_company_code"), item.get("shipping_company_name"))]
            candidates += [(m.get("tracking_no"), m.get("shipping_company_code"), m.get("shipping_company_name"))
                           for m in dicts(item.get("multi_invoice"))]
            for number, code, name in candidates:
                found = _tracking(number, code, name, carriers, overrides)
                if found and found not in trackings:
                    trackings.append(found)
        statuses = {text(item.get("order_status"), 10).upper() for item in group}
        if statuses and statuses <= {"C40", "C41", "C42", "C43", "C47", "C48", "C49"}:
            status = "cancelled"
        elif trackings and statuses & SHIPPED_CODES:
            status = "success"
        else:
            status = "pending"  # 배송준비중 / 배송대기: a shipping code, no parcel on its way yet
        shipped = _dates(*(i.get("shipped_date") for i in group))
        changed = _dates(*(v for i in group for v in (i.get("shipped_date"), i.get("delivered_date"))))
        fulfilments.append(b.StoreFulfilment(
            id=shipping_code, status=status, created_at=min(shipped) if shipped else None,
            updated_at=max(changed) if changed else None,
            lines=tuple(b.StoreFulfilmentLine(line_id=text(i.get("order_item_code"), 100), quantity=quantity(i.get("quantity")))
                        for i in group if text(i.get("order_item_code"), 100)),
            trackings=tuple(trackings),
            shipment_status=",".join(sorted(statuses)),
            order_id=order_id,
        ))
    return tuple(fulfilments)


def _financial(order: dict) -> str:
    paid, canceled = text(order.get("paid"), 2).upper(), text(order.get("canceled"), 2).upper()
    if canceled == "T":
        return "refunded" if paid == "T" else "voided"
    if canceled == "M":
        return "partially_refunded"
    return {"T": "paid", "M": "partially_paid", "F": "pending"}.get(paid, "unknown")


def _fulfilment(order: dict, item_docs: list[dict]) -> str:
    shipping = text(order.get("shipping_status"), 2).upper()
    if shipping in ("T", "M"):
        unshipped = [i for i in item_docs if not i.get("shipped_date") and text(i.get("order_status"), 3).upper().startswith("N")
                     and text(i.get("order_status"), 3).upper() not in SHIPPED_CODES]
        return "partial" if unshipped else "fulfilled"
    return {"F": "unfulfilled", "W": "unfulfilled", "X": "unfulfilled"}.get(shipping, "unknown")


def _discounts(amounts: dict) -> Decimal:
    keys = ("coupon_discount_price", "membership_discount_amount", "shipping_fee_discount_amount",
            "set_product_discount_amount", "app_discount_amount", "market_other_discount_amount",
            "coupon_shipping_fee_amount")
    return sum((money0(amounts.get(k)) for k in keys), Decimal("0"))


def parse_order(document: dict, *, carriers: dict | None = None, overrides: dict | None = None) -> b.StoreOrder:
    if not isinstance(document, dict) or not text(document.get("order_id"), 100):
        raise ValueError("not a Cafe24 order (no order_id)")
    if not isinstance(document.get("items", []), list):
        raise ValueError("Cafe24 order items is not a list")
    order_id = text(document.get("order_id"), 100)
    code = currency(document.get("currency"))
    actual = obj(document.get("actual_order_amount"))
    initial = obj(document.get("initial_order_amount"))
    item_docs = dicts(document.get("items"))
    buyer = obj(document.get("buyer"))
    receivers = dicts(document.get("receivers"))
    paid_now = money(actual.get("payment_amount"))
    paid_first = money(initial.get("payment_amount"))
    total = paid_now if paid_now is not None else money0(document.get("payment_amount"))
    dates = _dates(document.get("order_date"), document.get("payment_date"), document.get("cancel_date"),
                   document.get("return_confirmed_date"),
                   *(i.get(k) for i in item_docs for k in ("shipped_date", "delivered_date", "cancel_date", "refund_date",
                                                           "return_confirmed_date", "exchange_date",
                                                           "purchaseconfirmation_date")))
    canceled = text(document.get("canceled"), 2).upper() == "T"
    methods = [text(m, 100) for m in items(document.get("payment_method_name")) if text(m, 100)]
    gateways = [text(g, 100) for g in items(document.get("payment_gateway_names")) if text(g, 100)]
    return b.StoreOrder(
        platform=PLATFORM,
        id=order_id,
        number=order_id,
        created_at=when(document.get("order_date")),
        updated_at=max(dates) if dates else None,
        cancelled_at=when(document.get("cancel_date")) if canceled else None,
        currency=code,
        presentment_currency=code,
        totals=b.StoreTotals(
            total=total,
            subtotal=money0(actual.get("order_price_amount")),
            tax=money0(actual.get("tax")),
            shipping=money0(actual.get("shipping_fee")),
            discounts=_discounts(actual),
            refunded=max(paid_first - paid_now, Decimal("0")) if paid_first is not None and paid_now is not None else Decimal("0"),
        ),
        customer=parse_customer(document, buyer),
        email=text(buyer.get("email"), 254) or text(document.get("member_email"), 254),
        phone=text(buyer.get("cellphone"), 40) or text(buyer.get("phone"), 40),
        shipping_address=parse_receiver(receivers[0], text(document.get("shipping_type"), 2).upper() != "B") if receivers else None,
        lines=tuple(parse_item(i) for i in item_docs if text(i.get("order_item_code"), 100) or ident(i.get("item_no"))),
        fulfilments=parse_fulfilments(order_id, item_docs, carriers=carriers, overrides=overrides),
        financial_status=_financial(document),
        fulfilment_status=_fulfilment(document, item_docs),
        platform_status=" / ".join(p for p in (f"paid={text(document.get('paid'), 2)}",
                                               f"canceled={text(document.get('canceled'), 2)}",
                                               f"shipping={text(document.get('shipping_status'), 2)}")),
        payment_gateways=tuple(gateways or methods),
        source=text(document.get("order_place_id"), 50),
    )


def parse_carriers(document) -> dict[str, str]:
    """The mall's carrier list (``GET /carriers``) as ``{shipping_carrier_code: shipping_carrier}``."""
    return {text(c.get("shipping_carrier_code"), 20): text(c.get("shipping_carrier"), 100)
            for c in dicts(obj(document).get("carriers")) if text(c.get("shipping_carrier_code"), 20)}


def parse_product(document: dict) -> b.StoreProduct:
    if not isinstance(document, dict) or not ident(document.get("product_no")):
        raise ValueError("not a Cafe24 product (no product_no)")
    variants = []
    for variant in dicts(document.get("variants")):
        title = " / ".join(text(o.get("value"), 100) for o in dicts(variant.get("options")) if text(o.get("value"), 100))
        stock = variant.get("quantity")
        price = money(variant.get("price"))
        if price is None:  # variants carry an additional amount over the product price
            base_price, extra = money(document.get("price")), money(variant.get("additional_amount"))
            price = base_price + extra if base_price is not None and extra is not None else base_price
        variants.append(b.StoreVariant(id=text(variant.get("variant_code"), 50), title=title,
                                       sku=text(variant.get("custom_variant_code"), 100), price=price,
                                       stock=stock if isinstance(stock, int) and not isinstance(stock, bool) else None))
    selling = text(document.get("selling"), 2).upper()
    return b.StoreProduct(platform=PLATFORM, id=ident(document.get("product_no")),
                          title=text(document.get("product_name"), 300), handle=text(document.get("product_code"), 50),
                          image_url=text(document.get("detail_image"), 1000) or text(document.get("list_image"), 1000),
                          variants=tuple(v for v in variants if v.id),
                          status={"T": "active", "F": "draft"}.get(selling, ""),
                          updated_at=when(document.get("updated_date")))


def _id_list(value) -> tuple[str, ...]:
    """One id or a comma-separated list ("20200717-0001242,20200717-0001251") → ids."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (str(value),)
    raw = text(value, 20000)
    return tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))[:1000]


def parse_webhook_payload(document: dict) -> tuple[str, str, dict]:
    """(Doorstep topic, platform topic, StoreWebhook fields) from a Cafe24 delivery."""
    event_no = document.get("event_no")
    if isinstance(event_no, str) and event_no.strip().isdigit() and len(event_no.strip()) < 9:
        event_no = int(event_no)
    if not isinstance(event_no, int) or isinstance(event_no, bool):
        raise ValueError("no event_no")
    resource = document.get("resource")
    if not isinstance(resource, dict):
        raise ValueError("no resource object")
    topic = EVENTS.get(event_no, b.TOPIC_UNKNOWN)
    fields: dict = {}
    if topic in b.ORDER_TOPICS:
        order_ids = _id_list(resource.get("order_id"))
        if not order_ids:
            raise ValueError(f"event {event_no} without order_id")
        fields = {"order_ids": order_ids, "needs_fetch": True}
    elif topic in b.PRODUCT_TOPICS:
        product_ids = _id_list(resource.get("product_no"))
        if not product_ids:
            raise ValueError(f"event {event_no} without product_no")
        fields = {"product_ids": product_ids}
    return topic, str(event_no), fields

"""Applying what a store says to Doorstep's rows: orders (customer, lines, address, currency),
fulfilments → parcels, platform-side refunds and cancellations, products and variants.

Every write goes through ``StoreObjectLink`` (platform id → Doorstep row), which makes the upserts
order-independent: a snapshot older than the one applied (``updated_at``) changes nothing, the same
content twice leaves one effect. Each function is one transaction; webhooks, the backfill
(``store_sync``) and the simulator all call these.

What the platforms send that Doorstep's tables refuse is folded, not dropped silently:
* a line with a negative price (a POS loyalty credit, a WooCommerce fee) becomes part of the
  order's discount, and the link's note says so;
* an order without lines is stored as a header (its parcels still track);
* a line whose product was deleted points at a per-platform "Deleted product" variant;
* a shopper without an email (POS) gets a placeholder address; lookup by postcode still works;
* a tracking number no carrier uses is kept on the link as "unresolved" for staff to look at.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tracking import extensions, signals
from tracking.carriers import companies
from tracking.carriers.detect import detect, detect_carriers
from tracking.carriers.registry import available_carriers
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
)
from tracking.services.fulfilments import normalize_tracking_number
from tracking.services.orders import CustomerData, customer_get_or_create
from tracking.stores.base import (
    StoreFulfilment,
    StoreOrder,
    StoreProduct,
    StoreRefund,
    StoreTracking,
)

logger = logging.getLogger(__name__)
K = StoreObjectLink.Kind
ZERO = Decimal(0)
# A refund Doorstep itself issued through the platform carries this marker in its note/reason (the
# platform gateways in returns/payments put it there), so mirroring it back would count it twice.
DOORSTEP_REFUND_MARKER = "[doorstep:"


@dataclass
class ApplyOutcome:
    order_id: int | None = None
    created: bool = False
    changed: bool = False
    skipped: str = ""  # "older" | "duplicate" | "" (applied)
    shipments_created: int = 0
    refunds_mirrored: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"order {self.order_id}: skipped ({self.skipped})"
        parts = [f"order {self.order_id}: {'created' if self.created else 'updated'}"]
        if self.shipments_created:
            parts.append(f"{self.shipments_created} parcel(s)")
        if self.refunds_mirrored:
            parts.append(f"{self.refunds_mirrored} refund(s) mirrored")
        parts += self.notes
        return "; ".join(parts)[:500]


def _hash(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _cut(value, limit: int) -> str:
    return str(value or "").replace("\x00", "")[:limit]


def _url(value: str) -> str:
    value = _cut(value, 1000)
    return value if value.startswith(("http://", "https://")) and len(value) <= 200 else ""


def _link(connection: StoreConnection, kind: str, external_id: str, **defaults) -> StoreObjectLink:
    """The link row for a platform object, created if new, locked until the transaction ends."""
    link, _ = StoreObjectLink.objects.get_or_create(
        connection=connection, kind=kind, external_id=_cut(external_id, 200),
        defaults={"merchant_id": connection.merchant_id, **defaults})
    return StoreObjectLink.objects.select_for_update().get(pk=link.pk)


def _is_older(link: StoreObjectLink, updated_at) -> bool:
    return bool(link.remote_updated_at and updated_at and updated_at < link.remote_updated_at)


# --- catalogue -----------------------------------------------------------------------------------------
def _currency(connection: StoreConnection) -> str:
    return connection.currency or connection.merchant.currency


def _product_row(connection: StoreConnection, product_id: str, *, title: str) -> Product:
    link = _link(connection, K.PRODUCT, product_id)
    product = Product.objects.filter(pk=link.object_id, merchant_id=connection.merchant_id).first() \
        if link.object_id else None
    if product is None:
        external = _cut(f"{connection.platform}:{product_id}", 64)
        product, _ = Product.objects.get_or_create(
            merchant_id=connection.merchant_id, external_id=external,
            defaults={"title": _cut(title, 200) or external, "category": connection.platform})
        StoreObjectLink.objects.filter(pk=link.pk).update(object_id=product.pk)
    return product


def _free_sku(connection: StoreConnection, wanted: str, fallback: str, *, taken_ok: int | None = None) -> str:
    """``wanted`` unless another variant of the merchant already uses it, then ``fallback``."""
    sku = _cut(wanted, 64)
    if sku:
        owner = ProductVariant.objects.filter(merchant_id=connection.merchant_id, sku=sku).values_list("pk", flat=True)
        owner = owner.first()
        if owner is None or owner == taken_ok:
            return sku
    return _cut(fallback, 64)


def _variant_row(connection: StoreConnection, *, product: Product, variant_id: str, sku: str, title: str,
                 price: Decimal | None, stock: int | None, currency: str) -> ProductVariant:
    link = _link(connection, K.VARIANT, variant_id, parent_external_id=product.external_id)
    variant = ProductVariant.objects.filter(pk=link.object_id, merchant_id=connection.merchant_id).first() \
        if link.object_id else None
    if variant is None and sku:
        # The merchant's catalogue may already have it (API, import): adopt it instead of a duplicate SKU.
        variant = ProductVariant.objects.filter(merchant_id=connection.merchant_id, sku=_cut(sku, 64)).first()
        if variant is not None and StoreObjectLink.objects.filter(kind=K.VARIANT, object_id=variant.pk).exclude(
                pk=link.pk).exists():
            variant = None  # another store's variant with the same SKU
    values = {"title": _cut(title, 200) or product.title, "currency": currency}
    if price is not None:
        values["price"] = max(price, ZERO)
    if stock is not None:
        values["stock"] = max(int(stock), 0)
    if variant is None:
        variant = ProductVariant.objects.create(
            merchant_id=connection.merchant_id, product=product,
            sku=_free_sku(connection, sku, f"{connection.platform}:{variant_id}"),
            **{"price": ZERO, "stock": 0, **values})
    else:
        changed = [k for k, v in values.items() if getattr(variant, k) != v]
        if variant.product_id != product.pk:
            variant.product = product
            changed.append("product")
        for k in changed:
            if k != "product":
                setattr(variant, k, values[k])
        if changed:
            variant.save(update_fields=[*changed, "updated_at"])
    if link.object_id != variant.pk:
        StoreObjectLink.objects.filter(pk=link.pk).update(object_id=variant.pk)
    return variant


def _deleted_product_variant(connection: StoreConnection, currency: str) -> ProductVariant:
    product = _product_row(connection, "deleted", title="Deleted product")
    if product.is_active:
        Product.objects.filter(pk=product.pk).update(is_active=False)
    return _variant_row(connection, product=product, variant_id="deleted", sku=f"{connection.platform}:deleted",
                        title="Deleted product", price=None, stock=None, currency=currency)


@transaction.atomic
def store_product_apply(*, connection: StoreConnection, product: StoreProduct) -> bool:
    """Upsert a product and its variants (title, image, prices, stock). False when it was older."""
    link = _link(connection, K.PRODUCT, product.id)
    if _is_older(link, product.updated_at):
        return False
    row = _product_row(connection, product.id, title=product.title)
    row.title = _cut(product.title, 200) or row.title
    row.image_url = _url(product.image_url) or row.image_url
    row.is_active = product.status.lower() not in ("archived", "draft", "trash", "deleted", "private")
    row.save(update_fields=["title", "image_url", "is_active", "updated_at"])
    currency = _currency(connection)
    variants = product.variants or ()
    for variant in variants:
        name = variant.title if variant.title and variant.title.lower() != "default title" else product.title
        _variant_row(connection, product=row, variant_id=variant.id, sku=variant.sku, title=name,
                     price=variant.price, stock=variant.stock, currency=currency)
    StoreObjectLink.objects.filter(pk=link.pk).update(
        remote_updated_at=product.updated_at or link.remote_updated_at, status="", content_hash=_hash(product))
    return True


@transaction.atomic
def store_product_delete(*, connection: StoreConnection, product_id: str) -> bool:
    """The product is gone from the store: retire it (sold lines keep pointing at it)."""
    link = _link(connection, K.PRODUCT, product_id)
    StoreObjectLink.objects.filter(pk=link.pk).update(status="deleted")
    if link.object_id:
        return bool(Product.objects.filter(pk=link.object_id, merchant_id=connection.merchant_id)
                    .update(is_active=False))
    return False


# --- orders -------------------------------------------------------------------------------------------
def _placeholder_email(connection: StoreConnection, order: StoreOrder) -> str:
    who = order.customer.id if order.customer and order.customer.id else f"order-{order.id}"
    return _cut(f"{connection.platform}-{who}@no-email.invalid".lower(), 254)


def _customer(connection: StoreConnection, order: StoreOrder) -> Customer:
    person = order.customer
    email = ((person.email if person else "") or order.email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        email = _placeholder_email(connection, order)
    name = person.name if person else ""
    if not name and order.shipping_address:
        name = order.shipping_address.name
    return customer_get_or_create(merchant=connection.merchant, data=CustomerData(
        email=email, name=_cut(name, 120), phone=_cut((person.phone if person else "") or order.phone, 32),
        external_id=_cut(person.id if person else "", 64)))


def _money_view(order: StoreOrder):
    """(currency, totals, use presentment prices?) in what the shopper paid."""
    if order.presentment_currency and order.presentment_totals is not None \
            and order.presentment_currency != order.currency:
        return order.presentment_currency, order.presentment_totals, True
    return order.currency, order.totals, False


def _free_number(connection: StoreConnection, order: StoreOrder, link: StoreObjectLink) -> str:
    number = _cut(order.number or order.id, 64)
    existing = Order.objects.filter(merchant_id=connection.merchant_id, number=number).values_list("pk", flat=True)
    existing = existing.first()
    if existing is None or existing == link.object_id:
        return number
    if not StoreObjectLink.objects.filter(kind=K.ORDER, object_id=existing).exists():
        return number  # the merchant's own row for this order (API, import): adopt it
    return _cut(f"{number}-{connection.platform}-{order.id}", 64)


def _header(connection: StoreConnection, order: StoreOrder, discount_extra: Decimal, notes: list[str]) -> dict:
    currency, totals, _ = _money_view(order)
    address = order.shipping_address
    values = {
        "placed_at": order.created_at or order.updated_at or timezone.now(),
        "currency": currency.upper()[:3] or _currency(connection),
        "subtotal": totals.subtotal, "shipping_total": totals.shipping, "tax_total": totals.tax,
        "discount_total": totals.discounts + discount_extra, "total": totals.total,
        "payment_gateway": connection.platform if _refunds_through_platform(connection) else "",
        "payment_reference": _cut(f"{connection.public_id}:{order.id}", 128),
        "ship_name": _cut(address.name if address else "", 120),
        "ship_line1": _cut(address.line1 if address else "", 200),
        "ship_line2": _cut(address.line2 if address else "", 200),
        "ship_city": _cut(address.city if address else "", 100),
        "ship_region": _cut(address.region if address else "", 100),
        "ship_postal_code": _cut(address.postal_code if address else "", 20),
        "ship_country": _cut(address.country_code if address else "", 2).upper(),
    }
    for name in ("subtotal", "shipping_total", "tax_total", "discount_total", "total"):
        if values[name] < 0:
            notes.append(f"{name} {values[name]} below zero, stored as 0")
            values[name] = ZERO
    return values


def _refunds_through_platform(connection: StoreConnection) -> bool:
    from django.conf import settings

    return connection.platform in getattr(settings, "DOORSTEP_PAYMENT_GATEWAYS", {})


def _apply_lines(connection: StoreConnection, order_row: Order, order: StoreOrder, notes: list[str]) -> Decimal:
    """Upsert the order's lines; returns the negative-price amount folded into the discount."""
    _, _, presentment = _money_view(order)
    currency = order_row.currency
    folded = ZERO
    existing_links = {lk.external_id: lk for lk in StoreObjectLink.objects.select_for_update().filter(
        connection=connection, kind=K.LINE, parent_external_id=order.id)}
    rows = {row.pk: row for row in OrderLine.objects.filter(order=order_row)}
    shipped = dict(ShipmentLine.objects.filter(order_line__order=order_row, shipment__is_return=False)
                   .values("order_line_id").annotate(q=Sum("quantity")).values_list("order_line_id", "q"))
    kept: set[int] = set()
    for line in order.lines:
        key = _cut(f"{order.id}:{line.id}", 200)
        price = line.presentment_unit_price if presentment and line.presentment_unit_price is not None \
            else line.unit_price
        if line.quantity <= 0:
            notes.append(f"line {line.id}: quantity {line.quantity} ignored")
            continue
        if price < 0:
            folded += -price * line.quantity
            notes.append(f"line {line.id}: negative price {price} counted as a discount")
            continue
        if line.product_id is None:
            variant = _deleted_product_variant(connection, currency)
        else:
            product = _product_row(connection, line.product_id, title=line.title)
            variant = _variant_row(connection, product=product, variant_id=line.variant_id or f"p{line.product_id}",
                                   sku=line.sku, title=line.variant_title or line.title, price=None, stock=None,
                                   currency=currency)
        values = {"variant": variant, "sku": variant.sku, "title": _cut(line.title, 200) or variant.title,
                  "quantity": line.quantity, "unit_price": price}
        link = existing_links.get(key)
        row = rows.get(link.object_id) if link and link.object_id else None
        if row is None:
            row = OrderLine.objects.create(order=order_row, **values)
            if link is None:
                StoreObjectLink.objects.create(connection=connection, merchant_id=connection.merchant_id,
                                               kind=K.LINE, external_id=key, parent_external_id=order.id,
                                               object_id=row.pk)
            else:
                StoreObjectLink.objects.filter(pk=link.pk).update(object_id=row.pk)
        else:
            values["quantity"] = max(values["quantity"], shipped.get(row.pk, 0))
            changed = [k for k, v in values.items() if getattr(row, k) != v]
            for k in changed:
                setattr(row, k, values[k])
            if changed:
                row.save(update_fields=changed)
        kept.add(row.pk)
    gone = [pk for pk in rows if pk not in kept and not shipped.get(pk)]
    if gone:
        OrderLine.objects.filter(pk__in=gone).delete()
        StoreObjectLink.objects.filter(connection=connection, kind=K.LINE, object_id__in=gone).delete()
    return folded


def store_order_apply(*, connection: StoreConnection, order: StoreOrder) -> ApplyOutcome:
    """Upsert one platform order with everything it carries (customer, lines, address, parcels,
    refunds, cancellation). An older snapshot, or the same one again, changes nothing."""
    outcome = ApplyOutcome()
    shipment_ids: list[int] = []
    with transaction.atomic():
        link = _link(connection, K.ORDER, order.id)
        outcome.order_id = link.object_id
        digest = _hash(order)
        if link.object_id and _is_older(link, order.updated_at):
            outcome.skipped = "older"
            return outcome
        if link.object_id and link.content_hash == digest:
            outcome.skipped = "duplicate"
            return outcome
        notes = outcome.notes
        order_row = Order.objects.select_for_update().filter(pk=link.object_id).first() if link.object_id else None
        if order_row is None:
            number = _free_number(connection, order, link)
            order_row = Order.objects.select_for_update().filter(merchant_id=connection.merchant_id,
                                                                 number=number).first()
        customer = _customer(connection, order)
        header = _header(connection, order, ZERO, notes)
        if order_row is None:
            order_row = Order.objects.create(merchant_id=connection.merchant_id, customer=customer,
                                             number=_free_number(connection, order, link), source=Order.Source.STORE,
                                             **header)
            outcome.created = True
        folded = _apply_lines(connection, order_row, order, notes)
        if folded:
            header = _header(connection, order, folded, notes)
        header["customer"] = customer
        for name, value in header.items():
            setattr(order_row, name, value)
        order_row.save()
        if not order.lines:
            notes.append("order has no lines")
        outcome.order_id = order_row.pk
        outcome.changed = True
        if not connection.currency and order.currency:
            StoreConnection.objects.filter(pk=connection.pk, currency="").update(currency=order.currency[:3])
            connection.currency = order.currency[:3]
        data = {"shop_currency": order.currency, "shop_total": str(order.totals.total),
                "financial_status": order.financial_status, "fulfilment_status": order.fulfilment_status,
                "platform_status": _cut(order.platform_status, 100), "source": _cut(order.source, 40)}
        status = link.status if link.status == "deleted" else ""
        if order.cancelled_at:
            status = "cancelled"
            data.update(cancelled_at=order.cancelled_at.isoformat(), cancel_reason=_cut(order.cancel_reason, 100))
        shipment_ids = _apply_fulfilments(connection, order_row, order.id, order.fulfilments, notes)
        outcome.shipments_created = len(shipment_ids)
        outcome.refunds_mirrored = _apply_refunds(connection, order_row, order.id, order.refunds, data)
        StoreObjectLink.objects.filter(pk=link.pk).update(
            object_id=order_row.pk, remote_updated_at=order.updated_at or link.remote_updated_at,
            content_hash=digest, status=status, note=_cut("; ".join(notes), 300), data=data)
        _announce(connection, shipment_ids)
    return outcome


@transaction.atomic
def store_order_deleted(*, connection: StoreConnection, order_id: str) -> bool:
    """The store deleted an order: Doorstep keeps its rows (money and delivery facts) and marks the link."""
    return bool(StoreObjectLink.objects.filter(connection=connection, kind=K.ORDER, external_id=order_id)
                .update(status="deleted"))


def _announce(connection: StoreConnection, shipment_ids: list[int]) -> None:
    for pk in shipment_ids:
        transaction.on_commit(lambda pk=pk: signals.shipment_created.send(
            sender=Shipment, shipment_id=pk, merchant_id=connection.merchant_id))


# --- parcels ------------------------------------------------------------------------------------------
def carrier_for(tracking: StoreTracking) -> str:
    """The Doorstep carrier adapter for a platform's parcel: from the carrier company the platform
    named (tracking.stores.carrier_names), else detected from the number; "" when nobody can tell."""
    known = available_carriers()
    number = normalize_tracking_number(tracking.number)
    if tracking.carrier:
        candidates = [tracking.carrier] if tracking.carrier in known else []
        company = companies.get(tracking.carrier)
        if company is not None:
            candidates += [p for p in company.provider_codes if p in known]
        for detection in detect(number):
            if detection.company == tracking.carrier:
                candidates += [a for a in detection.adapters if a in known]
        if candidates:
            return candidates[0]
    scored = [(slug, score) for slug, score in detect_carriers(number) if slug in set(known) and score > 0.05]
    return max(scored, key=lambda item: item[1])[0] if scored else ""


def _apply_fulfilments(connection: StoreConnection, order_row: Order, order_id: str,
                       fulfilments, notes: list[str]) -> list[int]:
    """Each fulfilment's tracking numbers become parcels (once). Returns the new shipment ids."""
    created: list[int] = []
    line_rows = {lk.external_id: lk.object_id for lk in StoreObjectLink.objects.filter(
        connection=connection, kind=K.LINE, parent_external_id=order_id)}
    for fulfilment in fulfilments:
        f_link = _link(connection, K.FULFILMENT, fulfilment.id, parent_external_id=order_id)
        StoreObjectLink.objects.filter(pk=f_link.pk).update(
            object_id=order_row.pk, status=_cut(fulfilment.status, 16),
            data={"shipment_status": _cut(fulfilment.shipment_status, 40), "trackings": len(fulfilment.trackings)})
        if fulfilment.status in ("cancelled", "error", "failure"):
            continue
        first = True
        for tracking in fulfilment.trackings:
            shipment_id = _parcel(connection, order_row, order_id, fulfilment, tracking,
                                  line_rows if first else {}, notes)
            if shipment_id:
                created.append(shipment_id)
                first = False
    return created


def _parcel(connection, order_row: Order, order_id: str, fulfilment: StoreFulfilment, tracking: StoreTracking,
            line_rows: dict, notes: list[str]) -> int | None:
    number = normalize_tracking_number(tracking.number)
    if not number:
        return None
    link = _link(connection, K.SHIPMENT, f"{fulfilment.id}:{number}", parent_external_id=fulfilment.id)
    if link.object_id and Shipment.objects.filter(pk=link.object_id).exists():
        return None
    carrier = carrier_for(tracking) if len(number) <= 64 else ""
    base = {"data": {"order_id": order_id, "company": _cut(tracking.company, 80), "number": _cut(tracking.number, 100),
                     "url": _cut(tracking.url, 300), "suspicious": tracking.suspicious}}
    if not carrier:
        StoreObjectLink.objects.filter(pk=link.pk).update(
            status="unresolved", note=_cut(f"no carrier can track {tracking.number!r} ({tracking.company or '?'})", 300),
            **base)
        notes.append(f"parcel {tracking.number!r}: carrier unknown")
        return None
    existing = Shipment.objects.filter(carrier=carrier, tracking_number=number).first()
    if existing is not None:
        if existing.merchant_id != connection.merchant_id or existing.order_id != order_row.pk:
            StoreObjectLink.objects.filter(pk=link.pk).update(
                status="conflict", note=_cut(f"{carrier} {number} is registered to another order", 300), **base)
            notes.append(f"parcel {number}: already registered elsewhere")
            return None
        StoreObjectLink.objects.filter(pk=link.pk).update(object_id=existing.pk, status="", **base)
        return None
    shipment = Shipment.objects.create(
        merchant_id=connection.merchant_id, order=order_row, carrier=carrier, tracking_number=number,
        destination_postal_code=order_row.ship_postal_code, destination_country=order_row.ship_country,
        shipped_at=fulfilment.created_at)
    shipped = dict(ShipmentLine.objects.filter(order_line__order=order_row, shipment__is_return=False)
                   .values("order_line_id").annotate(q=Sum("quantity")).values_list("order_line_id", "q"))
    quantities = dict(OrderLine.objects.filter(order=order_row).values_list("pk", "quantity"))
    parts = []
    for item in fulfilment.lines:
        row_id = line_rows.get(f"{order_id}:{item.line_id}")
        if not row_id or row_id not in quantities:
            continue
        quantity = min(item.quantity, quantities[row_id] - shipped.get(row_id, 0))
        if quantity > 0:
            parts.append(ShipmentLine(shipment=shipment, order_line_id=row_id, quantity=quantity))
            shipped[row_id] = shipped.get(row_id, 0) + quantity
    ShipmentLine.objects.bulk_create(parts)
    note = f"unusual tracking number {tracking.number!r}, kept as given" if tracking.suspicious else ""
    StoreObjectLink.objects.filter(pk=link.pk).update(object_id=shipment.pk, status="", note=_cut(note, 300), **base)
    return shipment.pk


@transaction.atomic
def store_fulfilments_apply(*, connection: StoreConnection, order_id: str, fulfilments) -> int | None:
    """A fulfilment webhook for an order Doorstep already has. Returns how many parcels were created,
    or None when the order is unknown (the caller fetches it instead)."""
    link = StoreObjectLink.objects.select_for_update().filter(connection=connection, kind=K.ORDER,
                                                              external_id=order_id).first()
    order_row = Order.objects.filter(pk=link.object_id).first() if link and link.object_id else None
    if order_row is None:
        return None
    ids = _apply_fulfilments(connection, order_row, order_id, fulfilments, [])
    _announce(connection, ids)
    return len(ids)


# --- refunds ------------------------------------------------------------------------------------------
def _in_order_currency(order_row: Order, refund: StoreRefund, data: dict) -> Decimal:
    if not refund.currency or refund.currency.upper() == order_row.currency:
        return refund.amount
    shop_total = Decimal(data.get("shop_total") or "0")
    if refund.currency.upper() == (data.get("shop_currency") or "").upper() and shop_total > 0:
        return (refund.amount * order_row.total / shop_total).quantize(Decimal("0.01"))
    return refund.amount


def _apply_refunds(connection: StoreConnection, order_row: Order, order_id: str, refunds, data: dict) -> int:
    """Mirror refunds made in the store (not by Doorstep): each lowers, once, what Doorstep may still
    refund on the order (extensions.PLATFORM_REFUNDS, answered by returns)."""
    mirrored = 0
    for refund in refunds:
        if not refund.id or refund.amount <= 0:
            continue
        link = _link(connection, K.REFUND, refund.id, parent_external_id=order_id)
        if link.object_id or link.status:
            continue
        ours = DOORSTEP_REFUND_MARKER in (refund.note or "")
        amount = _in_order_currency(order_row, refund, data)
        StoreObjectLink.objects.filter(pk=link.pk).update(
            object_id=order_row.pk, status="doorstep" if ours else "mirrored",
            data={"amount": str(amount), "currency": order_row.currency, "platform_amount": str(refund.amount),
                  "platform_currency": refund.currency, "note": _cut(refund.note, 200)})
        if ours:
            continue
        for _key, implementation in extensions.PLATFORM_REFUNDS.implementations():
            implementation(order=order_row, amount=amount, currency=order_row.currency,
                           reference=f"{connection.platform}:{refund.id}")
        mirrored += 1
    return mirrored


@transaction.atomic
def store_refunds_apply(*, connection: StoreConnection, order_id: str, refunds) -> int | None:
    link = StoreObjectLink.objects.select_for_update().filter(connection=connection, kind=K.ORDER,
                                                              external_id=order_id).first()
    order_row = Order.objects.filter(pk=link.object_id).first() if link and link.object_id else None
    if order_row is None:
        return None
    return _apply_refunds(connection, order_row, order_id, refunds, dict(link.data or {}))


# --- backfill in batches ------------------------------------------------------------------------------
@dataclass
class BatchOutcome:
    orders: int = 0
    created: int = 0
    skipped: int = 0
    one_by_one: int = 0
    errors: int = 0
    parcels: int = 0


def _plain(order: StoreOrder) -> bool:
    """An order the batch path can write as is: new, lines with products and sane prices, nothing to
    mirror. Everything else goes through store_order_apply one by one (same result, more queries)."""
    _, _, presentment = _money_view(order)
    if not order.lines or order.refunds or order.cancelled_at or presentment:
        return False
    return all(line.product_id is not None and line.quantity > 0 and line.unit_price >= 0 for line in order.lines)


def store_orders_apply_batch(*, connection: StoreConnection, orders) -> BatchOutcome:
    """Apply a page of orders (the backfill). New, plain orders are written with a handful of bulk
    inserts in one transaction, like import_orders; anything already known or unusual goes through
    ``store_order_apply``. The result is the same either way."""
    outcome = BatchOutcome(orders=len(orders))
    slow: list[StoreOrder] = []
    created_shipments: list[int] = []
    with transaction.atomic():
        known = set(StoreObjectLink.objects.filter(connection=connection, kind=K.ORDER,
                                                   external_id__in=[o.id for o in orders])
                    .values_list("external_id", flat=True))
        numbers = [_cut(o.number or o.id, 64) for o in orders]
        taken = set(Order.objects.filter(merchant_id=connection.merchant_id, number__in=numbers)
                    .values_list("number", flat=True))
        batch: list[StoreOrder] = []
        seen_ids: set[str] = set()
        for order, number in zip(orders, numbers):
            if order.id in known or order.id in seen_ids or number in taken or not _plain(order):
                slow.append(order)
            else:
                batch.append(order)
                taken.add(number)
            seen_ids.add(order.id)
        if batch:
            created_shipments = _write_batch(connection, batch)
            outcome.created += len(batch)
    for order in slow:
        try:
            result = store_order_apply(connection=connection, order=order)
        except Exception:  # one bad order must not stop a backfill of thousands
            logger.exception("store sync: order %s of connection %s", order.id, connection.pk)
            outcome.errors += 1
            continue
        outcome.one_by_one += 1
        outcome.created += result.created
        outcome.skipped += bool(result.skipped)
    # Like import_orders, a backfill reports the past, not news: no shipment_created per parcel (the
    # merchant's outgoing webhooks would replay history). The parcels are polled like any other.
    outcome.parcels = len(created_shipments)
    return outcome


def _write_batch(connection: StoreConnection, orders: list[StoreOrder]) -> list[int]:
    merchant_id = connection.merchant_id
    currency_default = _currency(connection)
    # Variants: one read of the links, a create only for variants never seen.
    variant_keys = {}
    for order in orders:
        for line in order.lines:
            variant_keys.setdefault(line.variant_id or f"p{line.product_id}", line)
    linked = dict(StoreObjectLink.objects.filter(connection=connection, kind=K.VARIANT,
                                                 external_id__in=list(variant_keys)).values_list("external_id",
                                                                                                 "object_id"))
    variants = ProductVariant.objects.in_bulk([pk for pk in linked.values() if pk])
    by_key = {key: variants[pk] for key, pk in linked.items() if pk in variants}
    for key, line in variant_keys.items():
        if key not in by_key:
            product = _product_row(connection, line.product_id, title=line.title)
            by_key[key] = _variant_row(connection, product=product, variant_id=key, sku=line.sku,
                                       title=line.variant_title or line.title, price=None, stock=None,
                                       currency=orders[0].currency or currency_default)
    # Customers: one read, one insert.
    emails = {}
    for order in orders:
        person = order.customer
        email = ((person.email if person else "") or order.email or "").strip().lower()
        if "@" not in email or len(email) > 254:
            email = _placeholder_email(connection, order)
        emails[order.id] = email
    customers = {c.email: c for c in Customer.objects.filter(merchant_id=merchant_id, email__in=set(emails.values()))}
    fresh = {}
    for order in orders:
        email = emails[order.id]
        if email not in customers and email not in fresh:
            person = order.customer
            name = person.name if person else (order.shipping_address.name if order.shipping_address else "")
            fresh[email] = Customer(merchant_id=merchant_id, email=email, name=_cut(name, 120),
                                    phone=_cut((person.phone if person else "") or order.phone, 32),
                                    external_id=_cut(person.id if person else "", 64))
    Customer.objects.bulk_create(fresh.values(), ignore_conflicts=True)
    if fresh:
        customers.update({c.email: c for c in Customer.objects.filter(merchant_id=merchant_id, email__in=list(fresh))})
    # Orders and lines.
    rows = []
    for order in orders:
        notes: list[str] = []
        rows.append(Order(merchant_id=merchant_id, customer=customers[emails[order.id]],
                          number=_cut(order.number or order.id, 64), source=Order.Source.STORE,
                          **_header(connection, order, ZERO, notes)))
    Order.objects.bulk_create(rows)
    lines, line_keys = [], []
    for order, row in zip(orders, rows):
        for line in order.lines:
            variant = by_key[line.variant_id or f"p{line.product_id}"]
            lines.append(OrderLine(order=row, variant=variant, sku=variant.sku, title=_cut(line.title, 200) or variant.title,
                                   quantity=line.quantity, unit_price=line.unit_price))
            line_keys.append(_cut(f"{order.id}:{line.id}", 200))
    OrderLine.objects.bulk_create(lines)
    links = [StoreObjectLink(connection=connection, merchant_id=merchant_id, kind=K.LINE, external_id=key,
                             parent_external_id=key.split(":", 1)[0], object_id=line.pk)
             for key, line in zip(line_keys, lines)]
    line_ids = dict(zip(line_keys, (line.pk for line in lines)))
    line_quantity = {line.pk: line.quantity for line in lines}
    # Parcels.
    wanted = []  # (order, row, fulfilment, tracking, number, carrier)
    for order, row in zip(orders, rows):
        for fulfilment in order.fulfilments:
            links.append(StoreObjectLink(connection=connection, merchant_id=merchant_id, kind=K.FULFILMENT,
                                         external_id=_cut(fulfilment.id, 200), parent_external_id=order.id,
                                         object_id=row.pk, status=_cut(fulfilment.status, 16),
                                         data={"shipment_status": _cut(fulfilment.shipment_status, 40),
                                               "trackings": len(fulfilment.trackings)}))
            if fulfilment.status in ("cancelled", "error", "failure"):
                continue
            for tracking in fulfilment.trackings:
                number = normalize_tracking_number(tracking.number)
                if number:
                    wanted.append((order, row, fulfilment, tracking, number,
                                   carrier_for(tracking) if len(number) <= 64 else ""))
    existing = set(Shipment.objects.filter(tracking_number__in=[w[4] for w in wanted])
                   .values_list("carrier", "tracking_number"))
    shipments, shipment_links, parts, shipped = [], [], [], {}
    first_of: set[str] = set()
    for order, row, fulfilment, tracking, number, carrier in wanted:
        data = {"order_id": order.id, "company": _cut(tracking.company, 80), "number": _cut(tracking.number, 100),
                "url": _cut(tracking.url, 300), "suspicious": tracking.suspicious}
        link = StoreObjectLink(connection=connection, merchant_id=merchant_id, kind=K.SHIPMENT,
                               external_id=_cut(f"{fulfilment.id}:{number}", 200), parent_external_id=fulfilment.id,
                               data=data)
        shipment_links.append(link)
        if not carrier:
            link.status, link.note = "unresolved", _cut(f"no carrier can track {tracking.number!r}", 300)
            continue
        if (carrier, number) in existing:
            link.status, link.note = "conflict", _cut(f"{carrier} {number} is registered to another order", 300)
            continue
        existing.add((carrier, number))
        shipment = Shipment(merchant_id=merchant_id, order=row, carrier=carrier, tracking_number=number,
                            destination_postal_code=row.ship_postal_code, destination_country=row.ship_country,
                            shipped_at=fulfilment.created_at)
        shipments.append(shipment)
        link.shipment = shipment
        if fulfilment.id not in first_of:
            first_of.add(fulfilment.id)
            for item in fulfilment.lines:
                pk = line_ids.get(f"{order.id}:{item.line_id}")
                if pk:
                    quantity = min(item.quantity, line_quantity[pk] - shipped.get(pk, 0))
                    if quantity > 0:
                        parts.append(ShipmentLine(shipment=shipment, order_line_id=pk, quantity=quantity))
                        shipped[pk] = shipped.get(pk, 0) + quantity
    Shipment.objects.bulk_create(shipments)
    for part in parts:
        part.shipment_id = part.shipment.pk
    ShipmentLine.objects.bulk_create(parts)
    for link in shipment_links:
        shipment = getattr(link, "shipment", None)
        link.object_id = shipment.pk if shipment is not None else None
    links += shipment_links
    for order, row in zip(orders, rows):
        links.append(StoreObjectLink(
            connection=connection, merchant_id=merchant_id, kind=K.ORDER, external_id=_cut(order.id, 200),
            object_id=row.pk, remote_updated_at=order.updated_at, content_hash=_hash(order),
            data={"shop_currency": order.currency, "shop_total": str(order.totals.total),
                  "financial_status": order.financial_status, "fulfilment_status": order.fulfilment_status,
                  "platform_status": _cut(order.platform_status, 100), "source": _cut(order.source, 40)}))
    StoreObjectLink.objects.bulk_create(links)
    if not connection.currency and orders[0].currency:
        StoreConnection.objects.filter(pk=connection.pk, currency="").update(currency=orders[0].currency[:3])
        connection.currency = orders[0].currency[:3]
    return [s.pk for s in shipments]

"""Order writes. ``order_upsert`` is what the API, the importer's slow path and the demo use: one order
with its customer and lines, all or nothing, upserted on (merchant, order number)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from tracking.models import Customer, Merchant, Order, OrderLine, ProductVariant, ShipmentLine
from tracking.money import CURRENCY_CODES

ZERO = Decimal("0")


@dataclass
class CustomerData:
    email: str
    name: str = ""
    phone: str = ""
    locale: str = ""
    external_id: str = ""


@dataclass
class AddressData:
    postal_code: str
    country: str
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""


@dataclass
class OrderLineData:
    sku: str
    quantity: int
    unit_price: Decimal | None = None  # default: the variant's price
    title: str = ""  # default: the product's title


@dataclass
class OrderData:
    number: str
    placed_at: datetime
    currency: str
    customer: CustomerData
    shipping_address: AddressData
    lines: list[OrderLineData] = field(default_factory=list)
    subtotal: Decimal | None = None  # default: sum of the lines
    shipping_total: Decimal = ZERO
    tax_total: Decimal = ZERO
    discount_total: Decimal = ZERO
    total: Decimal | None = None  # default: subtotal + shipping + tax - discount
    payment_gateway: str = ""
    payment_reference: str = ""


def customer_get_or_create(*, merchant: Merchant, data: CustomerData) -> Customer:
    """Find the shopper by email (case-insensitive) and fill in details the store now knows."""
    email = data.email.strip().lower()
    customer = Customer.objects.filter(merchant=merchant, email=email).first()
    if customer is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(merchant=merchant, email=email, name=data.name, phone=data.phone,
                                               locale=data.locale, external_id=data.external_id)
        except IntegrityError:  # created concurrently
            customer = Customer.objects.get(merchant=merchant, email=email)
    changed = [f for f in ("name", "phone", "locale", "external_id")
               if getattr(data, f) and getattr(data, f) != getattr(customer, f)]
    for f in changed:
        setattr(customer, f, getattr(data, f))
    if changed:
        customer.save(update_fields=changed)
    return customer


def order_validate(*, data: OrderData, variants: dict[str, ProductVariant]) -> dict[str, list[str]]:
    """Field errors keyed by input path. ``variants``: the merchant's variants for the lines' SKUs."""
    errors: dict[str, list[str]] = defaultdict(list)
    if data.currency not in CURRENCY_CODES:
        errors["currency"].append(f"{data.currency!r} is not an ISO 4217 currency code.")
    if not data.lines:
        errors["lines"].append("An order needs at least one line.")
    seen: set[str] = set()
    for i, line in enumerate(data.lines):
        variant = variants.get(line.sku)
        if line.sku in seen:
            errors[f"lines.{i}.sku"].append("Appears more than once; combine the quantities.")
        seen.add(line.sku)
        if variant is None:
            errors[f"lines.{i}.sku"].append(f"Unknown SKU {line.sku!r}: upsert the product first.")
        if line.quantity is None or line.quantity <= 0:
            errors[f"lines.{i}.quantity"].append("Must be a positive whole number.")
        if line.unit_price is not None and line.unit_price < 0:
            errors[f"lines.{i}.unit_price"].append("Must not be negative.")
        if line.unit_price is None and variant is not None and variant.currency != data.currency:
            errors[f"lines.{i}.unit_price"].append(
                f"Required: the variant is priced in {variant.currency}, the order in {data.currency}.")
    for name in ("shipping_total", "tax_total", "discount_total", "subtotal", "total"):
        value = getattr(data, name)
        if value is not None and value < 0:
            errors[name].append("Must not be negative.")
    return dict(errors)


def _line_values(data: OrderData, variants: dict[str, ProductVariant]) -> list[dict]:
    return [
        {
            "variant": variants[line.sku],
            "sku": line.sku,
            "title": line.title or variants[line.sku].product.title,
            "quantity": line.quantity,
            "unit_price": line.unit_price if line.unit_price is not None else variants[line.sku].price,
        }
        for line in data.lines
    ]


def order_header_values(data: OrderData, lines: list[dict]) -> dict:
    subtotal = data.subtotal if data.subtotal is not None else sum(
        (v["unit_price"] * v["quantity"] for v in lines), ZERO)
    total = data.total if data.total is not None else subtotal + data.shipping_total + data.tax_total - data.discount_total
    address = data.shipping_address
    return {
        "placed_at": data.placed_at, "currency": data.currency, "subtotal": subtotal,
        "shipping_total": data.shipping_total, "tax_total": data.tax_total, "discount_total": data.discount_total,
        "total": total, "payment_gateway": data.payment_gateway, "payment_reference": data.payment_reference,
        "ship_name": address.name or data.customer.name, "ship_line1": address.line1, "ship_line2": address.line2,
        "ship_city": address.city, "ship_region": address.region, "ship_postal_code": address.postal_code,
        "ship_country": address.country.upper(),
    }


@transaction.atomic
def order_upsert(*, merchant: Merchant, data: OrderData, source: str = Order.Source.API) -> tuple[Order, bool]:
    """Create the order, or update it if (merchant, number) exists. Lines are matched by SKU: new ones are
    added, changed ones updated, missing ones removed — but never below what has already shipped.
    Raises ValidationError (field paths as keys) and writes nothing if any part is wrong."""
    variants = {v.sku: v for v in ProductVariant.objects.select_related("product")
                .filter(merchant=merchant, sku__in=[line.sku for line in data.lines])}
    errors = order_validate(data=data, variants=variants)
    if errors:
        raise ValidationError(errors)
    lines = _line_values(data, variants)
    header = order_header_values(data, lines)
    if header["total"] < 0:
        raise ValidationError({"total": ["The discount is larger than the order."]})

    order = Order.objects.select_for_update().filter(merchant=merchant, number=data.number).first()
    if order is None:
        customer = customer_get_or_create(merchant=merchant, data=data.customer)
        try:
            with transaction.atomic():
                order = Order.objects.create(merchant=merchant, number=data.number, customer=customer,
                                             source=source, **header)
        except IntegrityError:
            # Created by a concurrent request between our read and our insert: update it instead.
            order = Order.objects.select_for_update().get(merchant=merchant, number=data.number)
        else:
            OrderLine.objects.bulk_create(OrderLine(order=order, **values) for values in lines)
            return order, True
    _order_update(order=order, data=data, header=header, lines=lines)
    return order, False


def _order_update(*, order: Order, data: OrderData, header: dict, lines: list[dict]) -> None:
    existing = {line.sku: line for line in order.lines.all()}
    shipped = dict(ShipmentLine.objects.filter(order_line__order=order, shipment__is_return=False)
                   .values("order_line__sku").annotate(q=Sum("quantity")).values_list("order_line__sku", "q"))
    errors: dict[str, list[str]] = {}
    wanted = {values["sku"] for values in lines}
    for index, values in enumerate(lines):
        if values["quantity"] < shipped.get(values["sku"], 0):
            errors[f"lines.{index}.quantity"] = [f"{shipped[values['sku']]} already shipped; cannot order fewer."]
    removed = [sku for sku in existing if sku not in wanted]
    for sku in removed:
        if shipped.get(sku):
            errors.setdefault("lines", []).append(f"The line for SKU {sku!r} has shipped; it cannot be removed.")
    if errors:
        raise ValidationError(errors)

    order.customer = customer_get_or_create(merchant=order.merchant, data=data.customer)
    for name, value in header.items():
        setattr(order, name, value)
    order.save()
    OrderLine.objects.filter(order=order, sku__in=removed).delete()
    for values in lines:
        row = existing.get(values["sku"])
        if row is None:
            OrderLine.objects.create(order=order, **values)
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.save()

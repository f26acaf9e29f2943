"""Registering parcels against orders: ``shipment_create`` (API, importer's slow path)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum

from tracking import signals
from tracking.carriers.detect import detect_carriers
from tracking.carriers.registry import available_carriers
from tracking.errors import Conflict
from tracking.models import Merchant, Order, Shipment, ShipmentLine


@dataclass
class ShipmentLineData:
    sku: str
    quantity: int


@dataclass
class ShipmentData:
    order_number: str
    tracking_number: str
    carrier: str = ""  # empty: detected from the tracking number
    service_level: str = ""
    lines: list[ShipmentLineData] | None = None  # None: everything not yet shipped
    promised_delivery_date: date | None = None
    origin_postal_code: str = ""
    origin_country: str = ""


def normalize_tracking_number(value: str) -> str:
    return "".join(value.split()).upper()


def carrier_resolve(*, tracking_number: str, carrier: str = "") -> str:
    """The given carrier if Doorstep knows it, else the best-scoring detected carrier Doorstep has."""
    known = set(available_carriers())
    if carrier:
        if carrier not in known:
            raise ValidationError({"carrier": [f"Unknown carrier {carrier!r}. Known: {', '.join(sorted(known))}."]})
        return carrier
    candidates = [(slug, score) for slug, score in detect_carriers(tracking_number) if slug in known]
    if not candidates:
        raise ValidationError({"carrier": ["Could not tell the carrier from the tracking number; give 'carrier'."]})
    return max(candidates, key=lambda item: item[1])[0]


def shipped_quantities(*, order: Order) -> dict[int, int]:
    """Order line id -> quantity already in outbound parcels."""
    return dict(ShipmentLine.objects.filter(shipment__order=order, shipment__is_return=False)
                .values("order_line_id").annotate(q=Sum("quantity")).values_list("order_line_id", "q"))


@transaction.atomic
def shipment_create(*, merchant: Merchant, data: ShipmentData) -> Shipment:
    """Register a parcel for one of the merchant's orders. The order row is locked so two parcels
    created at once cannot both ship the last unit. Raises ValidationError (field paths) or Conflict."""
    tracking_number = normalize_tracking_number(data.tracking_number)
    if not tracking_number:
        raise ValidationError({"tracking_number": ["Must not be blank."]})
    order = Order.objects.select_for_update().filter(merchant=merchant, number=data.order_number).first()
    if order is None:
        raise ValidationError({"order_number": [f"No order {data.order_number!r}."]})
    carrier = carrier_resolve(tracking_number=tracking_number, carrier=data.carrier)
    if Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).exists():
        raise Conflict("This tracking number is already registered.", field="tracking_number")

    lines = list(order.lines.all())
    shipped = shipped_quantities(order=order)
    remaining = {line.pk: line.quantity - shipped.get(line.pk, 0) for line in lines}
    wanted: list[tuple[int, int]] = []  # (order line id, quantity)
    if data.lines is None:
        wanted = [(pk, left) for pk, left in remaining.items() if left > 0]
        if not wanted:
            raise ValidationError({"lines": ["Everything in this order has already shipped."]})
    else:
        by_sku = {}
        for line in lines:
            by_sku.setdefault(line.sku, line)
        errors: dict[str, list[str]] = {}
        if not data.lines:
            errors["lines"] = ["A parcel carries at least one line; omit 'lines' to ship everything left."]
        seen = set()
        for i, item in enumerate(data.lines):
            line = by_sku.get(item.sku)
            if line is None:
                errors[f"lines.{i}.sku"] = [f"SKU {item.sku!r} is not in order {order.number}."]
                continue
            if item.sku in seen:
                errors[f"lines.{i}.sku"] = ["Appears more than once; combine the quantities."]
                continue
            seen.add(item.sku)
            if item.quantity <= 0:
                errors[f"lines.{i}.quantity"] = ["Must be a positive whole number."]
            elif item.quantity > remaining[line.pk]:
                errors[f"lines.{i}.quantity"] = [
                    f"Only {remaining[line.pk]} left to ship (ordered {line.quantity}, "
                    f"shipped {shipped.get(line.pk, 0)})."]
            else:
                wanted.append((line.pk, item.quantity))
        if errors:
            raise ValidationError(errors)

    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                merchant=merchant, order=order, carrier=carrier, tracking_number=tracking_number,
                service_level=data.service_level, promised_delivery_date=data.promised_delivery_date,
                origin_postal_code=data.origin_postal_code, origin_country=data.origin_country.upper(),
                destination_postal_code=order.ship_postal_code, destination_country=order.ship_country,
            )
    except IntegrityError:
        raise Conflict("This tracking number is already registered.", field="tracking_number") from None
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=pk, quantity=quantity) for pk, quantity in wanted)
    transaction.on_commit(lambda: signals.shipment_created.send(
        sender=Shipment, shipment_id=shipment.pk, merchant_id=merchant.pk))
    return shipment

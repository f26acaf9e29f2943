"""Labels, QR codes and pickups through the carrier adapter, and the return Shipment they create.

Which methods a shopper is offered comes from the adapter's capabilities, never from the carrier's
name. The return parcel becomes a tracking Shipment(is_return=True), so the same webhooks and polling
follow it, and tracking's signals move the return forward (see returns.receivers).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracking.carriers.base import Address, Capability, CarrierError, LabelRequest, PickupRequest
from tracking.carriers.registry import UnknownCarrier, get_adapter
from tracking.models import Order, Shipment, ShipmentLine

from returns import co2
from returns.errors import ReturnError
from returns.models import ReturnMethod, ReturnPolicy, ReturnRequest

PICKUP_MAX_DAYS_AHEAD = 14
NEEDS = {
    ReturnMethod.DROP_OFF: Capability.LABELS,
    ReturnMethod.LABEL: Capability.LABELS,
    ReturnMethod.PICKUP: Capability.LABELS | Capability.PICKUPS,
}


@dataclass(frozen=True)
class MethodOption:
    method: str
    label: str
    co2_grams: int
    greenest: bool = False


def method_options(policy: ReturnPolicy, order: Order) -> list[MethodOption]:
    """The methods this merchant's carrier supports, greenest first, each with its CO₂ estimate."""
    try:
        adapter = get_adapter(policy.carrier)
    except UnknownCarrier:
        return []
    options = [
        MethodOption(method, str(ReturnMethod(method).label),
                     co2.estimate_grams(method, origin_country=order.ship_country,
                                        destination_country=policy.warehouse_country))
        for method, needed in NEEDS.items()
        if adapter.supports(needed)
    ]
    options.sort(key=lambda o: o.co2_grams)
    if options:
        options[0] = MethodOption(options[0].method, options[0].label, options[0].co2_grams, greenest=True)
    return options


def pickup_dates(today: date) -> list[date]:
    """Days a pickup can be asked for: tomorrow onwards, two weeks, no Sundays (the carrier has the last word)."""
    days = [today + timedelta(days=n) for n in range(1, PICKUP_MAX_DAYS_AHEAD + 1)]
    return [d for d in days if d.weekday() != 6]


def _shopper_address(order: Order) -> Address:
    return Address(name=order.ship_name or order.customer.name or order.customer.email, line1=order.ship_line1,
                   line2=order.ship_line2, city=order.ship_city, region=order.ship_region,
                   postal_code=order.ship_postal_code, country=order.ship_country,
                   phone=order.customer.phone, email=order.customer.email)


def _warehouse_address(policy: ReturnPolicy) -> Address:
    return Address(name=policy.warehouse_name, line1=policy.warehouse_line1, city=policy.warehouse_city,
                   postal_code=policy.warehouse_postal_code, country=policy.warehouse_country)


@transaction.atomic
def return_label_create(*, rr: ReturnRequest, policy: ReturnPolicy) -> Shipment:
    """Ask the carrier for the label / QR (and pickup), store it privately, create the return Shipment.

    Raises ReturnError when the carrier refuses; the caller's transaction then writes nothing.
    """
    if rr.shipment_id:
        return rr.shipment
    try:
        adapter = get_adapter(policy.carrier)
    except UnknownCarrier as exc:
        raise ReturnError(_("Return shipping is not set up for this store."), code="carrier") from exc
    if not adapter.supports(NEEDS[rr.method]):
        raise ReturnError(_("This return method is not available."), code="method")
    order = rr.order
    try:
        label = adapter.create_label(LabelRequest(
            reference=rr.rma, from_address=_shopper_address(order), to_address=_warehouse_address(policy),
            label_free=rr.method == ReturnMethod.DROP_OFF, language=rr.locale,
        ))
        pickup = None
        if rr.method == ReturnMethod.PICKUP:
            pickup = adapter.schedule_pickup(PickupRequest(
                tracking_number=label.tracking_number, address=_shopper_address(order),
                pickup_date=rr.pickup_date, reference=rr.rma))
        adapter.register_tracking(label.tracking_number)
    except CarrierError as exc:
        raise ReturnError(_("The carrier could not book this return: %(why)s") % {"why": exc}, code="carrier") from exc
    extension = "pdf" if label.format == "pdf" else "png"
    path = default_storage.save(f"returns/labels/{secrets.token_hex(16)}.{extension}", ContentFile(label.content))
    shipment = Shipment.objects.create(
        merchant=rr.merchant, order=order, carrier=label.carrier, tracking_number=label.tracking_number,
        is_return=True, origin_postal_code=order.ship_postal_code, origin_country=order.ship_country,
        destination_postal_code=policy.warehouse_postal_code, destination_country=policy.warehouse_country,
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line_id=line.order_line_id, quantity=line.quantity)
        for line in rr.lines.all()
    )
    rr.shipment = shipment
    rr.label_file = path
    rr.label_format = label.format
    rr.label_instructions = label.instructions
    if pickup is not None:
        rr.pickup_confirmation = pickup.confirmation
        rr.pickup_window = f"{pickup.window_start}–{pickup.window_end}".strip("–")
    rr.save(update_fields=["shipment", "label_file", "label_format", "label_instructions", "pickup_confirmation",
                           "pickup_window", "updated_at"])
    return shipment


def validate_pickup_date(value: date | None) -> date:
    if value is None:
        raise ReturnError(_("Choose a pickup day."), code="pickup_date")
    if value not in pickup_dates(timezone.localdate()):
        raise ReturnError(_("Choose a pickup day from the list."), code="pickup_date")
    return value

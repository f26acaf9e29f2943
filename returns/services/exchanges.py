"""Exchanges: stock is reserved when the shopper asks (so the replacement cannot sell out meanwhile)
and given back if the return is rejected or closed; the replacement order and its outbound shipment
are created when the return is resolved."""
from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tracking.carriers.base import CarrierError, LabelRequest
from tracking.carriers.registry import get_adapter
from tracking.models import Order, OrderLine, ProductVariant, Shipment, ShipmentLine

from returns.errors import ReturnError
from returns.models import ReturnRequest
from returns.services.logistics import _shopper_address, _warehouse_address
from returns.services.transitions import log_note


def stock_reserve(*, variant: ProductVariant, quantity: int) -> None:
    """Decrement stock; the variant's CheckConstraint (stock >= 0) refuses overselling even under races."""
    try:
        with transaction.atomic():
            updated = ProductVariant.objects.filter(pk=variant.pk).update(stock=F("stock") - quantity)
    except IntegrityError as exc:
        raise ReturnError(_("%(sku)s is no longer in stock.") % {"sku": variant.title}, code="out_of_stock") from exc
    if not updated:
        raise ReturnError(_("That replacement is not available."), code="out_of_stock")


@transaction.atomic
def exchange_release_stock(*, rr: ReturnRequest, by) -> None:
    for line in rr.lines.filter(exchange_variant__isnull=False):
        ProductVariant.objects.filter(pk=line.exchange_variant_id).update(stock=F("stock") + line.quantity)
    log_note(rr, by=by, note="Reserved replacement stock released.")


@transaction.atomic
def return_exchange(*, rr: ReturnRequest, by) -> Order:
    """Create the replacement order (source=exchange) and its outbound shipment; settle the difference."""
    locked = ReturnRequest.objects.select_for_update().select_related("order", "merchant").get(pk=rr.pk)
    if locked.exchange_order_id:
        return locked.exchange_order
    original = locked.order
    policy = locked.merchant.return_policy
    lines = list(locked.lines.select_related("exchange_variant", "order_line"))
    owed = max(locked.exchange_difference, Decimal("0"))
    new_value = sum((line.exchange_unit_price * line.quantity for line in lines), Decimal("0"))
    returned_value = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    replacement = Order.objects.create(
        merchant=locked.merchant, customer=locked.customer,
        number=f"{original.number}-X{secrets.token_hex(3).upper()}", placed_at=timezone.now(),
        currency=original.currency,
        # The returned goods pay for the replacement; any remainder is what the shopper owes.
        subtotal=new_value, discount_total=min(new_value, returned_value), total=owed,
        source=Order.Source.EXCHANGE,
        ship_name=original.ship_name, ship_line1=original.ship_line1, ship_line2=original.ship_line2,
        ship_city=original.ship_city, ship_region=original.ship_region,
        ship_postal_code=original.ship_postal_code, ship_country=original.ship_country,
    )
    new_lines = [
        OrderLine.objects.create(order=replacement, variant=line.exchange_variant, sku=line.exchange_variant.sku,
                                 title=line.exchange_variant.product.title, quantity=line.quantity,
                                 unit_price=line.exchange_unit_price)
        for line in lines
    ]
    adapter = get_adapter(policy.carrier)
    try:
        label = adapter.create_label(LabelRequest(reference=f"{locked.rma}-X", from_address=_warehouse_address(policy),
                                                  to_address=_shopper_address(original)))
        adapter.register_tracking(label.tracking_number)
    except CarrierError as exc:
        raise ReturnError(_("The carrier could not book the replacement: %(why)s") % {"why": exc},
                          code="carrier") from exc
    shipment = Shipment.objects.create(
        merchant=locked.merchant, order=replacement, carrier=label.carrier, tracking_number=label.tracking_number,
        origin_postal_code=policy.warehouse_postal_code, origin_country=policy.warehouse_country,
        destination_postal_code=original.ship_postal_code, destination_country=original.ship_country,
    )
    ShipmentLine.objects.bulk_create(ShipmentLine(shipment=shipment, order_line=line, quantity=line.quantity)
                                     for line in new_lines)
    locked.exchange_order = replacement
    locked.save(update_fields=["exchange_order", "updated_at"])
    note = f"Replacement order {replacement.number} created, shipping as {label.tracking_number}."
    if owed:
        note += f" Shopper owes {owed} {locked.currency} (replacement order total)."
    log_note(locked, by=by, note=note)
    return replacement

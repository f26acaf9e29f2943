"""Builders for returns tests: a delivered, paid order and a return request through the real service."""
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from returns.services import RequestedLine, return_request
from tests.factories import OrderFactory, OrderLineFactory, ProductVariantFactory, ShipmentFactory, ShipmentLineFactory
from tracking.carriers import status as st


def make_order(merchant, *, delivered_days_ago=2, total=Decimal("50000"), lines=((Decimal("25000"), 1),
               (Decimal("12500"), 2)), gateway="mock", **kwargs):
    """An order paid through ``gateway`` with one line per (unit price, quantity), delivered
    ``delivered_days_ago`` days ago in one parcel (None: not shipped)."""
    order = OrderFactory(merchant=merchant, total=total, subtotal=total, payment_gateway=gateway,
                         payment_reference="pi_test_123" if gateway else "", **kwargs)
    made = []
    for price, qty in lines:
        variant = ProductVariantFactory(product__merchant=merchant, price=price, currency=order.currency)
        made.append(OrderLineFactory(order=order, variant=variant, quantity=qty, unit_price=price))
    if delivered_days_ago is not None:
        shipment = ShipmentFactory(order=order, status=st.DELIVERED,
                                   delivered_at=timezone.now() - timedelta(days=delivered_days_ago))
        for line in made:
            ShipmentLineFactory(shipment=shipment, order_line=line, quantity=line.quantity)
    return order


def ask(order, *, lines=None, reason="changed_mind", resolution="refund", method="drop_off", key="k1", **kwargs):
    """Ask for a return of ``lines`` (default: every line, all of it) as the shopper would."""
    if lines is None:
        lines = [RequestedLine(line.pk, line.quantity) for line in order.lines.all()]
    rr, _created = return_request(order=order, lines=lines, reason_code=reason, resolution=resolution,
                                  method=method, idempotency_key=key, **kwargs)
    return rr


def walk_portal(client, order, *, resolution="refund", method="drop_off", reason="changed_mind") -> str:
    """Through the returns portal up to the summary step (every line, all of it); the draft's key."""
    from django.urls import reverse

    items_url = client.post(reverse("returns:start"), {"number": order.number,
                                                       "answer": order.customer.email})["Location"]
    key = items_url.split("/")[3]
    assert client.post(items_url, {f"qty_{line.pk}": line.quantity for line in order.lines.all()}).status_code == 302
    assert client.post(reverse("returns:details", args=[key]), {
        "reason": reason, "comment": "", "resolution": resolution}).status_code == 302
    assert client.post(reverse("returns:method", args=[key]), {"method": method}).status_code == 302
    return key

"""Builders for claims tests: a paid order in one parcel in a given state, photos, staff users."""
import io
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.factories import (
    OrderFactory,
    OrderLineFactory,
    ProductVariantFactory,
    ShipmentFactory,
    ShipmentLineFactory,
)
from tracking.carriers import status as st
from tracking.models import StaffMembership


def parcel_order(merchant, *, status=st.DELIVERED, reason="", days_ago=2, lines=((Decimal(25000), 1),
                 (Decimal(12500), 2)), stock=5):
    """(order, shipment): an order paid by the mock gateway, all of it in one parcel that is ``status``
    (with ``reason``), delivered — or last scanned — ``days_ago`` days ago."""
    total = sum((price * qty for price, qty in lines), Decimal(0))
    order = OrderFactory(merchant=merchant, total=total, subtotal=total, payment_gateway="mock",
                         payment_reference="pi_claim_1")
    when = timezone.now() - timedelta(days=days_ago)
    shipment = ShipmentFactory(order=order, status=status, status_reason=reason, last_event_at=when,
                               shipped_at=when - timedelta(days=2),
                               delivered_at=when if status == st.DELIVERED else None)
    for price, qty in lines:
        variant = ProductVariantFactory(product__merchant=merchant, price=price, currency=order.currency, stock=stock)
        line = OrderLineFactory(order=order, variant=variant, quantity=qty, unit_price=price)
        ShipmentLineFactory(shipment=shipment, order_line=line, quantity=qty)
    return order, shipment


def jpeg(name="damage.jpg", size=(64, 48)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def not_an_image(name="damage.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type="image/jpeg")


def staff(username, merchant, *, group, role=StaffMembership.Role.AGENT, limit=None):
    user = get_user_model().objects.create_user(username, password=f"pw-{username}-1", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    StaffMembership.objects.create(user=user, merchant=merchant, role=role, money_limit=limit)
    return user

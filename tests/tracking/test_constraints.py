"""Invariants live in the database, and the admin turns violations into field errors."""
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests import factories as f
from tracking.models import Order, OrderLine, ProductVariant, Shipment, TrackingEvent


@pytest.mark.django_db
class TestDatabaseConstraints:
    def test_order_number_unique_per_merchant_only(self):
        order = f.OrderFactory(number="#1001")
        f.OrderFactory(number="#1001")  # another merchant: fine
        with pytest.raises(IntegrityError), transaction.atomic():
            f.OrderFactory(number="#1001", merchant=order.merchant)

    def test_tracking_number_unique_per_carrier(self):
        shipment = f.ShipmentFactory(tracking_number="1Z999")
        f.ShipmentFactory(tracking_number="1Z999", carrier="dhl")
        with pytest.raises(IntegrityError), transaction.atomic():
            f.ShipmentFactory(tracking_number="1Z999", carrier=shipment.carrier)

    @pytest.mark.parametrize("quantity", [0, -1])
    def test_order_line_quantity_positive(self, quantity):
        line = f.OrderLineFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            OrderLine.objects.filter(pk=line.pk).update(quantity=quantity)

    def test_prices_not_negative(self):
        variant = f.ProductVariantFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductVariant.objects.filter(pk=variant.pk).update(price=Decimal("-0.01"))
        order = f.OrderFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Order.objects.filter(pk=order.pk).update(total=Decimal("-1"))

    def test_stock_not_negative(self):
        variant = f.ProductVariantFactory(stock=0)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProductVariant.objects.filter(pk=variant.pk).update(stock=-1)

    def test_event_dedupe_key_unique_per_shipment(self):
        event = f.TrackingEventFactory(dedupe_key="id:evt_1")
        f.TrackingEventFactory(dedupe_key="id:evt_1")  # another shipment: fine
        with pytest.raises(IntegrityError), transaction.atomic():
            f.TrackingEventFactory(shipment=event.shipment, dedupe_key="id:evt_1")

    def test_status_must_be_canonical(self):
        shipment = f.ShipmentFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Shipment.objects.filter(pk=shipment.pk).update(status="teleported")
        with pytest.raises(IntegrityError), transaction.atomic():
            f.TrackingEventFactory(status="lost_in_space")

    def test_customer_email_unique_per_merchant_case_insensitive(self):
        customer = f.CustomerFactory(email="Mina@Example.com")
        assert customer.email == "mina@example.com"
        with pytest.raises(IntegrityError), transaction.atomic():
            f.CustomerFactory(merchant=customer.merchant, email="MINA@example.com")

    def test_event_log_is_append_only(self):
        event = f.TrackingEventFactory()
        event.status = "delivered"
        with pytest.raises(ValueError):
            event.save()
        assert TrackingEvent.objects.get(pk=event.pk).status == "in_transit"


@pytest.mark.django_db
class TestAdminFormsRejectBadData:
    def order_form(self, order, **overrides):
        data = {
            "merchant": order.merchant.pk, "number": "#NEW-1", "customer": order.customer.pk,
            "placed_at_0": "2026-11-01", "placed_at_1": "10:00:00", "source": "admin", "currency": "KRW",
            "subtotal": "1000", "shipping_total": "0", "tax_total": "0", "discount_total": "0", "total": "1000",
            "ship_postal_code": "04524", "ship_country": "KR",
            "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0",
            "shipments-TOTAL_FORMS": "0", "shipments-INITIAL_FORMS": "0",
        }
        data.update(overrides)
        return data

    def test_duplicate_order_number(self, admin_client):
        order = f.OrderFactory(number="#1001")
        response = admin_client.post(reverse("admin:tracking_order_add"), self.order_form(order, number="#1001"))
        assert response.status_code == 200
        assert "already exists" in str(response.context["adminform"].form.errors)

    def test_unknown_currency(self, admin_client):
        order = f.OrderFactory()
        response = admin_client.post(reverse("admin:tracking_order_add"), self.order_form(order, currency="XYZ"))
        assert "currency" in response.context["adminform"].form.errors

    def test_negative_quantity_on_a_line(self, admin_client):
        order = f.OrderFactory()
        variant = f.ProductVariantFactory(product__merchant=order.merchant)
        data = self.order_form(order, **{
            "lines-TOTAL_FORMS": "1", "lines-0-variant": variant.pk, "lines-0-sku": variant.sku,
            "lines-0-title": "x", "lines-0-quantity": "-2", "lines-0-unit_price": "1000",
        })
        response = admin_client.post(reverse("admin:tracking_order_add"), data)
        assert response.status_code == 200
        assert response.context["inline_admin_formsets"][0].formset.errors[0]["quantity"]
        assert not Order.objects.filter(number="#NEW-1").exists()

    def test_valid_order_saves(self, admin_client):
        order = f.OrderFactory()
        response = admin_client.post(reverse("admin:tracking_order_add"), self.order_form(order))
        assert response.status_code == 302
        assert Order.objects.filter(number="#NEW-1", merchant=order.merchant).exists()

    def test_bad_brand_colour(self, admin_client):
        merchant = f.MerchantFactory()
        response = admin_client.post(reverse("admin:tracking_merchant_change", args=[merchant.pk]), {
            "name": merchant.name, "slug": merchant.slug, "default_locale": "en", "timezone": "Mars/Olympus",
            "currency": "KRW", "country": "KR", "primary_color": "red", "accent_color": "#00aa00", "font": "system",
            "quiet_hours_start": "21:00", "quiet_hours_end": "08:00",
        })
        errors = response.context["adminform"].form.errors
        assert "primary_color" in errors and "timezone" in errors

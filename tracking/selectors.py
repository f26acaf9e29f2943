"""Reads shared by pages and the API. Every function takes the merchant: tenant scoping is not optional."""
from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet

from tracking.models import Merchant, Order, Product, ProductVariant, Shipment, ShipmentLine, TrackingEvent


def order_list(*, merchant: Merchant, placed_since: datetime | None = None,
               updated_since: datetime | None = None, customer_email: str = "") -> QuerySet[Order]:
    qs = (Order.objects.filter(merchant=merchant).select_related("customer")
          .prefetch_related("lines", Prefetch("shipments", queryset=Shipment.objects.only(
              "id", "order_id", "carrier", "tracking_number", "status"))))
    if placed_since:
        qs = qs.filter(placed_at__gte=placed_since)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    if customer_email:
        qs = qs.filter(customer__email=customer_email.strip().lower())
    return qs


def order_get(*, merchant: Merchant, number: str) -> Order | None:
    return order_list(merchant=merchant).filter(number=number).first()


def shipment_list(*, merchant: Merchant, statuses: list[str] | None = None, carrier: str = "",
                  created_since: datetime | None = None, updated_since: datetime | None = None,
                  order_number: str = "", tracking_number: str = "") -> QuerySet[Shipment]:
    qs = (Shipment.objects.filter(merchant=merchant).select_related("order")
          .prefetch_related(Prefetch("lines", queryset=ShipmentLine.objects.select_related("order_line"))))
    if statuses:
        qs = qs.filter(status__in=statuses)
    if carrier:
        qs = qs.filter(carrier=carrier)
    if created_since:
        qs = qs.filter(created_at__gte=created_since)
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    if order_number:
        qs = qs.filter(order__number=order_number)
    if tracking_number:
        qs = qs.filter(tracking_number=tracking_number)
    return qs


def shipment_get(*, merchant: Merchant, shipment_id: int) -> Shipment | None:
    return (shipment_list(merchant=merchant)
            .prefetch_related(Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id")))
            .filter(pk=shipment_id).first())


def product_list(*, merchant: Merchant, updated_since: datetime | None = None,
                 category: str = "") -> QuerySet[Product]:
    qs = Product.objects.filter(merchant=merchant).prefetch_related(
        Prefetch("variants", queryset=ProductVariant.objects.order_by("sku")))
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    if category:
        qs = qs.filter(category=category)
    return qs


def product_get(*, merchant: Merchant, external_id: str) -> Product | None:
    return product_list(merchant=merchant).filter(external_id=external_id).first()

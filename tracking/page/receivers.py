"""Bump the order page's cache version (tracking.page.versions) whenever a row it shows is saved or
deleted. Connected in TrackingConfig.ready()."""
from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from tracking.models import (
    DeliveryRequest,
    Merchant,
    NotificationOptOut,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from tracking.recommendations.models import OfferImpression
from tracking.page.versions import page_versions_bump


def _order_changed(sender, instance, raw: bool = False, **kwargs):
    if not raw:
        page_versions_bump(orders=[(instance.pk, instance.merchant_id)])


def _merchant_changed(sender, instance, raw: bool = False, **kwargs):
    if not raw:
        page_versions_bump(merchants=[(instance.pk, instance.timezone)])


def _shipment_changed(sender, instance, raw: bool = False, **kwargs):
    if not raw:
        page_versions_bump(orders=[(instance.order_id, instance.merchant_id)])


def _shipment_child_changed(sender, instance, raw: bool = False, **kwargs):
    if raw:
        return
    shipment = Shipment.objects.filter(pk=instance.shipment_id).values_list("order_id", "merchant_id").first()
    if shipment is not None:
        page_versions_bump(orders=[shipment])


def _order_line_changed(sender, instance, raw: bool = False, **kwargs):
    if raw:
        return
    merchant_id = Order.objects.filter(pk=instance.order_id).values_list("merchant_id", flat=True).first()
    if merchant_id is not None:
        page_versions_bump(orders=[(instance.order_id, merchant_id)])


def _offer_shown(sender, instance, raw: bool = False, **kwargs):
    # The post-purchase offer is shown once per order: the page cached with it must be replaced.
    if not raw:
        page_versions_bump(orders=[(instance.order_id, instance.merchant_id)])


def _opt_out_changed(sender, instance, raw: bool = False, **kwargs):
    if not raw:
        page_versions_bump(orders=Order.objects.filter(customer_id=instance.customer_id)
                           .values_list("pk", "merchant_id"))


# New events need no receiver of their own: shipment_add_events saves the shipment (status,
# updated_at) once per batch, which bumps the version once rather than once per event.
RECEIVERS = [
    (Order, _order_changed),
    (Merchant, _merchant_changed),
    (Shipment, _shipment_changed),
    (ShipmentLine, _shipment_child_changed),
    (DeliveryRequest, _shipment_child_changed),
    (OrderLine, _order_line_changed),
    (NotificationOptOut, _opt_out_changed),
    (OfferImpression, _offer_shown),
]


def connect() -> None:
    for model, receiver in RECEIVERS:
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, weak=False,
                           dispatch_uid=f"tracking.page.version.{signal is post_save}.{model.__name__}")
    # A deleted event (staff correcting a bad scan) changes the timeline without a shipment save.
    post_delete.connect(_shipment_child_changed, sender=TrackingEvent, weak=False,
                        dispatch_uid="tracking.page.version.event_deleted")

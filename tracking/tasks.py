"""Thin Celery tasks: take ids, call a service."""
from celery import shared_task

from tracking.models import Shipment
from tracking.services.shipments import shipment_refresh_status


@shared_task(acks_late=True)  # idempotent: re-deriving status from the log twice changes nothing
def refresh_shipment_status(shipment_id: int) -> str:
    shipment = Shipment.objects.get(pk=shipment_id)
    shipment_refresh_status(shipment=shipment)
    return shipment.status

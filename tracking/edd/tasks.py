"""Thin Celery tasks for delivery-date prediction, lane learning and delay detection."""
from celery import shared_task
from django.db import OperationalError

from tracking.locks import single_run
from tracking.models import Shipment
from tracking.edd.delays import delay_follow_ups_send, delays_detect, shipment_detect_delay
from tracking.edd.services import lane_stats_recompute, shipment_update_prediction

_RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "retry_backoff_max": 300, "retry_jitter": True,
          "max_retries": 5}


# Idempotent: the prediction is recomputed from scratch and the delay case is unique per delay.
@shared_task(acks_late=True, **_RETRY)
def update_shipment_prediction(shipment_id: int) -> str:
    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:  # deleted since the event: nothing to predict
        return "gone"
    prediction = shipment_update_prediction(shipment=shipment)
    # Detect at once rather than waiting for the beat sweep; the sweep still catches time-driven delays.
    shipment_detect_delay(shipment=shipment)
    return prediction.basis if prediction else "none"


@shared_task(acks_late=True, **_RETRY)
def recompute_lane_stats() -> int:
    with single_run("edd:recompute_lane_stats", timeout=30 * 60) as acquired:
        if not acquired:
            return -1
        return lane_stats_recompute()


# Idempotent: each parcel is judged under its row lock, each follow-up under its case's lock with
# its own dedupe key, so a retried or doubled run opens, emails and follows up nothing twice.
@shared_task(acks_late=True, **_RETRY)
def detect_delays() -> int:
    """Judge the parcels due for review (time-driven delays), then send the follow-ups that fell due.
    Returns the delay cases opened."""
    with single_run("edd:detect_delays", timeout=10 * 60) as acquired:
        if not acquired:
            return -1
        opened = delays_detect()
        delay_follow_ups_send()
        return opened

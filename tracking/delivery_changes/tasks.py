"""Thin Celery tasks for delivery changes: take ids, call tracking.delivery_changes.services."""
from celery import shared_task

from tracking.backoff import backoff_seconds
from tracking.carriers.base import CarrierError
from tracking.delivery_changes.services import delivery_request_forward, delivery_request_give_up_on_carrier


@shared_task(bind=True, acks_late=True, max_retries=4)  # idempotent: the service only sends an unanswered request
def forward_delivery_request(self, request_id: int) -> None:
    """Send a shopper's delivery change to the carrier; retry outages with jittered backoff, then
    hand the request to support staff so nobody waits on a carrier that never answers."""
    try:
        delivery_request_forward(request_id=request_id)
    except CarrierError as exc:
        if self.request.retries >= self.max_retries:
            delivery_request_give_up_on_carrier(request_id=request_id, error=str(exc))
            return
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries, base=30, cap=600,
                                                             retry_after=exc.retry_after))

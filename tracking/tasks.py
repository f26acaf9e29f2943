"""Thin Celery tasks: take ids, call a service."""
from celery import shared_task

from tracking.models import Shipment
from tracking.services.shipments import shipment_refresh_status


@shared_task(acks_late=True)  # idempotent: re-deriving status from the log twice changes nothing
def refresh_shipment_status(shipment_id: int) -> str:
    shipment = Shipment.objects.get(pk=shipment_id)
    shipment_refresh_status(shipment=shipment)
    return shipment.status

# Celery autodiscovery imports <app>.tasks only; these live in subpackages.
from tracking.notifications.tasks import send_due_notifications, send_notification  # noqa: E402,F401


@shared_task(bind=True, acks_late=True, max_retries=4)  # idempotent: the service only sends an unanswered request
def forward_delivery_request(self, request_id: int) -> None:
    """Send a shopper's delivery change to the carrier; retry outages with jittered backoff, then
    hand the request to support staff so nobody waits on a carrier that never answers."""
    import random

    from tracking.carriers.base import CarrierError
    from tracking.services.delivery_requests import delivery_request_forward, delivery_request_give_up_on_carrier

    try:
        delivery_request_forward(request_id=request_id)
    except CarrierError as exc:
        if self.request.retries >= self.max_retries:
            delivery_request_give_up_on_carrier(request_id=request_id, error=str(exc))
            return
        delay = exc.retry_after or min(600, 30 * 2 ** self.request.retries)
        raise self.retry(exc=exc, countdown=delay * random.uniform(0.8, 1.2))


@shared_task
def purge_idempotency_records() -> int:
    """Idempotency keys are honoured for 24 h; older records only take space."""
    from tracking.apikit.idempotency import idempotency_records_purge
    from tracking.locks import single_run

    with single_run("beat:purge_idempotency_records", timeout=600) as mine:
        return idempotency_records_purge() if mine else 0


# Registers the outgoing-webhook tasks with workers (autodiscovery only imports tracking.tasks).
from tracking.webhooks_out import tasks as _webhooks_out_tasks  # noqa: E402,F401
# Carrier ingestion tasks live in their own module; importing them here registers them with Celery.
from tracking.tasks_ingest import (  # noqa: E402,F401
    drain_inbound_webhooks,
    expire_stale_shipments,
    poll_due_shipments,
    poll_shipment_batch,
    process_inbound_webhook,
    retrack_shipment,
    sweep_inbound_webhooks,
)

# Registers the recommendation tasks with Celery (autodiscovery only imports <app>.tasks).
from tracking.recommendations import tasks as _recommendation_tasks  # noqa: E402,F401

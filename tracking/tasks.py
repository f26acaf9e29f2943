"""Thin Celery tasks: take ids, call a service."""
from celery import shared_task

from .models import Shipment
from .services.shipments import shipment_refresh_status


@shared_task(acks_late=True)  # idempotent: re-deriving status from the log twice changes nothing
def refresh_shipment_status(shipment_id: int) -> str:
    shipment = Shipment.objects.get(pk=shipment_id)
    shipment_refresh_status(shipment=shipment)
    return shipment.status


@shared_task
def purge_idempotency_records() -> int:
    """Idempotency keys are honoured for 24 h; older records only take space."""
    from .apikit.idempotency import idempotency_records_purge
    from .locks import single_run

    with single_run("beat:purge_idempotency_records", timeout=600) as mine:
        return idempotency_records_purge() if mine else 0


# Registers the outgoing-webhook tasks with workers (autodiscovery only imports tracking.tasks).
from .webhooks_out import tasks as _webhooks_out_tasks  # noqa: E402,F401
# Carrier ingestion tasks live in their own module; importing them here registers them with Celery.
from .tasks_ingest import (  # noqa: E402,F401
    expire_stale_shipments,
    poll_due_shipments,
    poll_shipment_batch,
    process_inbound_webhook,
    retrack_shipment,
    sweep_inbound_webhooks,
)

# Celery autodiscovery imports <app>.tasks only; these live in subpackages.
from .notifications.tasks import send_due_notifications, send_notification  # noqa: E402,F401

# Registers the recommendation tasks with Celery (autodiscovery only imports <app>.tasks).
from .recommendations import tasks as _recommendation_tasks  # noqa: E402,F401

"""Celery tasks for carrier ingestion: thin, take ids, call the ingest services. Registered through
config.celery (Celery autodiscovers every tasks module)."""
import logging

from celery import shared_task
from django.db import OperationalError

from tracking.backoff import backoff_seconds
from tracking.carriers.base import CarrierError
from tracking.locks import single_run
from tracking.models import Shipment
from tracking.ingest import polling
from tracking.ingest import drain as webhook_drain
from tracking.ingest import webhooks
from tracking.ingest.orphans import orphan_events_attach_stragglers

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "retry_backoff_max": 600, "retry_jitter": True,
         "max_retries": 5}


# Idempotent (a processed row is skipped; events are deduplicated), so a redelivery after a worker
# crash is safe: acks_late. Transient database errors (deadlock, failover) retry with jittered backoff.
@shared_task(acks_late=True, **RETRY)
def process_inbound_webhook(inbound_id: int, force: bool = False) -> dict:
    outcome = webhooks.inbound_webhook_process(inbound_id=inbound_id, force=force)
    return {"processed": outcome.processed, "created": outcome.created, "orphaned": outcome.orphaned}


# Idempotent like the per-row task: rows are claimed with SKIP LOCKED and processed ones skipped.
@shared_task(acks_late=True, **RETRY)
def drain_inbound_webhooks() -> dict:
    outcome = webhook_drain.inbound_webhooks_drain()
    if outcome.more:
        drain_inbound_webhooks.apply_async(retry=False)  # a full batch: carry on at once
    return {"processed": outcome.processed, "skipped": outcome.skipped, "failed": outcome.failed}


@shared_task(acks_late=True)
def sweep_inbound_webhooks() -> int:
    with single_run("tracking.sweep_inbound_webhooks", timeout=300) as mine:
        if not mine:
            return 0
        swept = webhooks.inbound_webhooks_sweep()
        orphan_events_attach_stragglers()
        return swept


@shared_task(acks_late=True)
def poll_due_shipments() -> int:
    """Beat: lease the parcels due for a poll and fan them out in per-carrier batches."""
    with single_run("tracking.poll_due_shipments", timeout=600) as mine:
        if not mine:
            return 0
        batches = polling.poll_batches_pick()
        for carrier, ids in batches:
            poll_shipment_batch.delay(carrier, ids)
        return sum(len(ids) for _, ids in batches)


# Idempotent enough to redeliver: a poll only adds events we do not have yet.
@shared_task(acks_late=True, **RETRY)
def poll_shipment_batch(carrier: str, shipment_ids: list[int]) -> dict:
    outcomes = polling.poll_batch_run(carrier=carrier, shipment_ids=shipment_ids)
    return {"polled": sum(o.ok for o in outcomes), "failed": sum(not o.ok for o in outcomes)}


@shared_task(bind=True, acks_late=True, max_retries=3)
def retrack_shipment(self, shipment_id: int) -> dict:
    """Support's "re-track now". A retryable carrier failure (rate limit, outage) is retried a few
    times with jittered backoff; the regular schedule covers it after that."""
    shipment = Shipment.objects.get(pk=shipment_id)
    outcome = polling.shipment_retrack(shipment=shipment)
    if outcome.retryable or outcome.rate_limited:
        countdown = backoff_seconds(self.request.retries, base=60, cap=600)
        try:
            raise self.retry(countdown=countdown, exc=CarrierError(outcome.error))
        except CarrierError:
            # max_retries reached: the poll schedule (already backed off) takes over.
            logger.info("re-track of shipment %s gave up: %s", shipment_id, outcome.error)
    return {"ok": outcome.ok, "created": outcome.created, "error": outcome.error}


@shared_task(acks_late=True)
def expire_stale_shipments() -> int:
    with single_run("tracking.expire_stale_shipments", timeout=1800) as mine:
        if not mine:
            return 0
        return polling.shipments_expire_stale()


@shared_task(acks_late=True)
def renew_webhook_registrations() -> dict:
    """Beat: register new parcels with per-parcel webhook providers and renew lapsing registrations."""
    from tracking.ingest.registrations import webhook_registrations_renew

    with single_run("tracking.renew_webhook_registrations", timeout=600) as mine:
        if not mine:
            return {}
        return webhook_registrations_renew()

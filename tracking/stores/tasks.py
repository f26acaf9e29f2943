"""Celery tasks for store connections: thin, take ids, call tracking.stores services."""
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from tracking.backoff import backoff_seconds
from tracking.locks import single_run
from tracking.models import StoreConnection
from tracking.stores import webhooks

logger = logging.getLogger(__name__)
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 5, "retry_backoff_max": 600, "retry_jitter": True,
         "max_retries": 5}


# Idempotent (a processed row is skipped; upserts are order-independent): acks_late is safe.
@shared_task(acks_late=True, **RETRY)
def process_store_webhook(delivery_id: int, force: bool = False) -> dict:
    outcome = webhooks.store_webhook_process(delivery_id=delivery_id, force=force)
    return {"processed": outcome.processed, "summary": outcome.summary, "waiting": outcome.waiting}


@shared_task(acks_late=True)
def sweep_store_webhooks() -> int:
    with single_run("tracking.sweep_store_webhooks", timeout=300) as mine:
        if not mine:
            return 0
        return webhooks.store_webhooks_sweep()


@shared_task(bind=True, acks_late=True, max_retries=8)
def sync_store_connection(self, connection_id: int, since: str | None = None, restart: bool = False) -> dict:
    """Backfill (or carry on backfilling) one connection. Resumes from the saved cursor; a rate
    limit or outage retries later with backoff, from where it stopped."""
    from datetime import datetime

    from tracking.stores.connections import store_sync_run

    connection = StoreConnection.objects.filter(pk=connection_id).first()
    if connection is None:
        return {"error": "no such connection"}
    with single_run(f"tracking.store_sync.{connection_id}", timeout=3600) as mine:
        if not mine:
            return {"skipped": "a sync of this connection is running"}
        report = store_sync_run(connection=connection, since=datetime.fromisoformat(since) if since else None,
                                restart=restart)
    if report.error and not report.done and connection.state == StoreConnection.State.ACTIVE:
        connection.refresh_from_db()
        if connection.state == StoreConnection.State.ACTIVE and self.request.retries < self.max_retries:
            raise self.retry(countdown=backoff_seconds(self.request.retries, base=60, cap=1800))
    return {"orders": report.orders, "pages": report.pages, "done": report.done, "error": report.error}


@shared_task(acks_late=True)
def poll_store_connections() -> int:
    """Beat: platforms that cannot be trusted to push everything (Cafe24: thin webhooks, none for some
    changes) are polled for recently changed orders."""
    with single_run("tracking.poll_store_connections", timeout=1800) as mine:
        if not mine:
            return 0
        since = (timezone.now() - timedelta(days=settings.DOORSTEP_STORE_POLL_DAYS)).isoformat()
        ids = list(StoreConnection.objects.filter(state=StoreConnection.State.ACTIVE,
                                                  platform__in=settings.DOORSTEP_STORE_POLL_PLATFORMS)
                   .values_list("pk", flat=True))
        for pk in ids:
            sync_store_connection.delay(pk, since=since, restart=True)
        return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=5)
def push_shipment_status(self, shipment_id: int, status: str) -> dict:
    """Tell the store a parcel moved. Idempotent: the status already pushed is not pushed again."""
    from tracking.stores.writeback import shipment_status_push

    try:
        outcome = shipment_status_push(shipment_id=shipment_id, status=status)
    except Exception as exc:
        retryable = getattr(exc, "retryable", False)
        if retryable and self.request.retries < self.max_retries:
            wait = getattr(exc, "retry_after", None) or backoff_seconds(self.request.retries, base=30, cap=900)
            raise self.retry(countdown=wait, exc=exc)
        raise
    return {"outcome": outcome}

"""Handing accepted webhook deliveries to workers, coalesced into drains.

Publishing one Celery task per delivery costs the acknowledging request Celery's message building
and a broker round trip, which dominated the hot path. Instead each web process schedules at most
one *drain* per window (settings.DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS): a task due one window after
it was published, which processes every accepted delivery still waiting.

Why nothing is missed: a request skips publishing only while its own process has a drain due no
earlier than half a window from now, and it checks that after its row committed. That drain's
query therefore runs after the row is visible (the other half window absorbs clock skew between
web and worker machines). If the broker is down, the publish fails within the socket timeouts,
nothing is remembered, the process stops trying for DOORSTEP_REDIS_RETRY_AFTER_SECONDS (the
broker breaker, tracking.resilience) and the first drain after that — or the sweeper — processes
every row stored meanwhile. No request ever waits behind another's publish.

Drains may overlap (one per web process per window, continuations under load): each row is taken
with FOR UPDATE SKIP LOCKED and skipped once processed, so every row is processed once. Failed
rows are left to the sweeper's per-row tasks, with their attempt count and backoff.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError

from tracking.models import InboundWebhook
from tracking.resilience import broker_breaker

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_drain_due_after = 0.0  # time.monotonic(): until then a drain this process published will still run


def webhook_processing_request(inbound_id: int) -> bool:
    """Make sure a worker processes the committed delivery ``inbound_id`` soon. Call after commit.
    Returns False if the broker could not be reached (the sweeper takes over); never raises."""
    from tracking.ingest.webhooks import enqueue_processing

    window = settings.DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS / 1000
    if window <= 0:
        return enqueue_processing(inbound_id)
    global _drain_due_after
    if not _lock.acquire(blocking=False):
        # Another thread of this process is publishing a drain right now; it runs one window from
        # now, after this row committed. Should that publish fail, the row waits like every other
        # row stored during an outage: for the next drain or the sweeper. Never queue behind it.
        return True
    try:
        now = time.monotonic()
        if now < _drain_due_after:
            return True
        if not broker_breaker.allow():
            return False  # the broker failed moments ago: the row is stored, the sweeper has it
        from tracking.ingest.tasks import drain_inbound_webhooks

        try:
            drain_inbound_webhooks.apply_async(countdown=window, retry=False)
        except Exception as exc:  # noqa: BLE001 — whatever the broker raised, the row waits for the sweeper
            broker_breaker.trip(exc)
            logger.warning("could not enqueue a webhook drain (%s); the sweeper will pick up %s", exc, inbound_id)
            return False
        broker_breaker.succeeded()
        if not _published_tasks_run_inline():  # eager: the drain has already run, none is due
            _drain_due_after = now + window / 2
        return True
    finally:
        _lock.release()


def _published_tasks_run_inline() -> bool:
    from tracking.ingest.tasks import drain_inbound_webhooks

    return bool(drain_inbound_webhooks.app.conf.task_always_eager)


def drain_schedule_forget() -> None:
    """Forget the drain this process scheduled (tests run drains eagerly and must start clean)."""
    global _drain_due_after
    with _lock:
        _drain_due_after = 0.0


@dataclass(frozen=True)
class DrainOutcome:
    processed: int = 0
    skipped: int = 0  # another drain or task had it, or it was already done
    failed: int = 0
    more: bool = False  # the batch was full: call again


def inbound_webhooks_drain(*, limit: int | None = None) -> DrainOutcome:
    """Process accepted deliveries that no one has tried yet, oldest first, at most ``limit``."""
    from tracking.ingest.webhooks import inbound_webhook_process

    limit = limit or settings.DOORSTEP_WEBHOOK_DRAIN_BATCH
    ids = list(
        InboundWebhook.objects.filter(verdict=InboundWebhook.Verdict.ACCEPTED, processed_at__isnull=True,
                                      processing_attempts=0)
        .order_by("received_at", "id").values_list("pk", flat=True)[:limit]
    )
    adapters: dict = {}  # account id -> (account, adapter): one decryption per account per drain
    processed = skipped = failed = 0
    for pk in ids:
        try:
            outcome = inbound_webhook_process(inbound_id=pk, skip_locked=True, adapters=adapters)
        except OperationalError:
            raise  # the database is unwell: let the task retry later instead of failing every row
        except Exception:
            # Recorded on the row (error, attempts + 1); the sweeper retries it with backoff.
            logger.exception("processing inbound webhook %s failed", pk)
            failed += 1
            continue
        if outcome.processed:
            processed += 1
        else:
            skipped += 1
    return DrainOutcome(processed, skipped, failed, more=len(ids) == limit)

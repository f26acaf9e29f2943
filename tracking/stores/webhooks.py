"""Store webhooks: receive (verify, log, acknowledge) and process (parse, apply) a delivery to
/webhooks/stores/<public_id>/, on the carrier ingestion pipeline's pattern (tracking.ingest.webhooks).

Receiving writes exactly one StoreWebhookDelivery row whatever the verdict and answers at once;
processing runs later in a task from the stored raw body, is idempotent (order upserts are
order-independent, parcels and refunds are keyed by platform id) and can be re-run by the sweeper or
by support ("reprocess")."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.datastructures import CaseInsensitiveMapping

from tracking import crypto
from tracking.memo import Memo, SharedVersions
from tracking.ingest.webhooks import _ip, storable_headers
from tracking.models import StoreConnection, StoreWebhookDelivery
from tracking.stores import base as b
from tracking.stores.base import AuthError, StoreError, WebhookRejected
from tracking.stores.registry import UnknownPlatform, get_adapter

logger = logging.getLogger(__name__)
V = StoreWebhookDelivery.Verdict
BODY_SIZE_MAX = 2**31 - 1


@dataclass(frozen=True)
class Receipt:
    status: int
    verdict: str
    reason: str
    delivery_id: int | None = None


def _clean(value, limit: int) -> str:
    return str(value).replace("\x00", "")[:limit]


def _log(*, connection, public_id, headers, body=b"", body_size=0, remote_addr=None, verdict, reason="",
         webhook: b.StoreWebhook | None = None) -> int:
    row = StoreWebhookDelivery(
        connection_id=connection.pk if connection else None, merchant_id=connection.merchant_id if connection else None,
        public_id=_clean(public_id, 64), headers=headers, body=body,
        body_size=min(max(body_size, 0), BODY_SIZE_MAX), remote_addr=_ip(remote_addr), verdict=verdict,
        reason=_clean(reason, 200),
        topic=webhook.topic if webhook else "", platform_topic=_clean(webhook.platform_topic, 100) if webhook else "",
        delivery_id=_clean(webhook.delivery_id, 200) if webhook and verdict == V.ACCEPTED else "",
    )
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            row.save(force_insert=True)
    else:
        row.save(force_insert=True)
    return row.pk


def _verdict_for(exc: WebhookRejected) -> tuple[str, int]:
    status = exc.status if 400 <= exc.status < 500 else 400
    if status == 401:
        if "another shop" in str(exc) or "shop" in getattr(exc, "reason_code", ""):
            return V.REJECTED_SHOP, 401
        return V.REJECTED_SIGNATURE, 401
    if status == 413:
        return V.TOO_LARGE, 413
    if status in (404, 422):
        return V.REJECTED_SHAPE, status
    return V.REJECTED_BODY, status


def _same_shop(connection: StoreConnection, sent_for: str) -> bool:
    """Does the shop a delivery names match the connection's? (Shopify: the shop domain; WooCommerce:
    the host of X-WC-Webhook-Source; Cafe24: the mall id.)"""
    from urllib.parse import urlsplit

    if connection.platform == "woocommerce":
        return (urlsplit(sent_for).hostname or "").lower() == (urlsplit(connection.shop).hostname or "").lower()
    return sent_for.strip().lower() == connection.shop.strip().lower()


# public_id -> (connection, adapter, version): saves a query and the decryption of the credentials per
# delivery. Every save or delete of a connection writes a new version to the shared cache
# (store_connection_version_bump, connected in TrackingConfig.ready), and each delivery compares its
# memo with that version (one cache read): a disconnect or a new secret applies at once everywhere.
_connections = Memo("store connections by public id", maxsize=10_000, ttl=300)
_versions = SharedVersions("store-connection:ver:{}", _connections)


def store_connection_version_bump(sender=None, instance=None, raw=False, **kwargs) -> None:
    if instance is None or raw:
        return
    _versions.bump(instance.public_id)


def _connection_for(public_id: str):
    """The live connection behind ``public_id`` and an adapter with its credentials (adapter None:
    its platform is not configured or its keys cannot be decrypted)."""
    version = _versions.current(public_id)
    cached = _connections.get(public_id)
    if cached is not None and version is not None and cached[2] == version:
        return cached[0], cached[1]
    connection = (StoreConnection.objects.filter(public_id=public_id)
                  .exclude(state=StoreConnection.State.DISCONNECTED).first())
    if connection is None:
        _connections.pop(public_id)
        return None, None
    try:
        adapter = connection_adapter(connection)
    except (UnknownPlatform, crypto.DecryptionError) as exc:
        logger.error("store connection %s cannot verify deliveries: %r", connection.pk, exc)
        return connection, None
    if version is not None:
        _connections.set(public_id, (connection, adapter, version))
    return connection, adapter


def connection_adapter(connection: StoreConnection, **options):
    """An adapter holding the connection's credentials (settings fill the app-wide parts)."""
    return get_adapter(connection.platform, connection.credentials(), **options)


def store_webhook_receive(*, public_id: str, headers: Mapping[str, str], content_length: int | None,
                          read_body: Callable[[int], bytes], url_token: str = "",
                          remote_addr: str | None = None) -> Receipt:
    """Decide on one delivery and log it. ``headers`` case-insensitive; ``read_body(n)`` reads at most n."""
    stored_headers = storable_headers(headers)

    def refuse(status, verdict, answer, *, connection=None, body=b"", body_size=0, reason="") -> Receipt:
        row_id = _log(connection=connection, public_id=public_id, headers=stored_headers, body=body,
                      body_size=body_size, remote_addr=remote_addr, verdict=verdict, reason=reason or answer)
        return Receipt(status, verdict, answer, row_id)

    connection, adapter = _connection_for(public_id)
    if connection is None:
        return refuse(404, V.UNKNOWN_CONNECTION, "unknown store connection", body_size=content_length or 0)
    if adapter is None:
        return refuse(404, V.UNKNOWN_CONNECTION, "unknown store connection", connection=connection,
                      body_size=content_length or 0, reason="connection cannot verify deliveries (platform or keys)")
    limit = adapter.max_webhook_bytes
    if content_length is not None and content_length > limit:
        return refuse(413, V.TOO_LARGE, f"body over {limit} bytes", connection=connection, body_size=content_length)
    try:
        body = read_body(limit + 1)
    except OSError:
        return refuse(400, V.REJECTED_BODY, "body could not be read", connection=connection)
    if len(body) > limit:
        return refuse(413, V.TOO_LARGE, f"body over {limit} bytes", connection=connection, body_size=len(body))
    try:
        try:
            adapter.verify_webhook(headers=headers, body=body, url_token=url_token)
        except WebhookRejected as exc:
            # The remembered connection may predate a new secret or a disconnect: decide on the row.
            if exc.status != 401 or _connections.pop(public_id) is None:
                raise
            connection, adapter = _connection_for(public_id)
            if connection is None or adapter is None:
                return refuse(404, V.UNKNOWN_CONNECTION, "unknown store connection", body_size=len(body))
            adapter.verify_webhook(headers=headers, body=body, url_token=url_token)
        webhook = adapter.parse_webhook(headers=headers, body=body)
    except WebhookRejected as exc:
        verdict, status = _verdict_for(exc)
        return refuse(status, verdict, _clean(exc, 200) or verdict, connection=connection, body=body,
                      body_size=len(body))
    except Exception:  # an adapter bug must not turn a store's delivery into a 500
        logger.exception("store %s adapter failed on a webhook (connection %s)", connection.platform, connection.pk)
        return refuse(400, V.REJECTED_BODY, "could not read this delivery", connection=connection, body=body,
                      body_size=len(body))
    if webhook.shop and not _same_shop(connection, webhook.shop):
        return refuse(401, V.REJECTED_SHOP, "delivery is for another shop", connection=connection, body=body,
                      body_size=len(body))
    if webhook.topic == b.TOPIC_PING:
        row_id = _log(connection=connection, public_id=public_id, headers=stored_headers, body=body,
                      body_size=len(body), remote_addr=remote_addr, verdict=V.PING, reason="creation ping",
                      webhook=webhook)
        return Receipt(200, V.PING, "", row_id)
    try:
        row_id = _log(connection=connection, public_id=public_id, headers=stored_headers, body=body,
                      body_size=len(body), remote_addr=remote_addr, verdict=V.ACCEPTED, webhook=webhook)
    except IntegrityError:
        row_id = _log(connection=connection, public_id=public_id, headers=stored_headers, body=body,
                      body_size=len(body), remote_addr=remote_addr, verdict=V.DUPLICATE, reason="already received",
                      webhook=webhook)
        return Receipt(200, V.DUPLICATE, "already received", row_id)
    transaction.on_commit(lambda: processing_request(row_id))
    return Receipt(202 if webhook.topic != b.TOPIC_UNKNOWN else 200, V.ACCEPTED, "", row_id)


_drain_lock = threading.Lock()
_drain_due_after = 0.0  # time.monotonic(): until then a drain this process published will still run


def processing_request(delivery_id: int) -> bool:
    """Make sure a worker processes the committed delivery soon, coalesced like carrier webhooks
    (tracking.ingest.drain): at most one drain task published per process per
    DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS, due one window later; it processes every delivery still
    waiting. Broker down: nothing is remembered and the sweeper re-enqueues. Never raises."""
    from tracking.stores.tasks import drain_store_webhooks

    window = settings.DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS / 1000
    if window <= 0 or drain_store_webhooks.app.conf.task_always_eager:
        return enqueue_processing(delivery_id)
    global _drain_due_after
    with _drain_lock:
        now = time.monotonic()
        if now < _drain_due_after:
            return True
        try:
            drain_store_webhooks.apply_async(countdown=window, retry=False)
        except Exception:
            logger.warning("could not enqueue a store webhook drain; the sweeper will pick up %s", delivery_id,
                           exc_info=True)
            return False
        _drain_due_after = now + window / 2
        return True


def store_webhooks_drain(*, limit: int | None = None) -> tuple[int, int, bool]:
    """Process accepted deliveries nobody tried yet, oldest first. Returns (processed, failed, more)."""
    limit = limit or settings.DOORSTEP_WEBHOOK_DRAIN_BATCH
    ids = list(StoreWebhookDelivery.objects.filter(verdict=V.ACCEPTED, processed_at__isnull=True,
                                                   processing_attempts=0)
               .order_by("received_at", "id").values_list("pk", flat=True)[:limit])
    processed = failed = 0
    for pk in ids:
        try:
            outcome = store_webhook_process(delivery_id=pk, skip_locked=True)
        except OperationalError:
            raise
        except Exception:
            logger.exception("processing store webhook %s failed", pk)
            failed += 1
            continue
        processed += outcome.processed
    return processed, failed, len(ids) == limit


def enqueue_processing(delivery_id: int) -> bool:
    """Hand the delivery to a worker; if the broker is down the sweeper picks it up later."""
    from tracking.stores.tasks import process_store_webhook

    try:
        process_store_webhook.apply_async((delivery_id,), retry=False)
    except Exception:
        logger.warning("could not enqueue store webhook %s; the sweeper will retry", delivery_id, exc_info=True)
        return False
    return True


@dataclass(frozen=True)
class ProcessOutcome:
    processed: bool
    summary: str = ""
    waiting: bool = False  # left for later (connection needs re-authorisation, platform unavailable)


def store_webhook_process(*, delivery_id: int, force: bool = False, session=None,
                          skip_locked: bool = False) -> ProcessOutcome:
    """Parse a stored, accepted delivery and apply it. Idempotent; a processed row is skipped unless
    ``force``. A store that must be asked for the full order and cannot be (revoked token, outage)
    leaves the row unprocessed with the error: nothing received is lost, the sweeper retries."""
    try:
        with transaction.atomic():
            # One worker per delivery: concurrent drains skip a row another holds (or queue on it).
            locked = StoreWebhookDelivery.objects.select_for_update(skip_locked=skip_locked).filter(pk=delivery_id)
            row = locked.first()
            if row is None or row.verdict != V.ACCEPTED or (row.processed_at is not None and not force):
                return ProcessOutcome(False)
            return _process_locked(row, session=session)
    except _Failed as failed:
        _mark_error(failed.row, failed.error)
        raise failed.original from None


class _Failed(Exception):
    def __init__(self, row, error, original):
        super().__init__(error)
        self.row, self.error, self.original = row, error, original


def _process_locked(row: StoreWebhookDelivery, *, session=None) -> ProcessOutcome:
    from tracking.stores import connections

    connection = StoreConnection.objects.filter(pk=row.connection_id).first()
    if connection is None:
        _mark_error(row, "connection is gone")
        return ProcessOutcome(False)
    try:
        with transaction.atomic():
            summary = _apply(row, connection, session=session)
    except AuthError as exc:
        connections.connection_needs_reauth(connection=connection, error=str(exc))
        StoreWebhookDelivery.objects.filter(pk=row.pk).update(processing_error=_clean(f"waiting: {exc}", 2000))
        return ProcessOutcome(False, waiting=True)
    except StoreError as exc:
        if exc.retryable:
            _mark_error(row, f"{type(exc).__name__}: {exc}")
            return ProcessOutcome(False, waiting=True)
        raise _Failed(row, f"{type(exc).__name__}: {exc}", exc) from None
    except Exception as exc:
        raise _Failed(row, repr(exc), exc) from None
    StoreWebhookDelivery.objects.filter(pk=row.pk).update(
        processed_at=timezone.now(), processing_error="", outcome=_clean(summary, 500),
        processing_attempts=F("processing_attempts") + 1)
    return ProcessOutcome(True, summary)


def _mark_error(row: StoreWebhookDelivery, error: str) -> None:
    StoreWebhookDelivery.objects.filter(pk=row.pk).update(
        processing_error=_clean(error, 2000), processing_attempts=F("processing_attempts") + 1)


def _apply(row: StoreWebhookDelivery, connection: StoreConnection, *, session=None) -> str:
    from tracking.stores import connections, privacy, sync

    adapter = connection_adapter(connection, session=session)
    webhook = adapter.parse_webhook(headers=CaseInsensitiveMapping(row.headers), body=bytes(row.body))
    topic = webhook.topic
    if topic in (b.TOPIC_UNKNOWN, b.TOPIC_PING):
        return f"{webhook.platform_topic}: nothing to do"
    if topic == b.TOPIC_APP_UNINSTALLED:
        connections.connection_disconnect(connection=connection, reason="app uninstalled in the store")
        return "connection disconnected"
    if topic in b.COMPLIANCE_TOPICS:
        return privacy.privacy_request_handle(connection=connection, request=webhook.compliance, delivery=row)
    if connection.state == StoreConnection.State.DISCONNECTED:
        return "connection disconnected: ignored"
    if topic in b.PRODUCT_TOPICS:
        if topic == b.TOPIC_PRODUCT_DELETED:
            for product_id in webhook.product_ids:
                sync.store_product_delete(connection=connection, product_id=product_id)
            return f"{len(webhook.product_ids)} product(s) retired"
        applied = sum(sync.store_product_apply(connection=connection, product=p) for p in webhook.products)
        return f"{applied} product(s) updated"
    if topic == b.TOPIC_ORDER_DELETED:
        for order_id in webhook.order_ids:
            sync.store_order_deleted(connection=connection, order_id=order_id)
        return f"{len(webhook.order_ids)} order(s) marked deleted"
    parts = [sync.store_order_apply(connection=connection, order=order).summary() for order in webhook.orders]
    if webhook.needs_fetch:
        for order_id in webhook.order_ids:
            if webhook.fulfilments and topic in (b.TOPIC_FULFILMENT_CREATED, b.TOPIC_FULFILMENT_UPDATED):
                done = sync.store_fulfilments_apply(connection=connection, order_id=order_id,
                                                    fulfilments=[f for f in webhook.fulfilments
                                                                 if f.order_id in ("", order_id)])
                if done is not None:
                    parts.append(f"order {order_id}: {done} parcel(s)")
                    continue
            if webhook.refunds and topic == b.TOPIC_REFUND_CREATED:
                done = sync.store_refunds_apply(connection=connection, order_id=order_id,
                                                refunds=[r for r in webhook.refunds if r.order_id in ("", order_id)])
                if done is not None:
                    parts.append(f"order {order_id}: {done} refund(s) mirrored")
                    continue
            order = connections.with_fresh_token(connection, lambda a, oid=order_id: a.fetch_order(oid),
                                                 session=session)
            parts.append(sync.store_order_apply(connection=connection, order=order).summary())
    return "; ".join(parts) or "nothing to do"


def store_webhooks_sweep(*, now=None, limit: int = 500) -> int:
    """Re-enqueue accepted deliveries nobody processed (broker down, worker died, connection waiting
    for re-authorisation and now active again), oldest first, up to the attempt limit."""
    now = now or timezone.now()
    ids = list(StoreWebhookDelivery.objects.filter(
        verdict=V.ACCEPTED, processed_at__isnull=True,
        received_at__lt=now - settings.DOORSTEP_WEBHOOK_SWEEP_AFTER,
        processing_attempts__lt=settings.DOORSTEP_WEBHOOK_MAX_ATTEMPTS,
        connection__state=StoreConnection.State.ACTIVE,
    ).order_by("received_at").values_list("pk", flat=True)[:limit])
    return sum(enqueue_processing(pk) for pk in ids)

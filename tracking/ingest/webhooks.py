"""Carrier webhooks: receive (verify, log, acknowledge) and process (parse, apply) a delivery.

Receiving is the hot path and writes exactly one row, the InboundWebhook log entry, whatever the
verdict. Processing happens later in a task, from the stored raw body; it is idempotent, so the
sweeper, a Celery redelivery or a support agent's "reprocess" can run it again safely.
"""
from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.datastructures import CaseInsensitiveMapping

from tracking import crypto
from tracking.carriers.base import CarrierAdapter, TrackingResult, WebhookRejected
from tracking.carriers.registry import UnknownCarrier, adapter_class, get_adapter
from tracking.ingest.clock import refused_summary
from tracking.ingest.drain import webhook_processing_request
from tracking.ingest.results import tracking_result_apply
from tracking.memo import Memo, SharedVersions
from tracking.models import CarrierAccount, InboundWebhook, Shipment, TrackingEvent
from tracking.resilience import broker_breaker

logger = logging.getLogger(__name__)
V = InboundWebhook.Verdict

# The log column is a PostgreSQL integer; a claimed Content-Length beyond it is recorded as this.
BODY_SIZE_MAX = 2**31 - 1
# Never stored: they authenticate a browser or a proxy, not a carrier, and would leak into the admin.
DROPPED_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


@dataclass(frozen=True)
class Receipt:
    status: int  # HTTP status to answer with
    verdict: str
    reason: str
    inbound_id: int | None = None


def _clean(value: str, limit: int) -> str:
    return str(value).replace("\x00", "")[:limit]


def storable_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {_clean(k, 200): _clean(v, 2000) for k, v in headers.items() if k.lower() not in DROPPED_HEADERS}


@lru_cache(maxsize=1024)  # carriers post from a handful of addresses; parsing one costs more than the lookup
def _ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


# public_id -> (account, adapter, version). Saves a query and the Fernet decryption of the secrets
# per delivery. Every save of an account (rotation, deactivation, new key) writes a new version to
# the shared cache (carrier_account_version_bump), and each delivery compares its memo with that
# version, one cache read: a revoked secret stops verifying at once in every process. When the cache
# cannot be read, the row is read instead. An old secret's overlap window is honoured to the second
# (the memo entry ends when the window does).
_accounts = Memo("carrier accounts by public id", maxsize=10_000, ttl=300)
_account_versions = SharedVersions("carrier-account:ver:{}", _accounts)


def carrier_account_version_bump(public_id: str) -> None:
    """A new version for the account behind ``public_id``: every process re-reads the row on its
    next delivery. Called on save and delete, and again after the transaction commits."""
    _account_versions.bump(public_id)


def _account_for(public_id: str) -> tuple[CarrierAccount | None, CarrierAdapter | None]:
    """The active account behind ``public_id`` and an adapter holding its credentials (None when the
    account's carrier is not configured)."""
    version = _account_versions.current(public_id)
    cached = _accounts.get(public_id)
    if cached is not None and version is not None and cached[2] == version:
        return cached[0], cached[1]
    account = (CarrierAccount.objects.filter(public_id=public_id, is_active=True)
               .only("id", "merchant_id", "carrier", "webhook_secret_encrypted", "previous_secret_encrypted",
                     "previous_secret_expires_at", "api_key_encrypted", "options").first())
    if account is None:
        # Not remembered: ids in URLs are attacker-chosen for misses.
        _accounts.pop(public_id)
        return None, None
    try:
        adapter = adapter_class(account.carrier)(account.credentials())
    except UnknownCarrier:
        adapter = None
    except crypto.DecryptionError:
        # Not remembered: the operator fixes DOORSTEP_ENCRYPTION_KEYS and the next delivery works.
        logger.error("carrier account %s: credentials cannot be decrypted with the configured keys", account.pk)
        return account, None
    if version is not None:
        good_for = None
        if account.previous_secret_expires_at is not None:
            overlap_left = (account.previous_secret_expires_at - timezone.now()).total_seconds()
            if overlap_left > 0:
                good_for = min(_accounts.ttl, overlap_left)
        _accounts.set(public_id, (account, adapter, version), ttl=good_for)
    return account, adapter


def _verdict_for(exc: WebhookRejected) -> tuple[str, int]:
    status = exc.status if 400 <= exc.status < 500 else 400
    if status == 401:
        # Adapters reject stale timestamps with 401 too; their reason_code tells a replay from a wrong secret.
        stale = getattr(exc, "reason_code", "") == WebhookRejected.REASON_STALE
        return (V.REJECTED_STALE if stale else V.REJECTED_SIGNATURE), 401
    if status == 413:
        return V.TOO_LARGE, 413
    if status == 422:
        return V.REJECTED_SHAPE, 422
    if status == 404:
        return V.REJECTED_SHAPE, 404
    return V.REJECTED_BODY, status


def provider_event_id_of(results: list[TrackingResult]) -> str:
    ids = sorted({r.provider_event_id for r in results if r.provider_event_id})
    return ",".join(ids)[:128]


def _log(*, account, public_id, headers, body=b"", body_size=0, remote_addr=None, verdict, reason,
         provider_event_id="") -> int:
    """Store one delivery's log row (the only write while receiving) and return its id. Raises
    IntegrityError when an accepted row for the same (account, delivery id) is already held; inside a
    caller's transaction the failed insert is rolled back to a savepoint, so the caller's transaction
    goes on."""
    row = InboundWebhook(
        account_id=account.pk if account else None, merchant_id=account.merchant_id if account else None,
        public_id=_clean(public_id, 64), headers=headers, body=body, body_size=min(max(body_size, 0), BODY_SIZE_MAX),
        remote_addr=_ip(remote_addr), verdict=verdict, reason=_clean(reason, 200),
        provider_event_id=provider_event_id,
    )
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            row.save(force_insert=True)
    else:
        # Autocommit: the INSERT is its own transaction, committed before the carrier is answered.
        row.save(force_insert=True)
    return row.pk


def webhook_receive(*, public_id: str, headers: Mapping[str, str], content_length: int | None,
                    read_body: Callable[[int], bytes], url_token: str = "",
                    remote_addr: str | None = None) -> Receipt:
    """Decide on one delivery and log it. ``headers`` must be case-insensitive (request.headers);
    ``read_body(n)`` reads at most n bytes, so an oversized body is refused without buffering it."""
    stored_headers = storable_headers(headers)

    def refuse(status: int, verdict: str, answer: str, *, reason: str = "", **row) -> Receipt:
        """Log a refused delivery (``reason`` for support, default ``answer``) and answer the carrier."""
        row_id = _log(public_id=public_id, headers=stored_headers, remote_addr=remote_addr, verdict=verdict,
                      reason=reason or answer, **row)
        return Receipt(status, verdict, answer, row_id)

    account, adapter = _account_for(public_id)
    if account is None or adapter is None:
        # The body of a delivery nobody can verify is not worth keeping (nor reading).
        return refuse(404, V.UNKNOWN_ACCOUNT, "unknown account", account=account, body_size=content_length or 0,
                      reason="" if account is None else "account cannot verify deliveries (carrier or keys)")

    limit = adapter.max_webhook_bytes
    too_large = f"body over {limit} bytes"
    if content_length is not None and content_length > limit:
        return refuse(413, V.TOO_LARGE, too_large, account=account, body_size=content_length)
    try:
        body = read_body(limit + 1)
    except OSError:
        return refuse(400, V.REJECTED_BODY, "body could not be read", account=account, body_size=content_length or 0)
    if len(body) > limit:  # chunked or lying Content-Length
        return refuse(413, V.TOO_LARGE, too_large, account=account, body_size=len(body))

    try:
        try:
            adapter.verify_webhook(headers=headers, body=body, url_token=url_token)
        except WebhookRejected as exc:
            # The cached account may predate a rotation or deactivation: decide on the current row.
            if exc.status != 401 or _accounts.pop(public_id) is None:
                raise
            account, adapter = _account_for(public_id)
            if account is None or adapter is None:
                return refuse(404, V.UNKNOWN_ACCOUNT, "unknown account", account=None, body_size=len(body))
            adapter.verify_webhook(headers=headers, body=body, url_token=url_token)
        results = adapter.parse_webhook(headers=headers, body=body)
    except WebhookRejected as exc:
        verdict, status = _verdict_for(exc)
        # A rejected body is kept (it is bounded): it is what support looks at to find out why.
        return refuse(status, verdict, _clean(exc, 200) or verdict, account=account, body=body, body_size=len(body))
    except Exception:  # an adapter bug must still not turn a carrier's delivery into a 500
        logger.exception("carrier %s adapter failed on a webhook (account %s)", account.carrier, account.pk)
        return refuse(400, V.REJECTED_BODY, "could not read this delivery", account=account, body=body,
                      body_size=len(body), reason="adapter could not read this delivery")

    return _accept(account=account, public_id=public_id, headers=stored_headers, body=body,
                   remote_addr=remote_addr, provider_event_id=provider_event_id_of(results))


def _accept(*, account, public_id, headers, body, remote_addr, provider_event_id) -> Receipt:
    # Outside a transaction the INSERT autocommits and on_commit runs at once; inside one (a caller's
    # atomic block, tests) processing waits for the caller's commit. A concurrent duplicate waits on
    # the unique index until the first insert commits, then fails here and is logged as a duplicate.
    try:
        row_id = _log(account=account, public_id=public_id, headers=headers, body=body, body_size=len(body),
                      remote_addr=remote_addr, verdict=V.ACCEPTED, reason="", provider_event_id=provider_event_id)
    except IntegrityError:
        # The carrier retried a delivery we already hold (same provider event id): log and acknowledge.
        row_id = _log(account=account, public_id=public_id, headers=headers, body=body, body_size=len(body),
                      remote_addr=remote_addr, verdict=V.DUPLICATE, reason="already received",
                      provider_event_id=provider_event_id)
        return Receipt(200, V.DUPLICATE, "already received", row_id)
    transaction.on_commit(lambda: webhook_processing_request(row_id))
    return Receipt(202, V.ACCEPTED, "", row_id)


def enqueue_processing(inbound_id: int) -> bool:
    """Hand the delivery to a worker. If the broker is down the row stays unprocessed and the
    sweeper enqueues it later, so a failure here is logged, never raised into the response."""
    from tracking.ingest.tasks import process_inbound_webhook

    if not broker_breaker.allow():
        return False
    try:
        process_inbound_webhook.apply_async((inbound_id,), retry=False)
    except Exception as exc:  # noqa: BLE001 — whatever the broker raised, the row waits for the sweeper
        broker_breaker.trip(exc)
        logger.warning("could not enqueue inbound webhook %s (%s); the sweeper will retry", inbound_id, exc)
        return False
    broker_breaker.succeeded()
    return True


@dataclass(frozen=True)
class ProcessOutcome:
    processed: bool
    created: int = 0
    orphaned: int = 0
    error: str = ""


def inbound_webhook_process(*, inbound_id: int, force: bool = False, skip_locked: bool = False,
                            adapters: dict | None = None) -> ProcessOutcome:
    """Parse a stored, accepted delivery and apply it. Idempotent: a processed row is skipped unless
    ``force``; re-applying is harmless anyway because events are deduplicated. Concurrent calls for
    one row queue on its row lock, or with ``skip_locked`` give up on it (a drain leaves the row to
    whoever holds it). ``adapters`` caches account id -> (account, adapter) across calls."""
    try:
        return _process(inbound_id=inbound_id, force=force, skip_locked=skip_locked,
                        adapters={} if adapters is None else adapters)
    except Exception as exc:
        InboundWebhook.objects.filter(pk=inbound_id).update(
            processing_error=_clean(repr(exc), 2000), processing_attempts=F("processing_attempts") + 1)
        raise


@transaction.atomic
def _process(*, inbound_id: int, force: bool, skip_locked: bool, adapters: dict) -> ProcessOutcome:
    if skip_locked:
        row = InboundWebhook.objects.select_for_update(skip_locked=True).filter(pk=inbound_id).first()
        if row is None:
            return ProcessOutcome(False)
    else:
        row = InboundWebhook.objects.select_for_update().get(pk=inbound_id)
    if row.verdict != V.ACCEPTED or (row.processed_at is not None and not force):
        return ProcessOutcome(False)
    if row.account_id not in adapters:
        account = CarrierAccount.objects.get(pk=row.account_id)
        adapters[row.account_id] = (account, get_adapter(account.carrier, account.credentials()))
    account, adapter = adapters[row.account_id]
    results = adapter.parse_webhook(headers=CaseInsensitiveMapping(row.headers), body=bytes(row.body))
    created = orphaned = 0
    refused = []
    notes = []
    # One lock order for every worker: parcels by tracking number.
    for result in sorted(results, key=lambda r: r.tracking_number):
        if result.needs_retrack:
            retracked, note = _retrack(account=account, adapter=adapter, result=result)
            created += retracked
            if note:
                notes.append(note)
            continue
        outcome = tracking_result_apply(merchant_id=account.merchant_id, carrier=account.carrier, result=result,
                                        source=TrackingEvent.Source.WEBHOOK, inbound=row)
        created += outcome.created
        orphaned += outcome.orphaned
        refused.extend(outcome.refused)
    done = {"processed_at": timezone.now(), "processing_error": "", "events_created": created,
            "events_orphaned": orphaned, "processing_attempts": F("processing_attempts") + 1}
    if refused:  # processed all the same (never retried); support reads why on the log row
        notes.insert(0, refused_summary(refused))
    if notes:
        done["reason"] = _clean("; ".join(notes), 200)
    InboundWebhook.objects.filter(pk=row.pk).update(**done)
    return ProcessOutcome(True, created, orphaned)


def _retrack(*, account: CarrierAccount, adapter: CarrierAdapter, result: TrackingResult) -> tuple[int, str]:
    """A nudge ("this parcel changed", tracker.delivery's callback): ask the provider for the parcel
    through the normal polling path (rate limit, apply, next poll scheduled, failures backed off).
    A nudge about a parcel the merchant does not have is acknowledged and noted, never retried:
    there are no events to keep for later, and the provider would only retry it."""
    from tracking.ingest import polling

    shipment = (Shipment.objects.filter(merchant_id=account.merchant_id, carrier=account.carrier,
                                        tracking_number=_clean(result.tracking_number.strip(), 64)).first())
    if shipment is None:
        logger.info("carrier account %s: callback for unknown parcel %s; nothing re-tracked", account.pk,
                    result.tracking_number)
        return 0, f"unknown parcel {result.tracking_number}: nothing re-tracked"
    outcome = polling.shipment_nudged(shipment=shipment, adapter=adapter, account=account,
                                      carrier_code=result.carrier_code)
    if not outcome.ok:
        return 0, f"re-track of {result.tracking_number} deferred: {outcome.error}"
    return outcome.created, ""


def inbound_webhooks_sweep(*, now=None, limit: int = 500) -> int:
    """Re-enqueue accepted deliveries nobody processed (the broker was down, a worker died), oldest
    first, giving up on a row after settings.DOORSTEP_WEBHOOK_MAX_ATTEMPTS. Returns how many."""
    now = now or timezone.now()
    ids = list(
        InboundWebhook.objects.filter(
            verdict=V.ACCEPTED, processed_at__isnull=True,
            received_at__lt=now - settings.DOORSTEP_WEBHOOK_SWEEP_AFTER,
            processing_attempts__lt=settings.DOORSTEP_WEBHOOK_MAX_ATTEMPTS,
        ).order_by("received_at").values_list("pk", flat=True)[:limit]
    )
    return sum(enqueue_processing(pk) for pk in ids)

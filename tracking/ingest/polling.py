"""Polling carriers for parcels that webhooks do not cover (carriers without webhooks, or parcels
silent too long), with adaptive intervals, per-account rate limits and bounded, jittered backoff;
and expiring parcels that have not moved for too long."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from tracking.backoff import backoff_seconds
from tracking.carriers import status as st
from tracking.carriers.base import CarrierAdapter, CarrierError, Capability, NotFound
from tracking.carriers.registry import adapter_class, available_carriers, environment_credentials, get_adapter
from tracking.models import CarrierAccount, Shipment, ShipmentPollState, TrackingEvent, TrackingWebhookRegistration
from tracking.ingest import ratelimit
from tracking.ingest.registrations import live_registration_q, registers_per_parcel
from tracking.ingest.results import tracking_result_apply
from tracking.services.shipments import NewEvent, shipment_add_events

# A picked parcel is not picked again for this long while its batch waits in the queue.
LEASE = timedelta(minutes=15)
MAX_PER_CARRIER_PER_RUN = 1000
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
DEFAULT_RATE_LIMIT_PER_MINUTE = 60


def poll_interval(*, status: str, since_moving: timedelta | None) -> timedelta:
    """How long until we ask again, by what the parcel is doing: often on the last mile, rarely once
    it has been in the network for a while (most of those days nothing changes)."""
    if status in (st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT):
        return timedelta(minutes=30)
    if status in (st.AVAILABLE_FOR_PICKUP, st.EXCEPTION):
        return timedelta(hours=4)
    if status in (st.PENDING, st.INFO_RECEIVED):
        return timedelta(hours=6)
    if since_moving is None or since_moving < timedelta(days=2):
        return timedelta(hours=3)
    if since_moving < timedelta(days=7):
        return timedelta(hours=8)
    return timedelta(days=1)


def _jitter(delta: timedelta, spread: float = 0.1) -> timedelta:
    # Spread parcels created together so their polls do not arrive at the carrier in one burst.
    return delta * (1 + random.uniform(-spread, spread))


def backoff(failures: int, *, retry_after: float | None = None) -> timedelta:
    """Exponential, capped, full-jitter backoff; a carrier's Retry-After is a floor."""
    delay = timedelta(seconds=backoff_seconds(max(failures - 1, 0), base=BACKOFF_BASE.total_seconds(),
                                              cap=BACKOFF_MAX.total_seconds()))
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def pollable_carriers() -> list[str]:
    return [slug for slug in available_carriers() if adapter_class(slug).capabilities & Capability.POLLING]


def due_shipments(*, carrier: str, now: datetime, limit: int = MAX_PER_CARRIER_PER_RUN):
    """Parcels of one carrier that want a poll now: not terminal, due by their poll state (or never
    polled), and for carriers that push webhooks only the ones silent for too long."""
    qs = (Shipment.objects.filter(carrier=carrier).exclude(status__in=st.TERMINAL)
          .filter(Q(poll_state__isnull=True) | Q(poll_state__next_poll_at__lte=now)))
    if adapter_class(carrier).capabilities & Capability.WEBHOOKS:
        quiet_since = now - settings.DOORSTEP_POLL_SILENT_AFTER
        silent = Q(_last__lt=quiet_since)
        if registers_per_parcel(carrier):
            # Pushed only while a registration lives: without one (failed, lapsed, not made yet) the
            # parcel is polled like a parcel of a carrier without webhooks.
            silent |= ~live_registration_q(now=now)
        qs = qs.annotate(_last=Coalesce("last_event_at", "created_at")).filter(silent)
    return qs.order_by("poll_state__next_poll_at", "pk").values_list("pk", flat=True)[:limit]


@transaction.atomic
def poll_batches_pick(*, now: datetime | None = None) -> list[tuple[str, list[int]]]:
    """Choose what to poll now, lease it, and return (carrier, shipment ids) batches."""
    now = now or timezone.now()
    batches: list[tuple[str, list[int]]] = []
    size = max(settings.DOORSTEP_POLL_BATCH_SIZE, 1)
    for carrier in pollable_carriers():
        ids = list(due_shipments(carrier=carrier, now=now))
        if not ids:
            continue
        _lease(ids, now)
        batches.extend((carrier, ids[i:i + size]) for i in range(0, len(ids), size))
    return batches


def _lease(ids: list[int], now: datetime) -> None:
    until = now + LEASE
    existing = set(ShipmentPollState.objects.filter(shipment_id__in=ids).values_list("shipment_id", flat=True))
    ShipmentPollState.objects.filter(shipment_id__in=existing).update(next_poll_at=until)
    ShipmentPollState.objects.bulk_create(
        [ShipmentPollState(shipment_id=pk, next_poll_at=until) for pk in ids if pk not in existing],
        ignore_conflicts=True,
    )


def rate_limit_take(key: str, limit_per_minute: int, *, now: datetime | None = None) -> bool:
    """One token from the account's one-minute window, shared by every worker (tracking.ingest.ratelimit)."""
    return ratelimit.take(key, limit_per_minute, now=now)


@dataclass
class PollContext:
    """Adapters and rate-limit keys per (merchant, carrier), built once per batch."""

    carrier: str
    _cache: dict | None = None

    def for_shipment(self, shipment: Shipment) -> tuple[CarrierAdapter, str, int]:
        if self._cache is None:
            self._cache = {}
        if shipment.merchant_id not in self._cache:
            account = (CarrierAccount.objects.filter(merchant_id=shipment.merchant_id, carrier=self.carrier,
                                                     is_active=True).order_by("pk").first())
            # The merchant's own account, else the install-wide default from the environment; the
            # provider's base URL from settings either way.
            credentials = account.credentials() if account else environment_credentials(self.carrier)
            adapter = get_adapter(self.carrier, credentials)
            key = f"{self.carrier}:{account.pk if account else 'default'}"
            limit = ratelimit.effective_limit(
                self.carrier, account.poll_rate_limit_per_minute if account else DEFAULT_RATE_LIMIT_PER_MINUTE)
            self._cache[shipment.merchant_id] = (adapter, key, limit)
        return self._cache[shipment.merchant_id]


@dataclass(frozen=True)
class PollOutcome:
    shipment_id: int
    ok: bool
    created: int = 0
    error: str = ""
    retryable: bool = False
    rate_limited: bool = False


def shipment_poll(*, shipment: Shipment, adapter: CarrierAdapter, now: datetime | None = None,
                  carrier_code: str = "", source: str = TrackingEvent.Source.POLL) -> PollOutcome:
    """Ask the carrier about one parcel, record what is new and schedule the next poll.
    ``carrier_code``: the carrier company, for providers covering many (default: the one its
    webhook registration names, if any)."""
    now = now or timezone.now()
    if not carrier_code and registers_per_parcel(shipment.carrier):
        carrier_code = (TrackingWebhookRegistration.objects.filter(shipment_id=shipment.pk)
                        .values_list("carrier_code", flat=True).first()) or ""
    try:
        # Passed only when known (adapters written before carrier_code existed take the number alone).
        result = (adapter.track(shipment.tracking_number, carrier_code=carrier_code) if carrier_code
                  else adapter.track(shipment.tracking_number))
    except CarrierError as exc:
        return _record_failure(shipment=shipment, exc=exc, now=now)
    outcome = tracking_result_apply(merchant_id=shipment.merchant_id, carrier=shipment.carrier, result=result,
                                    source=source, shipment=shipment)
    shipment.refresh_from_db(fields=["status", "shipped_at"])
    since_moving = now - shipment.shipped_at if shipment.shipped_at else None
    interval = poll_interval(status=shipment.status, since_moving=since_moving)
    ShipmentPollState.objects.update_or_create(
        shipment=shipment,
        defaults={"last_polled_at": now, "next_poll_at": now + _jitter(interval), "consecutive_failures": 0,
                  "last_error": ""},
    )
    return PollOutcome(shipment.pk, True, created=outcome.created)


def _record_failure(*, shipment: Shipment, exc: CarrierError, now: datetime) -> PollOutcome:
    state, _ = ShipmentPollState.objects.get_or_create(shipment=shipment, defaults={"next_poll_at": now})
    failures = state.consecutive_failures + 1
    if exc.retryable:
        delay = backoff(failures, retry_after=exc.retry_after)
    elif isinstance(exc, NotFound):
        # Carriers often learn a number hours after the label is printed: ask again later, not in a loop.
        delay = _jitter(timedelta(hours=6))
    else:
        delay = _jitter(timedelta(hours=24))
    ShipmentPollState.objects.filter(pk=state.pk).update(
        consecutive_failures=min(failures, 32767), last_polled_at=now, next_poll_at=now + delay,
        last_error=f"{type(exc).__name__}: {exc}"[:300],
    )
    return PollOutcome(shipment.pk, False, error=str(exc), retryable=exc.retryable)


def poll_batch_run(*, carrier: str, shipment_ids: list[int], now: datetime | None = None) -> list[PollOutcome]:
    """Poll a batch of one carrier's parcels, within each account's rate limit. Parcels over the
    limit are put back for the next minute rather than dropped."""
    now = now or timezone.now()
    context = PollContext(carrier)
    outcomes = []
    shipments = (Shipment.objects.filter(pk__in=shipment_ids, carrier=carrier).exclude(status__in=st.TERMINAL)
                 .order_by("pk"))
    for shipment in shipments:
        adapter, key, limit = context.for_shipment(shipment)
        if not rate_limit_take(key, limit, now=now):
            next_window = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            ShipmentPollState.objects.update_or_create(
                shipment=shipment, defaults={"next_poll_at": next_window + timedelta(seconds=random.uniform(0, 30))})
            outcomes.append(PollOutcome(shipment.pk, False, error="rate limited", rate_limited=True))
            continue
        outcomes.append(shipment_poll(shipment=shipment, adapter=adapter, now=now))
    return outcomes


def shipment_nudged(*, shipment: Shipment, adapter: CarrierAdapter, account: CarrierAccount,
                    carrier_code: str = "", now: datetime | None = None) -> PollOutcome:
    """The provider said the parcel changed without saying how (a tracker.delivery callback): track
    it now, within the account's rate limit. Over the limit, a re-track is queued for the next
    window (after the current transaction commits) instead of being lost."""
    now = now or timezone.now()
    limit = ratelimit.effective_limit(account.carrier, account.poll_rate_limit_per_minute)
    if not rate_limit_take(f"{account.carrier}:{account.pk}", limit, now=now):
        from tracking.ingest.tasks import retrack_shipment

        transaction.on_commit(lambda: retrack_shipment.apply_async((shipment.pk,), countdown=60, retry=False))
        return PollOutcome(shipment.pk, False, error="rate limited", rate_limited=True)
    return shipment_poll(shipment=shipment, adapter=adapter, now=now, carrier_code=carrier_code,
                         source=TrackingEvent.Source.WEBHOOK)


def shipment_retrack(*, shipment: Shipment) -> PollOutcome:
    """Poll one parcel now (support's "re-track now"); ignores the schedule but not the rate limit."""
    if not adapter_class(shipment.carrier).capabilities & Capability.POLLING:
        return PollOutcome(shipment.pk, False, error=f"{shipment.carrier} cannot be polled")
    outcomes = poll_batch_run(carrier=shipment.carrier, shipment_ids=[shipment.pk])
    return outcomes[0] if outcomes else PollOutcome(shipment.pk, False, error="parcel is no longer tracked")


def shipments_expire_stale(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Give up on parcels with no update for settings.DOORSTEP_TRACKING_EXPIRE_AFTER: a SYSTEM event
    with status ``expired`` (terminal), so they leave the polling schedule and the shopper sees why."""
    now = now or timezone.now()
    after = settings.DOORSTEP_TRACKING_EXPIRE_AFTER
    stale = (Shipment.objects.exclude(status__in=st.TERMINAL)
             .annotate(_last=Coalesce("last_event_at", "created_at")).filter(_last__lt=now - after)
             .order_by("_last")[:limit])
    expired = 0
    for shipment in stale:
        event = NewEvent(occurred_at=now, status=st.EXPIRED, carrier_event_id=f"doorstep:expired:{shipment.pk}",
                         carrier_text=f"No carrier update for {after.days} days; tracking stopped.")
        expired += shipment_add_events(shipment=shipment, events=[event], source=TrackingEvent.Source.SYSTEM)
    return expired

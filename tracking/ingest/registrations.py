"""Per-parcel webhook registrations that lapse (tracker.delivery's ``registerTrackWebhook``).

Each travelling parcel of such a provider, on a merchant account that has one, is registered with
an expiration (settings.DOORSTEP_TRACKING_WEBHOOK_TTL) and renewed
settings.DOORSTEP_TRACKING_WEBHOOK_RENEW_BEFORE ahead of it, by the beat task
``renew_webhook_registrations``. A delivered (terminal) parcel is never renewed: its registration
just lapses. A registration that fails is retried with backoff, and meanwhile the parcel is polled
on the normal schedule (tracking.ingest.polling.due_shipments treats it as a parcel without
webhooks): polling is the fallback, never a gap."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracking.backoff import backoff_seconds
from tracking.carriers import status as st
from tracking.carriers.base import CarrierAdapter, CarrierError, Capability
from tracking.carriers.registry import UnknownCarrier, adapter_class, available_carriers, get_adapter
from tracking.ingest import ratelimit
from tracking.models import CarrierAccount, Shipment, TrackingWebhookRegistration

logger = logging.getLogger(__name__)
R = TrackingWebhookRegistration.State

RETRY_BASE = timedelta(minutes=10)
RETRY_CAP = timedelta(hours=6)


def registers_per_parcel(slug: str) -> bool:
    """Whether ``slug``'s adapter takes per-parcel webhook registrations that lapse (``webhook_ttl``)."""
    try:
        cls = adapter_class(slug)
    except UnknownCarrier:
        return False
    return bool(cls.capabilities & Capability.WEBHOOKS) and getattr(cls, "webhook_ttl", None) is not None


def per_parcel_carriers() -> list[str]:
    return [slug for slug in available_carriers() if registers_per_parcel(slug)]


def account_for(*, merchant_id: int, carrier: str) -> CarrierAccount | None:
    """The merchant's active account with ``carrier`` (the oldest, when there are several)."""
    return (CarrierAccount.objects.filter(merchant_id=merchant_id, carrier=carrier, is_active=True)
            .order_by("pk").first())


def account_adapter(account: CarrierAccount) -> CarrierAdapter:
    """An adapter holding the account's credentials, the provider's base URL from settings."""
    return get_adapter(account.carrier, account.credentials())


def _failed(registration: TrackingWebhookRegistration, exc: Exception, now: datetime) -> None:
    failures = registration.consecutive_failures + 1
    delay = timedelta(seconds=backoff_seconds(failures - 1, base=RETRY_BASE.total_seconds(),
                                              cap=RETRY_CAP.total_seconds()))
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    registration.state = R.FAILED
    registration.consecutive_failures = min(failures, 32767)
    registration.next_attempt_at = now + delay
    registration.last_error = f"{type(exc).__name__}: {exc}"[:300]


@transaction.atomic
def shipment_webhook_register(*, shipment: Shipment, now: datetime | None = None,
                              adapter: CarrierAdapter | None = None) -> TrackingWebhookRegistration | None:
    """Register (or renew) the parcel's webhook with its provider. None when nothing is to be done
    (not such a carrier, no account, parcel already terminal). A failure is recorded on the row,
    never raised: the parcel is polled until a retry succeeds."""
    now = now or timezone.now()
    if not registers_per_parcel(shipment.carrier):
        return None
    registration = (TrackingWebhookRegistration.objects.select_for_update().filter(shipment=shipment).first()
                    or TrackingWebhookRegistration(shipment=shipment, merchant_id=shipment.merchant_id))
    if shipment.status in st.TERMINAL:
        if registration.pk and registration.state != R.ENDED:
            registration.state = R.ENDED
            registration.save()
        return registration if registration.pk else None
    account = account_for(merchant_id=shipment.merchant_id, carrier=shipment.carrier)
    if account is None:
        return None
    registration.account = account
    registration.attempts += 1
    try:
        adapter = adapter or account_adapter(account)
        result = adapter.register_tracking(shipment.tracking_number, carrier_code=registration.carrier_code,
                                           callback_url=account.webhook_url,
                                           expires_at=now + settings.DOORSTEP_TRACKING_WEBHOOK_TTL)
    except CarrierError as exc:
        logger.info("webhook registration of shipment %s failed, polled meanwhile: %s", shipment.pk, exc)
        _failed(registration, exc, now)
    except Exception as exc:  # an adapter bug must not stop the other parcels' renewals
        logger.exception("webhook registration of shipment %s crashed", shipment.pk)
        _failed(registration, exc, now)
    else:
        registration.state = R.ACTIVE
        registration.registered_at = now
        registration.expires_at = result.expires_at if result is not None else None
        registration.carrier_code = (result.carrier_code if result is not None else "")[:64]
        registration.consecutive_failures = 0
        registration.next_attempt_at = None
        registration.last_error = ""
    registration.save()
    return registration


def registrations_due(*, now: datetime, limit: int = 500) -> list[int]:
    """Shipment ids to register now: travelling parcels of per-parcel-webhook carriers whose merchant
    has an account, with no registration yet, one lapsing within RENEW_BEFORE, or a failed one whose
    retry is due."""
    carriers = per_parcel_carriers()
    if not carriers:
        return []
    renew_by = now + settings.DOORSTEP_TRACKING_WEBHOOK_RENEW_BEFORE
    accounts = CarrierAccount.objects.filter(carrier__in=carriers, is_active=True)
    due = (Q(webhook_registration__isnull=True)
           | Q(webhook_registration__state=R.ACTIVE, webhook_registration__expires_at__lte=renew_by)
           | Q(webhook_registration__state=R.FAILED, webhook_registration__next_attempt_at__lte=now))
    return list(
        Shipment.objects.filter(carrier__in=carriers, merchant_id__in=accounts.values("merchant_id"))
        .exclude(status__in=st.TERMINAL).filter(due)
        .order_by("webhook_registration__expires_at", "pk").values_list("pk", flat=True)[:limit])


def registrations_end_terminal(*, limit: int = 5000) -> int:
    """Mark the registrations of delivered (terminal) parcels ended: they lapse on their own."""
    ids = list(TrackingWebhookRegistration.objects.exclude(state=R.ENDED)
               .filter(shipment__status__in=st.TERMINAL).values_list("pk", flat=True)[:limit])
    return TrackingWebhookRegistration.objects.filter(pk__in=ids).update(state=R.ENDED, updated_at=timezone.now())


def webhook_registrations_renew(*, now: datetime | None = None, limit: int = 500) -> dict:
    """Beat: end the registrations of terminal parcels, then register/renew what is due."""
    now = now or timezone.now()
    ended = registrations_end_terminal()
    adapters: dict[int, CarrierAdapter] = {}
    exhausted: set[int] = set()
    registered = failed = 0
    accounts: dict[tuple[int, str], CarrierAccount | None] = {}
    for shipment in Shipment.objects.filter(pk__in=registrations_due(now=now, limit=limit)).order_by("pk"):
        key = (shipment.merchant_id, shipment.carrier)
        if key not in accounts:
            accounts[key] = account_for(merchant_id=shipment.merchant_id, carrier=shipment.carrier)
        account = accounts[key]
        if account is None:
            continue
        if account.pk in exhausted:
            continue
        # Registrations spend the same per-account budget as polls (one limiter across workers).
        limit = ratelimit.effective_limit(account.carrier, account.poll_rate_limit_per_minute)
        if not ratelimit.take(f"{account.carrier}:{account.pk}", limit, now=now):
            exhausted.add(account.pk)  # the rest wait for the next run
            continue
        if account.pk not in adapters:
            adapters[account.pk] = account_adapter(account)
        registration = shipment_webhook_register(shipment=shipment, now=now, adapter=adapters[account.pk])
        if registration is None:
            continue
        if registration.state == R.ACTIVE:
            registered += 1
        elif registration.state == R.FAILED:
            failed += 1
    return {"ended": ended, "registered": registered, "failed": failed}


def live_registration_q(*, now: datetime, prefix: str = "") -> Q:
    """Parcels a live registration covers: active and not lapsed (or never lapsing)."""
    return Q(**{f"{prefix}webhook_registration__state": R.ACTIVE}) & (
        Q(**{f"{prefix}webhook_registration__expires_at__isnull": True})
        | Q(**{f"{prefix}webhook_registration__expires_at__gt": now}))

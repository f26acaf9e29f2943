"""Polling: who is due, adaptive intervals, lock, rate limits, backoff, expiry, re-track."""
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import OrderFactory, ShipmentFactory, TrackingEventFactory
from tracking.carriers import status as st
from tracking.carriers.base import NotFound, RateLimited, TrackingEventData, TrackingResult
from tracking.carriers.mock import make_tracking_number
from tracking.locks import single_run
from tracking.models import Shipment, ShipmentPollState, TrackingEvent
from tracking.ingest import polling
from tracking.ingest.accounts import carrier_account_create
from tracking.ingest.tasks import expire_stale_shipments, poll_due_shipments, retrack_shipment

H = timedelta(hours=1)


@pytest.mark.parametrize("status,since,expected", [
    (st.OUT_FOR_DELIVERY, timedelta(days=3), timedelta(minutes=30)),
    (st.FAILED_ATTEMPT, None, timedelta(minutes=30)),
    (st.IN_TRANSIT, timedelta(hours=5), 3 * H),
    (st.IN_TRANSIT, timedelta(days=4), 8 * H),
    (st.IN_TRANSIT, timedelta(days=12), 24 * H),
    (st.INFO_RECEIVED, None, 6 * H),
    (st.EXCEPTION, timedelta(days=1), 4 * H),
])
def test_poll_interval_adapts_to_what_the_parcel_is_doing(status, since, expected):
    assert polling.poll_interval(status=status, since_moving=since) == expected


def test_backoff_grows_is_capped_and_honours_retry_after():
    assert polling.backoff(1) <= polling.BACKOFF_BASE
    assert polling.backoff(3) > polling.BACKOFF_BASE
    assert all(polling.backoff(n) <= polling.BACKOFF_MAX for n in range(1, 40))
    assert polling.backoff(1, retry_after=3600) >= timedelta(seconds=3600)


def _ship(carrier, merchant=None, **kw):
    order = OrderFactory(merchant=merchant) if merchant else OrderFactory()
    return ShipmentFactory(order=order, carrier=carrier, **kw)


def test_due_selection(db, fake_carriers):
    now = timezone.now()
    webhook_recent = _ship("mock")
    TrackingEventFactory(shipment=webhook_recent, occurred_at=now - H)
    Shipment.objects.filter(pk=webhook_recent.pk).update(last_event_at=now - H)
    webhook_silent = _ship("mock")
    Shipment.objects.filter(pk=webhook_silent.pk).update(last_event_at=now - timedelta(days=3))
    poll_only_recent = _ship("pollonly")
    Shipment.objects.filter(pk=poll_only_recent.pk).update(last_event_at=now - H)
    poll_only_scheduled = _ship("pollonly")
    ShipmentPollState.objects.create(shipment=poll_only_scheduled, next_poll_at=now + H)
    delivered = _ship("pollonly")
    Shipment.objects.filter(pk=delivered.pk).update(status=st.DELIVERED)

    assert list(polling.due_shipments(carrier="mock", now=now)) == [webhook_silent.pk]
    assert list(polling.due_shipments(carrier="pollonly", now=now)) == [poll_only_recent.pk]


def test_beat_job_polls_due_parcels_and_schedules_the_next_poll(db, settings, django_capture_on_commit_callbacks):
    number = make_tracking_number("in_transit", datetime.now(UTC) - timedelta(hours=30), 1)
    shipment = _ship("mock", tracking_number=number)
    Shipment.objects.filter(pk=shipment.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert poll_due_shipments.delay().get() == 1
    shipment.refresh_from_db()
    assert shipment.events.filter(source=TrackingEvent.Source.POLL).exists()
    assert shipment.status == st.IN_TRANSIT
    assert shipment.carrier_delivery_date is not None
    state = shipment.poll_state
    assert state.last_polled_at is not None and state.consecutive_failures == 0
    assert timedelta(hours=2) < state.next_poll_at - state.last_polled_at < timedelta(hours=4)
    assert poll_due_shipments.delay().get() == 0  # not due again yet


def test_two_schedulers_never_double_poll(db, fake_carriers):
    _ship("pollonly")
    with single_run("tracking.poll_due_shipments", timeout=60) as held:
        assert held
        assert poll_due_shipments.delay().get() == 0
    assert fake_carriers.calls == []
    assert poll_due_shipments.delay().get() == 1


def test_batches_are_per_carrier_and_sized(db, fake_carriers, settings):
    settings.DOORSTEP_POLL_BATCH_SIZE = 2
    for _ in range(5):
        _ship("pollonly")
    batches = polling.poll_batches_pick()
    assert [(carrier, len(ids)) for carrier, ids in batches] == [("pollonly", 2), ("pollonly", 2), ("pollonly", 1)]
    # Leased: a second scheduler run right away finds nothing to pick.
    assert polling.poll_batches_pick() == []


def test_rate_limit_per_account(db, fake_carriers):
    from tests.factories import MerchantFactory

    merchant = MerchantFactory()
    carrier_account_create(merchant=merchant, carrier="pollonly", api_key="key-1", poll_rate_limit_per_minute=2)
    ids = [_ship("pollonly", merchant=merchant).pk for _ in range(5)]
    now = timezone.now()
    outcomes = polling.poll_batch_run(carrier="pollonly", shipment_ids=ids, now=now)
    assert sum(o.ok for o in outcomes) == 2
    assert sum(o.rate_limited for o in outcomes) == 3
    assert {api_key for _, api_key in fake_carriers.calls} == {"key-1"}  # the account's credentials
    later = ShipmentPollState.objects.filter(shipment_id__in=[o.shipment_id for o in outcomes if o.rate_limited])
    assert all(now < s.next_poll_at <= now + timedelta(minutes=2) for s in later)


def test_retryable_errors_back_off_with_bounds(db, fake_carriers):
    shipment = _ship("pollonly")
    fake_carriers.script[shipment.tracking_number] = RateLimited("slow down", retry_after=900)
    now = timezone.now()
    polling.poll_batch_run(carrier="pollonly", shipment_ids=[shipment.pk], now=now)
    state = ShipmentPollState.objects.get(shipment=shipment)
    assert state.consecutive_failures == 1
    assert state.next_poll_at >= now + timedelta(seconds=900)
    assert "RateLimited" in state.last_error
    for _ in range(10):
        polling.poll_batch_run(carrier="pollonly", shipment_ids=[shipment.pk], now=now)
    state.refresh_from_db()
    assert state.consecutive_failures == 11
    assert state.next_poll_at <= now + polling.BACKOFF_MAX


def test_not_found_is_retried_hours_later(db, fake_carriers):
    shipment = _ship("pollonly")
    fake_carriers.script[shipment.tracking_number] = NotFound("unknown number")
    now = timezone.now()
    polling.poll_batch_run(carrier="pollonly", shipment_ids=[shipment.pk], now=now)
    assert ShipmentPollState.objects.get(shipment=shipment).next_poll_at > now + 5 * H


def test_poll_result_updates_status_and_estimate(db, fake_carriers):
    shipment = _ship("pollonly")
    when = timezone.now() - H
    fake_carriers.script[shipment.tracking_number] = TrackingResult(
        tracking_number=shipment.tracking_number.lower(), carrier="pollonly", estimated_delivery=date(2026, 4, 1),
        events=[TrackingEventData(occurred_at=when, status=st.OUT_FOR_DELIVERY, carrier_code="OFD")])
    outcome = polling.shipment_retrack(shipment=shipment)
    assert outcome.ok and outcome.created == 1
    shipment.refresh_from_db()
    assert shipment.status == st.OUT_FOR_DELIVERY
    assert shipment.carrier_delivery_date == date(2026, 4, 1)
    assert shipment.poll_state.next_poll_at - shipment.poll_state.last_polled_at < timedelta(minutes=40)


def test_retrack_task_retries_boundedly_then_gives_up(db, fake_carriers):
    from celery.exceptions import Retry

    shipment = _ship("pollonly")
    fake_carriers.script[shipment.tracking_number] = RateLimited("slow down")
    with pytest.raises(Retry) as retry:
        retrack_shipment.apply(args=(shipment.pk,))
    assert 30 <= retry.value.when <= 60  # jittered first retry
    # On the last allowed retry it gives up quietly: the (backed-off) poll schedule takes over.
    result = retrack_shipment.apply(args=(shipment.pk,), retries=retrack_shipment.max_retries)
    assert result.get() == {"ok": False, "created": 0, "error": "slow down"}


def test_expiry_after_n_days_without_update(db, settings):
    settings.DOORSTEP_TRACKING_EXPIRE_AFTER = timedelta(days=30)
    stale = _ship("mock")
    TrackingEventFactory(shipment=stale, status=st.IN_TRANSIT, occurred_at=timezone.now() - timedelta(days=31))
    Shipment.objects.filter(pk=stale.pk).update(last_event_at=timezone.now() - timedelta(days=31))
    fresh = _ship("mock")
    Shipment.objects.filter(pk=fresh.pk).update(last_event_at=timezone.now() - timedelta(days=2))
    never_moved = _ship("mock")
    Shipment.objects.filter(pk=never_moved.pk).update(created_at=timezone.now() - timedelta(days=40))

    assert expire_stale_shipments.delay().get() == 2
    stale.refresh_from_db()
    assert stale.status == st.EXPIRED
    event = stale.events.get(status=st.EXPIRED)
    assert event.source == TrackingEvent.Source.SYSTEM
    assert Shipment.objects.get(pk=never_moved.pk).status == st.EXPIRED
    assert Shipment.objects.get(pk=fresh.pk).status == st.PENDING
    assert expire_stale_shipments.delay().get() == 0  # terminal now: not expired twice
    assert list(polling.due_shipments(carrier="mock", now=timezone.now() + timedelta(days=5))) == [fresh.pk]

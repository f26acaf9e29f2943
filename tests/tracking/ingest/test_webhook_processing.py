"""Processing stored deliveries: events, status, idempotency, order independence, orphans, sweeper."""
import threading
from datetime import UTC, datetime, timedelta
from unittest import mock as um

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import OrderFactory, ShipmentFactory
from tracking import signals
from tracking.carriers import status as st
from tracking.carriers.mock import all_scenario_events, make_tracking_number, webhook_payload
from tracking.models import InboundWebhook, PendingEvent, Shipment, TrackingEvent
from tracking.ingest.webhooks import inbound_webhook_process, inbound_webhooks_sweep
from tracking.ingest.tasks import sweep_inbound_webhooks

from tests.support.webhooks import post, signed

SHIPPED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def parcel(account, scenario="on_time", serial=1):
    number = make_tracking_number(scenario, SHIPPED, serial)
    order = OrderFactory(merchant=account.merchant, placed_at=SHIPPED - timedelta(days=1))  # events follow it
    return ShipmentFactory(order=order, carrier="mock", tracking_number=number), all_scenario_events(number)


def test_delivery_updates_the_log_status_and_carrier_estimate(account, deliver):
    shipment, events = parcel(account)
    estimate = datetime(2026, 3, 5).date()
    assert deliver(shipment.tracking_number, events, "dlv_all", estimated_delivery=estimate).status_code == 202
    shipment.refresh_from_db()
    assert shipment.events.count() == len(events)
    assert shipment.status == st.DELIVERED
    assert shipment.carrier_delivery_date == estimate
    assert set(shipment.events.values_list("source", flat=True)) == {TrackingEvent.Source.WEBHOOK}


def test_signals_fire_for_status_changes_and_delivery(account, deliver):
    shipment, events = parcel(account)
    changed, delivered = [], []
    signals.shipment_status_changed.connect(lambda **kw: changed.append(kw["new_status"]), weak=False,
                                            dispatch_uid="t-changed")
    signals.shipment_delivered.connect(lambda **kw: delivered.append(kw["shipment_id"]), weak=False,
                                       dispatch_uid="t-delivered")
    try:
        for index, event in enumerate(events):
            deliver(shipment.tracking_number, [event], f"dlv_{index}")
    finally:
        signals.shipment_status_changed.disconnect(dispatch_uid="t-changed")
        signals.shipment_delivered.disconnect(dispatch_uid="t-delivered")
    assert changed[0] == st.INFO_RECEIVED and changed[-1] == st.DELIVERED
    assert delivered == [shipment.pk]


def test_failed_attempt_and_exception_signals(account, deliver):
    failed, exceptions = [], []
    signals.shipment_failed_attempt.connect(lambda **kw: failed.append(kw["reason"]), weak=False, dispatch_uid="t-f")
    signals.shipment_exception.connect(lambda **kw: exceptions.append(kw["reason"]), weak=False, dispatch_uid="t-x")
    try:
        for scenario, serial in (("failed_then_delivered", 2), ("customs_hold", 3)):
            shipment, events = parcel(account, scenario, serial)
            for index, event in enumerate(events):
                deliver(shipment.tracking_number, [event], f"dlv_{serial}_{index}")
    finally:
        signals.shipment_failed_attempt.disconnect(dispatch_uid="t-f")
        signals.shipment_exception.disconnect(dispatch_uid="t-x")
    assert "recipient_unavailable" in failed
    assert "customs" in exceptions


def test_an_older_in_transit_arriving_after_delivered_does_not_undo_it(account, deliver):
    shipment, events = parcel(account)
    delivered = [e for e in events if e.status == st.DELIVERED]
    older = [e for e in events if e.status == st.IN_TRANSIT]
    deliver(shipment.tracking_number, delivered, "dlv_late_1")
    deliver(shipment.tracking_number, older, "dlv_late_2")
    shipment.refresh_from_db()
    assert shipment.status == st.DELIVERED


def test_replaying_and_reprocessing_leave_one_event_each(account, deliver, client,
                                                         django_capture_on_commit_callbacks):
    shipment, events = parcel(account)
    deliver(shipment.tracking_number, events, "dlv_1")
    # The same events again under new delivery ids (a carrier re-sending history)…
    deliver(shipment.tracking_number, events, "dlv_2")
    deliver(shipment.tracking_number, events[:3], "dlv_3")
    # …and every stored delivery forced through processing again.
    for row in InboundWebhook.objects.all():
        inbound_webhook_process(inbound_id=row.pk, force=True)
    assert shipment.events.count() == len(events)


def test_processing_twice_is_a_no_op(account, deliver):
    shipment, events = parcel(account)
    deliver(shipment.tracking_number, events, "dlv_1")
    row = InboundWebhook.objects.get()
    assert inbound_webhook_process(inbound_id=row.pk).processed is False


def test_orphan_events_attach_when_the_shipment_is_created(account, deliver):
    number = make_tracking_number("on_time", SHIPPED, 9)
    events = all_scenario_events(number)
    deliver(number, events[:3], "dlv_early", estimated_delivery=datetime(2026, 3, 6).date())
    assert PendingEvent.objects.filter(attached_at__isnull=True).count() == 3
    shipment = ShipmentFactory(order=OrderFactory(merchant=account.merchant, placed_at=SHIPPED - timedelta(days=1)),
                               carrier="mock", tracking_number=number)
    assert shipment.events.count() == 3
    shipment.refresh_from_db()
    assert shipment.status == st.derive_status(events[:3]).status
    assert shipment.carrier_delivery_date == datetime(2026, 3, 6).date()
    assert PendingEvent.objects.filter(attached_at__isnull=True).count() == 0
    assert PendingEvent.objects.filter(attached_to=shipment).count() == 3  # kept, marked attached


def test_orphans_of_one_merchant_never_attach_to_another(account, deliver):
    number = make_tracking_number("on_time", SHIPPED, 10)
    deliver(number, all_scenario_events(number)[:2], "dlv_1")
    other = ShipmentFactory(carrier="mock", tracking_number=number)
    assert other.merchant_id != account.merchant_id
    assert other.events.count() == 0
    assert PendingEvent.objects.filter(attached_at__isnull=True).count() == 2


@pytest.mark.parametrize("drain_window_ms", [0, 1000])  # one task per delivery, coalesced drains
def test_sweeper_enqueues_deliveries_the_broker_never_got(client, account, settings, drain_window_ms,
                                                          django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS = drain_window_ms
    settings.DOORSTEP_REDIS_RETRY_AFTER_SECONDS = 0  # the sweep runs once the broker is back (no breaker pause)
    shipment, events = parcel(account)
    body = webhook_payload(shipment.tracking_number, events, "dlv_lost")
    down = ConnectionError("down")
    with um.patch("tracking.ingest.tasks.process_inbound_webhook.apply_async", side_effect=down), \
            um.patch("tracking.ingest.tasks.drain_inbound_webhooks.apply_async", side_effect=down):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, account, body, signed(body)).status_code == 202  # still acknowledged
    row = InboundWebhook.objects.get()
    assert row.processed_at is None and shipment.events.count() == 0

    assert inbound_webhooks_sweep() == 0  # too young: it may still be in a healthy queue
    InboundWebhook.objects.filter(pk=row.pk).update(received_at=timezone.now() - settings.DOORSTEP_WEBHOOK_SWEEP_AFTER
                                                    - timedelta(seconds=1))
    assert sweep_inbound_webhooks.delay().get() == 1
    row.refresh_from_db()
    assert row.processed_at is not None
    assert shipment.events.count() == len(events)
    assert inbound_webhooks_sweep() == 0  # processed rows are left alone


def test_sweeper_gives_up_after_max_attempts(account, settings):
    row = InboundWebhook.objects.create(account=account, merchant=account.merchant, public_id=account.public_id,
                                        verdict=InboundWebhook.Verdict.ACCEPTED, body=b"{}",
                                        processing_attempts=settings.DOORSTEP_WEBHOOK_MAX_ATTEMPTS)
    InboundWebhook.objects.filter(pk=row.pk).update(received_at=timezone.now() - timedelta(hours=1))
    assert inbound_webhooks_sweep() == 0


def test_processing_failure_is_recorded_and_counted(account):
    row = InboundWebhook.objects.create(account=account, merchant=account.merchant, public_id=account.public_id,
                                        verdict=InboundWebhook.Verdict.ACCEPTED, body=b"not json")
    with pytest.raises(Exception):
        inbound_webhook_process(inbound_id=row.pk)
    row.refresh_from_db()
    assert row.processing_attempts == 1
    assert "not JSON" in row.processing_error
    assert row.processed_at is None


def test_sweeper_attaches_orphans_whose_shipment_appeared(account, deliver):
    number = make_tracking_number("on_time", SHIPPED, 11)
    deliver(number, all_scenario_events(number)[:2], "dlv_1")
    # Created behind the receiver's back (bulk insert: no post_save), like a race would leave it.
    order = OrderFactory(merchant=account.merchant, placed_at=SHIPPED - timedelta(days=1))
    Shipment.objects.bulk_create([Shipment(merchant=account.merchant, order=order, carrier="mock",
                                           tracking_number=number)])
    sweep_inbound_webhooks.delay().get()
    assert Shipment.objects.get(tracking_number=number).events.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_copies_leave_one_event_each(account):
    shipment, events = parcel(account)
    body = webhook_payload(shipment.tracking_number, events, "dlv_same")
    # Twenty stored copies (as if the carrier had used fresh delivery ids), processed at once.
    rows = [InboundWebhook.objects.create(account=account, merchant=account.merchant, public_id=account.public_id,
                                          verdict=InboundWebhook.Verdict.ACCEPTED, body=body,
                                          headers={}, provider_event_id=f"copy-{i}") for i in range(20)]
    barrier = threading.Barrier(20)
    errors = []

    def work(pk):
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            inbound_webhook_process(inbound_id=pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=work, args=(row.pk,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert TrackingEvent.objects.filter(shipment=shipment).count() == len(events)
    assert Shipment.objects.get(pk=shipment.pk).status == st.DELIVERED
    assert InboundWebhook.objects.filter(processed_at__isnull=False).count() == 20


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_runs_of_one_delivery_process_it_once(account):
    shipment, events = parcel(account)
    row = InboundWebhook.objects.create(account=account, merchant=account.merchant, public_id=account.public_id,
                                        verdict=InboundWebhook.Verdict.ACCEPTED, headers={},
                                        body=webhook_payload(shipment.tracking_number, events, "dlv_1"))
    barrier = threading.Barrier(20)
    results = []

    def work():
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            results.append(inbound_webhook_process(inbound_id=row.pk).processed)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 19 + [True]
    assert TrackingEvent.objects.filter(shipment=shipment).count() == len(events)

"""Coalesced processing: deliveries share drain tasks; each stored row is processed exactly once."""
import threading
from datetime import UTC, datetime, timedelta
from unittest import mock as um

import pytest
from django.db import connection

from tests.factories import OrderFactory, ShipmentFactory
from tracking.carriers import status as st
from tracking.carriers.mock import all_scenario_events, make_tracking_number, webhook_payload
from tracking.models import InboundWebhook, TrackingEvent
from tracking.ingest.drain import drain_schedule_forget, inbound_webhooks_drain

from tests.support.webhooks import post, signed

SHIPPED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
V = InboundWebhook.Verdict


def parcel(account, serial):
    number = make_tracking_number("on_time", SHIPPED, serial)
    shipment = ShipmentFactory(order=OrderFactory(merchant=account.merchant, placed_at=SHIPPED - timedelta(days=1)),
                               carrier="mock", tracking_number=number)
    return shipment, all_scenario_events(number)


def stored(account, shipment, events, delivery_id):
    """An accepted delivery as the endpoint leaves it when no worker has run yet."""
    return InboundWebhook.objects.create(
        account=account, merchant=account.merchant, public_id=account.public_id, verdict=V.ACCEPTED, headers={},
        body=webhook_payload(shipment.tracking_number, events, delivery_id), provider_event_id=delivery_id)


@pytest.fixture
def not_eager():
    """A real broker: publishing only queues the drain (recorded here), nothing runs inline."""
    with um.patch("tracking.ingest.drain._published_tasks_run_inline", return_value=False), \
            um.patch("tracking.ingest.tasks.drain_inbound_webhooks.apply_async") as publish:
        yield publish


def test_a_drain_processes_every_waiting_delivery_once(account):
    parcels = [parcel(account, serial) for serial in range(1, 4)]
    rows = [stored(account, shipment, events, f"dlv_{i}") for i, (shipment, events) in enumerate(parcels)]
    outcome = inbound_webhooks_drain()
    assert (outcome.processed, outcome.skipped, outcome.failed, outcome.more) == (3, 0, 0, False)
    for shipment, events in parcels:
        assert TrackingEvent.objects.filter(shipment=shipment).count() == len(events)
        shipment.refresh_from_db()
        assert shipment.status == st.DELIVERED
    assert InboundWebhook.objects.filter(pk__in=[r.pk for r in rows], processed_at__isnull=True).count() == 0
    assert inbound_webhooks_drain().processed == 0  # nothing left: a second drain is a no-op


def test_a_full_batch_asks_for_another_drain(account):
    shipment, events = parcel(account, 1)
    for i in range(3):
        stored(account, shipment, events[i:i + 1], f"dlv_{i}")
    first = inbound_webhooks_drain(limit=2)
    assert (first.processed, first.more) == (2, True)
    second = inbound_webhooks_drain(limit=2)
    assert (second.processed, second.more) == (1, False)
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 3


def test_a_failing_delivery_is_recorded_and_left_to_the_sweeper(account):
    shipment, events = parcel(account, 1)
    bad = InboundWebhook.objects.create(account=account, merchant=account.merchant, public_id=account.public_id,
                                        verdict=V.ACCEPTED, body=b"not json", provider_event_id="bad")
    good = stored(account, shipment, events, "dlv_good")
    outcome = inbound_webhooks_drain()
    assert (outcome.processed, outcome.failed) == (1, 1)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.processing_attempts == 1 and bad.processing_error and bad.processed_at is None
    assert good.processed_at is not None
    # Drains only take untried rows; retries of the failed one go through the sweeper's backoff.
    assert inbound_webhooks_drain().failed == 0


def test_n_deliveries_in_one_window_publish_one_drain(client, account, settings, not_eager,
                                                      django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS = 1000
    for serial in range(1, 6):
        body = webhook_payload(make_tracking_number("on_time", SHIPPED, serial), [], f"dlv_{serial}")
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, account, body, signed(body)).status_code == 202
    assert not_eager.call_count == 1
    assert not_eager.call_args.kwargs["countdown"] == 1.0  # due after the window, so it sees all five rows
    drain_schedule_forget()  # the window has passed
    body = webhook_payload(make_tracking_number("on_time", SHIPPED, 9), [], "dlv_9")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, account, body, signed(body))
    assert not_eager.call_count == 2


def test_a_failed_publish_is_not_trusted_by_the_next_delivery(client, account, settings, not_eager,
                                                             django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS = 1000
    settings.DOORSTEP_REDIS_RETRY_AFTER_SECONDS = 0  # no breaker pause: the next delivery may try at once
    not_eager.side_effect = ConnectionError("broker down")
    for serial in (1, 2):
        body = webhook_payload(make_tracking_number("on_time", SHIPPED, serial), [], f"dlv_{serial}")
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, account, body, signed(body)).status_code == 202  # still acknowledged
    assert not_eager.call_count == 2  # each delivery tried again; the sweeper covers them meanwhile
    assert InboundWebhook.objects.filter(verdict=V.ACCEPTED, processed_at__isnull=True).count() == 2


def test_after_a_failed_publish_deliveries_do_not_wait_on_the_broker_for_a_while(
        client, account, settings, not_eager, django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS = 1000
    settings.DOORSTEP_REDIS_RETRY_AFTER_SECONDS = 600
    not_eager.side_effect = ConnectionError("broker down")
    for serial in range(1, 6):
        body = webhook_payload(make_tracking_number("on_time", SHIPPED, serial), [], f"dlv_{serial}")
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, account, body, signed(body)).status_code == 202
    assert not_eager.call_count == 1  # one try, then the breaker: stored rows wait for the sweeper
    assert InboundWebhook.objects.filter(verdict=V.ACCEPTED, processed_at__isnull=True).count() == 5


def test_window_zero_publishes_one_task_per_delivery(client, account, settings, django_capture_on_commit_callbacks):
    settings.DOORSTEP_WEBHOOK_DRAIN_WINDOW_MS = 0
    with um.patch("tracking.ingest.tasks.process_inbound_webhook.apply_async") as per_row:
        for serial in (1, 2):
            body = webhook_payload(make_tracking_number("on_time", SHIPPED, serial), [], f"dlv_{serial}")
            with django_capture_on_commit_callbacks(execute=True):
                post(client, account, body, signed(body))
    assert [c.args[0] for c in per_row.call_args_list] == [
        (pk,) for pk in InboundWebhook.objects.order_by("id").values_list("pk", flat=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_racing_drains_process_each_row_once(account):
    parcels = [parcel(account, serial) for serial in range(1, 9)]
    rows = [stored(account, shipment, events, f"dlv_{i}") for i, (shipment, events) in enumerate(parcels)]
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def work():
        from django.db import connection as thread_connection
        try:
            barrier.wait()
            outcomes.append(inbound_webhooks_drain())
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(o.processed for o in outcomes) == len(rows)  # each row processed by exactly one drain
    assert sum(o.processed + o.skipped for o in outcomes) == 4 * len(rows)
    assert list(InboundWebhook.objects.values_list("processing_attempts", flat=True)) == [1] * len(rows)
    for shipment, events in parcels:
        assert TrackingEvent.objects.filter(shipment=shipment).count() == len(events)

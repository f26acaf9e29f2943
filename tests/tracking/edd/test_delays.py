"""Delay detection: one case per delay, the signal once, resolution, the beat job."""
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.factories import MerchantFactory, OrderFactory, ShipmentFactory
from tracking import signals
from tracking.carriers import status as st
from tracking.models import DelayCase, Shipment
from tracking.edd.delays import delays_detect, shipment_detect_delay
from tracking.services.shipments import NewEvent, shipment_add_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def delayed_signals():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    signals.shipment_delayed.connect(receiver, dispatch_uid="test-delays")
    yield received
    signals.shipment_delayed.disconnect(dispatch_uid="test-delays")


def late_shipment(**kw):
    s = ShipmentFactory(**kw)
    Shipment.objects.filter(pk=s.pk).update(status=st.IN_TRANSIT, promised_delivery_date=date(2025, 11, 20),
                                            predicted_window_start=date(2025, 11, 20),
                                            predicted_window_end=date(2025, 11, 24),
                                            predicted_delivery_date=date(2025, 11, 21))
    s.refresh_from_db()
    return s


def test_predicted_past_promise_opens_one_case_and_signals_once(delayed_signals,
                                                                  django_capture_on_commit_callbacks):
    shipment = late_shipment()
    with django_capture_on_commit_callbacks(execute=True):
        first = shipment_detect_delay(shipment=shipment)
        second = shipment_detect_delay(shipment=shipment)
    assert first is not None and second is None
    assert DelayCase.objects.count() == 1
    case = DelayCase.objects.get()
    assert (case.kind, case.promised_date, case.predicted_window_end) == (
        "predicted_late", date(2025, 11, 20), date(2025, 11, 24))
    assert len(delayed_signals) == 1
    assert delayed_signals[0] == {"signal": signals.shipment_delayed, "shipment_id": shipment.pk,
                                  "merchant_id": shipment.merchant_id, "delay_case_id": case.pk,
                                  "kind": "predicted_late", "reason": "",
                                  # the promise passed a year ago: history, flagged without an email
                                  "notify_shopper": False}
    shipment.refresh_from_db()
    assert shipment.is_delayed


def test_beat_job_twice_gives_one_case(delayed_signals, django_capture_on_commit_callbacks):
    late_shipment()
    late_shipment()
    on_time = ShipmentFactory()
    # The job re-predicts before it judges: a promise a month ahead stays on time.
    Shipment.objects.filter(pk=on_time.pk).update(status=st.IN_TRANSIT,
                                                  promised_delivery_date=date.today() + timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert delays_detect() == 2
        assert delays_detect() == 0
    assert DelayCase.objects.count() == 2 and len(delayed_signals) == 2


def test_delay_reason_events_open_one_case_not_one_per_event(delayed_signals, django_capture_on_commit_callbacks):
    merchant = MerchantFactory()
    shipment = ShipmentFactory(order=OrderFactory(merchant=merchant))
    now = datetime.now(timezone.utc)
    for hours, reason in [(5, "weather"), (4, "weather"), (3, "carrier_delay")]:
        with django_capture_on_commit_callbacks(execute=True):
            shipment_add_events(shipment=shipment, source="webhook", events=[
                NewEvent(occurred_at=now - timedelta(hours=hours), status=st.IN_TRANSIT, reason=reason)])
    with django_capture_on_commit_callbacks(execute=True):
        delays_detect()
    assert DelayCase.objects.filter(shipment=shipment).count() == 1
    assert DelayCase.objects.get().kind == "delay_reason" and DelayCase.objects.get().reason == "weather"
    assert len(delayed_signals) == 1


def test_delivery_resolves_the_case_and_a_new_delay_is_a_new_case(delayed_signals,
                                                                   django_capture_on_commit_callbacks):
    shipment = late_shipment()
    with django_capture_on_commit_callbacks(execute=True):
        shipment_detect_delay(shipment=shipment)
        Shipment.objects.filter(pk=shipment.pk).update(predicted_window_start=date(2025, 11, 18),
                                                       predicted_window_end=date(2025, 11, 19),
                                                       predicted_delivery_date=date(2025, 11, 19))
        shipment_detect_delay(shipment=shipment)
    case = DelayCase.objects.get()
    assert case.resolved_at is not None and case.resolution == "back_on_time"
    shipment.refresh_from_db()
    assert not shipment.is_delayed
    with django_capture_on_commit_callbacks(execute=True):
        Shipment.objects.filter(pk=shipment.pk).update(predicted_window_end=date(2025, 11, 26),
                                                       predicted_delivery_date=date(2025, 11, 25))
        shipment_detect_delay(shipment=shipment)
        Shipment.objects.filter(pk=shipment.pk).update(status=st.DELIVERED)
        delays_detect()
    assert DelayCase.objects.count() == 2
    assert DelayCase.objects.filter(resolved_at__isnull=True).count() == 0
    assert DelayCase.objects.latest("opened_at").resolution == "delivered"
    assert len(delayed_signals) == 2


def test_database_refuses_two_open_cases():
    from django.db import IntegrityError, transaction

    shipment = late_shipment()
    common = {"merchant": shipment.merchant, "shipment": shipment, "kind": "predicted_late", "carrier": "mock",
              "opened_at": datetime.now(timezone.utc)}
    DelayCase.objects.create(**common)
    with pytest.raises(IntegrityError), transaction.atomic():
        DelayCase.objects.create(**common)


def test_returns_and_terminal_parcels_are_never_delayed(django_capture_on_commit_callbacks):
    returned = late_shipment(is_return=True)
    cancelled = late_shipment()
    Shipment.objects.filter(pk=cancelled.pk).update(status=st.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        assert delays_detect() == 0
    assert not DelayCase.objects.filter(shipment__in=[returned, cancelled]).exists()


def test_cases_belong_to_the_shipments_merchant():
    a, b = late_shipment(), late_shipment(order__merchant=MerchantFactory(slug="other-shop"))
    delays_detect()
    assert {c.merchant_id for c in DelayCase.objects.filter(shipment=a)} == {a.merchant_id}
    assert {c.merchant_id for c in DelayCase.objects.filter(shipment=b)} == {b.merchant_id}
    assert a.merchant_id != b.merchant_id


def test_detect_task_takes_the_lock():
    from tracking.edd.tasks import detect_delays
    from tracking.locks import single_run

    late_shipment()
    with single_run("edd:detect_delays", timeout=60):
        assert detect_delays.delay().get() == -1
    assert detect_delays.delay().get() == 1

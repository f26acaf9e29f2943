"""Carrier clocks (issue 17, item 7): events dated more than a day ahead, before the order was placed, or
in years 1 and 9999 are refused where they are ingested, with the reason on the log row; the delivery
is processed and done (never retried, no DataError), and nothing of the refused events is stored."""
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import OrderFactory, ShipmentFactory
from tests.support.webhooks import SECRET, post, signed
from tracking.carriers import status as st
from tracking.carriers.base import TrackingEventData
from tracking.carriers.mock import webhook_payload
from tracking.ingest.accounts import carrier_account_create
from tracking.ingest.clock import clock_problem
from tracking.models import InboundWebhook, PendingEvent, Shipment, TrackingEvent

pytestmark = pytest.mark.django_db
NUMBER = "DSCLOCK0000000001"


@pytest.fixture
def account(merchant):
    return carrier_account_create(merchant=merchant, carrier="mock", webhook_secret=SECRET).account


def event(when, status=st.DELIVERED, code="MK-DLV", event_id="e1"):
    return TrackingEventData(occurred_at=when, status=status, carrier_code=code, carrier_text="Delivered",
                             carrier_event_id=event_id)


def deliver(client, account, events, delivery_id, commit_hooks):
    body = webhook_payload(NUMBER, events, delivery_id)
    with commit_hooks(execute=True):
        return post(client, account, body, signed(body))


@pytest.fixture
def shipment(merchant):
    order = OrderFactory(merchant=merchant, placed_at=timezone.now() - timedelta(days=3))
    return ShipmentFactory(order=order, carrier="mock", tracking_number=NUMBER)


@pytest.mark.parametrize("when, why", [
    (datetime(2099, 1, 1, tzinfo=UTC), "ahead of now"),
    (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "ahead of now"),
    (datetime(1, 1, 1, tzinfo=UTC), "before 2000"),
    (None, "before the order"),  # ten days before an order placed three days ago
])
def test_an_impossible_event_time_is_refused_with_a_reason_and_never_retried(
        client, account, shipment, when, why, django_capture_on_commit_callbacks):
    when = when or timezone.now() - timedelta(days=10)
    good = event(timezone.now() - timedelta(hours=2), st.IN_TRANSIT, "MK-ARR", "e0")
    response = deliver(client, account, [good, event(when)], "dlv_clock", django_capture_on_commit_callbacks)
    assert response.status_code == 202
    row = InboundWebhook.objects.get()
    assert row.processed_at is not None and row.processing_error == "" and row.processing_attempts == 1
    assert "1 event(s) refused" in row.reason and why in row.reason
    assert list(TrackingEvent.objects.values_list("carrier_code", flat=True)) == ["MK-ARR"]
    shipment = Shipment.objects.get(pk=shipment.pk)
    assert shipment.status == st.IN_TRANSIT and shipment.delivered_at is None  # never delivered_at=2099


@pytest.mark.parametrize("when", [datetime(2099, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC),
                                  datetime(1, 1, 1, tzinfo=UTC)])
def test_events_for_an_unknown_parcel_are_screened_too(client, account, when, django_capture_on_commit_callbacks):
    assert deliver(client, account, [event(when)], "dlv_orphan", django_capture_on_commit_callbacks).status_code == 202
    assert PendingEvent.objects.count() == 0
    assert "refused" in InboundWebhook.objects.get().reason


def test_a_waiting_event_from_before_the_order_does_not_join_the_parcel(client, account, merchant,
                                                                         django_capture_on_commit_callbacks):
    early = event(timezone.now() - timedelta(days=20), st.IN_TRANSIT, "MK-DEP", "early")
    fine = event(timezone.now() - timedelta(hours=5), st.IN_TRANSIT, "MK-ARR", "fine")
    deliver(client, account, [early, fine], "dlv_wait", django_capture_on_commit_callbacks)
    assert PendingEvent.objects.count() == 2  # the order's date is not known yet
    order = OrderFactory(merchant=merchant, placed_at=timezone.now() - timedelta(days=2))
    shipment = ShipmentFactory(order=order, carrier="mock", tracking_number=NUMBER)
    assert list(shipment.events.values_list("carrier_code", flat=True)) == ["MK-ARR"]


def test_small_skews_are_tolerated():
    now = timezone.now()
    placed = now - timedelta(days=1)
    assert clock_problem(now + timedelta(hours=23), now=now) == ""
    assert clock_problem(placed - timedelta(hours=23), now=now, order_placed_at=placed) == ""
    assert clock_problem(now + timedelta(hours=25), now=now) != ""
    assert clock_problem(placed - timedelta(hours=25), now=now, order_placed_at=placed) != ""

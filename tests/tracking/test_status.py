"""The one function that derives a shipment's status from its events, and the service that applies it."""
import itertools
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
from hypothesis import given, strategies as hs

from tests.factories import ShipmentFactory
from tracking import signals
from tracking.carriers import status as st
from tracking.models import TrackingEvent
from tracking.services.shipments import NewEvent, shipment_add_events

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=dt_timezone.utc)


def ev(hours, status, reason=""):
    return NewEvent(occurred_at=T0 + timedelta(hours=hours), status=status, reason=reason)


def test_no_events_is_pending():
    assert st.derive_status([]).status == st.PENDING


def test_latest_event_wins():
    events = [ev(0, st.INFO_RECEIVED), ev(5, st.IN_TRANSIT), ev(30, st.OUT_FOR_DELIVERY)]
    assert st.derive_status(events).status == st.OUT_FOR_DELIVERY


def test_older_event_arriving_late_does_not_undo_delivered():
    events = [ev(0, st.IN_TRANSIT), ev(48, st.DELIVERED), ev(20, st.IN_TRANSIT)]
    derived = st.derive_status(events)
    assert derived.status == st.DELIVERED
    assert derived.occurred_at == T0 + timedelta(hours=48)


def test_same_instant_tie_goes_to_the_further_state():
    assert st.derive_status([ev(1, st.DELIVERED), ev(1, st.OUT_FOR_DELIVERY)]).status == st.DELIVERED
    assert st.derive_status([ev(1, st.OUT_FOR_DELIVERY), ev(1, st.DELIVERED)]).status == st.DELIVERED


def test_reason_is_carried():
    derived = st.derive_status([ev(0, st.IN_TRANSIT), ev(3, st.EXCEPTION, "customs")])
    assert (derived.status, derived.reason) == (st.EXCEPTION, "customs")


@given(hs.lists(hs.tuples(hs.integers(0, 200), hs.sampled_from(sorted(st.ALL))), min_size=1, max_size=8))
def test_result_does_not_depend_on_arrival_order(raw):
    events = [ev(h, s) for h, s in raw]
    results = {st.derive_status(list(p)).status for p in itertools.islice(itertools.permutations(events), 50)}
    assert len(results) == 1


@pytest.mark.django_db
def test_out_of_order_and_duplicate_events_through_the_service(django_capture_on_commit_callbacks):
    shipment = ShipmentFactory()
    received = []

    def on_delivered(sender, **kwargs):
        received.append(kwargs)

    signals.shipment_delivered.connect(on_delivered)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert shipment_add_events(shipment=shipment, events=[ev(48, st.DELIVERED)], source="webhook") == 1
        with django_capture_on_commit_callbacks(execute=True):
            # An older scan and a duplicate of the delivery arrive afterwards.
            added = shipment_add_events(shipment=shipment, events=[ev(20, st.IN_TRANSIT), ev(48, st.DELIVERED)],
                                        source="poll")
    finally:
        signals.shipment_delivered.disconnect(on_delivered)
    assert added == 1
    shipment.refresh_from_db()
    assert shipment.status == st.DELIVERED
    assert shipment.delivered_at == T0 + timedelta(hours=48)
    assert shipment.shipped_at == T0 + timedelta(hours=20)
    assert TrackingEvent.objects.filter(shipment=shipment).count() == 2
    assert len(received) == 1 and received[0]["shipment_id"] == shipment.pk


@pytest.mark.django_db
def test_events_are_append_only():
    shipment = ShipmentFactory()
    shipment_add_events(shipment=shipment, events=[ev(1, st.IN_TRANSIT)], source="webhook")
    event = TrackingEvent.objects.get(shipment=shipment)
    event.carrier_text = "edited"
    with pytest.raises(ValueError):
        event.save()


@pytest.mark.django_db
def test_non_canonical_status_is_refused():
    with pytest.raises(ValueError):
        shipment_add_events(shipment=ShipmentFactory(), events=[ev(1, "teleported")], source="webhook")

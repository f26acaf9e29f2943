"""Predictions stored on the shipment, re-made on every event added through shipment_add_events."""
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.factories import MerchantFactory, OrderFactory, ShipmentFactory
from tracking.carriers import status as st
from tracking.edd.calendar import add_business_days, local_date
from tracking.edd.types import LaneKey
from tracking.models import LaneTransitStats, MerchantShippingSettings, Shipment
from tracking.edd.services import lane_stats_recompute, shipment_update_prediction
from tracking.services.shipments import NewEvent, shipment_add_events

pytestmark = pytest.mark.django_db

# Mon 17 Nov 2025, 10:00 in Seoul.
SHIP = datetime(2025, 11, 17, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def cj_shipment(merchant):
    """A CJ parcel of the root merchant (Seoul), ordered 20 hours before it ships."""
    order = OrderFactory(merchant=merchant, placed_at=SHIP - timedelta(hours=20), ship_country="KR",
                         ship_postal_code="04524")
    return ShipmentFactory(order=order, carrier="cj", service_level="standard")


def add(shipment, hours, status, reason="", **details):
    return shipment_add_events(shipment=shipment, source="webhook", events=[
        NewEvent(occurred_at=SHIP + timedelta(hours=hours), status=status, reason=reason, details=details or None)])


def add_now(shipment, hours_ago, status, reason=""):
    """Events relative to the real clock: the task re-predicts with timezone.now()."""
    at = datetime.now(timezone.utc) - timedelta(hours=hours_ago)
    return shipment_add_events(shipment=shipment, source="webhook",
                               events=[NewEvent(occurred_at=at, status=status, reason=reason)])


def test_first_scan_records_the_ship_time_window(cj_shipment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add_now(cj_shipment, 1, st.IN_TRANSIT)
    cj_shipment.refresh_from_db()
    assert cj_shipment.prediction_basis == "carrier_table"  # nothing learned yet
    # Default domestic standard table: 1–3 business days after the ship date, Korean calendar.
    ship_day = local_date(cj_shipment.shipped_at, "KR")
    assert (cj_shipment.initial_window_start, cj_shipment.initial_window_end) == (
        add_business_days(ship_day, 1, "KR"), add_business_days(ship_day, 3, "KR"))
    assert (cj_shipment.predicted_window_start, cj_shipment.predicted_window_end) == (
        cj_shipment.initial_window_start, cj_shipment.initial_window_end)
    assert cj_shipment.predicted_confidence is not None and cj_shipment.predicted_at is not None
    assert cj_shipment.promised_delivery_date is not None


def test_out_for_delivery_event_moves_the_prediction_to_today(cj_shipment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add_now(cj_shipment, 30, st.IN_TRANSIT)
    first = Shipment.objects.get(pk=cj_shipment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        add_now(cj_shipment, 0, st.OUT_FOR_DELIVERY)
    cj_shipment.refresh_from_db()
    today = local_date(datetime.now(timezone.utc), "KR")
    assert cj_shipment.predicted_window_start == cj_shipment.predicted_window_end == today
    assert cj_shipment.predicted_confidence >= 0.9 and cj_shipment.prediction_basis == "in_flight"
    # The ship-time window is kept as it was, for honest accuracy.
    assert cj_shipment.initial_window_start == first.initial_window_start


def test_delay_reason_event_without_status_change_still_repredicts(cj_shipment, django_capture_on_commit_callbacks):
    """A weather scan keeps the status in_transit: only shipment_events_added fires."""
    with django_capture_on_commit_callbacks(execute=True):
        add_now(cj_shipment, 2, st.IN_TRANSIT)
    before = Shipment.objects.get(pk=cj_shipment.pk)
    assert before.prediction_basis == "carrier_table"
    with django_capture_on_commit_callbacks(execute=True):
        add_now(cj_shipment, 1, st.IN_TRANSIT, "weather")
    cj_shipment.refresh_from_db()
    assert cj_shipment.status == st.IN_TRANSIT and cj_shipment.status_reason == "weather"
    assert cj_shipment.prediction_basis == "in_flight"
    assert cj_shipment.predicted_window_end > before.predicted_window_end
    assert cj_shipment.predicted_confidence < before.predicted_confidence


def test_delivered_fixes_the_window_and_history_does_not_pose_as_forecast(django_capture_on_commit_callbacks):
    merchant = MerchantFactory(country="KR", timezone="Asia/Seoul")
    late_import = ShipmentFactory(order=OrderFactory(merchant=merchant, placed_at=SHIP))
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=late_import, source="import", events=[
            NewEvent(occurred_at=SHIP, status=st.IN_TRANSIT),
            NewEvent(occurred_at=SHIP + timedelta(days=1), status=st.DELIVERED)])
    late_import.refresh_from_db()
    assert late_import.predicted_window_start == late_import.predicted_window_end == date(2025, 11, 18)
    assert late_import.predicted_confidence == 1.0
    assert late_import.initial_window_start is None


def test_carrier_estimate_is_blended(cj_shipment):
    add(cj_shipment, 0, st.IN_TRANSIT)
    Shipment.objects.filter(pk=cj_shipment.pk).update(carrier_delivery_date=date(2025, 11, 25))
    cj_shipment.refresh_from_db()
    shipment_update_prediction(shipment=cj_shipment, now=SHIP + timedelta(hours=1))
    assert cj_shipment.predicted_window_end == date(2025, 11, 25)
    assert "carrier estimates" in cj_shipment.prediction_explanation


def test_unshipped_order_uses_cutoff_and_handling(cj_shipment):
    MerchantShippingSettings.objects.create(merchant=cj_shipment.merchant, cutoff_hour=9, handling_days=1)
    cj_shipment.merchant.refresh_from_db()
    # Ordered Sun 16 Nov 14:00 KST → counts from Mon 17, +1 handling day → ships Tue 18.
    shipment_update_prediction(shipment=cj_shipment, now=SHIP - timedelta(hours=20))
    assert cj_shipment.predicted_window_start == date(2025, 11, 19)
    assert cj_shipment.initial_window_start is None


def test_lane_stats_recompute_learns_from_delivered_shipments(django_capture_on_commit_callbacks):
    merchant = MerchantFactory(country="KR", timezone="Asia/Seoul")
    now = datetime(2025, 12, 1, 3, 0, tzinfo=timezone.utc)
    for i in range(20):
        shipped = datetime(2025, 11, 10, 8, 0, tzinfo=timezone.utc) + timedelta(days=(i % 4))
        s = ShipmentFactory(order=OrderFactory(merchant=merchant, placed_at=shipped, ship_postal_code="04524"),
                            carrier="cj", service_level="standard", origin_postal_code="10881")
        Shipment.objects.filter(pk=s.pk).update(status=st.DELIVERED, shipped_at=shipped,
                                                delivered_at=shipped + timedelta(days=1))
    assert lane_stats_recompute(now=now) == 2  # one lane + its region
    lane = LaneTransitStats.objects.get(level="lane")
    assert (lane.carrier, lane.origin_zone, lane.destination_zone) == ("cj", "KR-10", "KR-04")
    assert (lane.p10, lane.p50, lane.p90, lane.sample_size) == (1, 1, 1, 20)

    fresh = ShipmentFactory(order=OrderFactory(merchant=merchant, placed_at=SHIP, ship_postal_code="04599"),
                            carrier="cj", service_level="standard", origin_postal_code="10881")
    with django_capture_on_commit_callbacks(execute=True):
        add(fresh, 0, st.IN_TRANSIT)
    fresh.refresh_from_db()
    assert fresh.initial_prediction_basis == "lane"
    assert fresh.initial_window_start == fresh.initial_window_end == date(2025, 11, 18)

    # A later recompute with nothing in the lookback drops the stale rows.
    assert lane_stats_recompute(now=now + timedelta(days=400)) == 0
    assert not LaneTransitStats.objects.exists()


def test_recompute_task_takes_the_lock():
    from tracking.edd.tasks import recompute_lane_stats
    from tracking.locks import single_run

    with single_run("edd:recompute_lane_stats", timeout=60):
        assert recompute_lane_stats.delay().get() == -1
    assert recompute_lane_stats.delay().get() == 0


def test_lane_key_isolation_by_carrier():
    """Another carrier's lane never feeds this carrier's prediction."""
    from tracking.edd.engine import load_distributions

    LaneTransitStats.objects.create(level="lane", carrier="hanjin", service_level="standard", origin_zone="KR-10",
                                    destination_zone="KR-04", histogram={"5": 50.0}, sample_size=50,
                                    weight_total=50.0, weight_sq_total=50.0, p10=5, p50=5, p90=5,
                                    computed_at=SHIP)
    assert load_distributions(LaneKey("cj", "standard", "KR-10", "KR-04")) == (None, None)

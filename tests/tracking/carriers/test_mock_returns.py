"""Mock carrier capabilities used by returns and failed-delivery recovery."""
from datetime import UTC, date, datetime, timedelta

import pytest

from tracking.carriers import status as st
from tracking.carriers.base import (
    Address,
    Capability,
    DeliveryChange,
    InvalidRequest,
    LabelRequest,
    PickupRequest,
)
from tracking.carriers.mock import (
    MockCarrier,
    all_scenario_events,
    make_tracking_number,
    pickup_points,
    scenario_events,
    scenario_for,
)

NOW = datetime(2026, 11, 18, 3, 0, tzinfo=UTC)  # Wednesday, noon in Seoul
SHOPPER = Address("김민수", "테헤란로 123, 4층", "Seoul", "06236", "KR", phone="010-1234-5678")
WAREHOUSE = Address("Doorstep Warehouse", "55 Haeundae-ro", "Busan", "48060", "KR")


@pytest.fixture
def carrier():
    adapter = MockCarrier()
    adapter.clock = lambda: NOW
    return adapter


def test_mock_declares_every_capability(carrier):
    for capability in Capability:
        if capability is not Capability.NONE:
            assert carrier.supports(capability), capability


def test_pdf_label_has_a_return_tracking_number_that_ends_delivered(carrier):
    label = carrier.create_label(LabelRequest("RMA-1001", SHOPPER, WAREHOUSE))
    assert label.format == "pdf" and label.content.startswith(b"%PDF")
    assert label.currency == "KRW" and label.cost > 0
    assert scenario_for(label.tracking_number) == "return_to_warehouse"
    events = all_scenario_events(label.tracking_number)
    assert events[0].occurred_at == NOW.replace(second=0)
    assert st.derive_status(events).status == st.DELIVERED


def test_label_free_return_is_a_qr_png_with_instructions(carrier):
    label = carrier.create_label(LabelRequest("RMA-1002", SHOPPER, WAREHOUSE, label_free=True))
    assert label.format == "qr_png" and label.content.startswith(b"\x89PNG")
    assert "RMA-1002" in label.instructions and "QR" in label.instructions


def test_latin_addresses_render_without_a_unicode_font(carrier):
    shopper = Address("Jane Doe", "1 Main St", "Austin", "78701", "US", region="TX")
    label = carrier.create_label(LabelRequest("RMA-7", shopper, WAREHOUSE))
    assert label.content.startswith(b"%PDF") and label.currency == "USD"


def test_two_labels_get_different_numbers(carrier):
    first = carrier.create_label(LabelRequest("RMA-1", SHOPPER, WAREHOUSE)).tracking_number
    second = carrier.create_label(LabelRequest("RMA-2", SHOPPER, WAREHOUSE)).tracking_number
    assert first != second


def test_pickup_is_scheduled_on_a_weekday(carrier):
    pickup = carrier.schedule_pickup(PickupRequest("DSX", SHOPPER, date(2026, 11, 19), reference="RMA-1"))
    assert pickup.pickup_date == date(2026, 11, 19) and pickup.confirmation.startswith("PU-")
    assert (pickup.window_start, pickup.window_end) == ("09:00", "18:00")
    saturday = carrier.schedule_pickup(PickupRequest("DSX", SHOPPER, date(2026, 11, 21)))
    assert saturday.window_end == "13:00"


@pytest.mark.parametrize("day", [date(2026, 11, 22), date(2026, 11, 17), date(2026, 12, 30)], ids=["sunday", "past", "too-far"])
def test_pickup_refuses_sundays_past_and_far_dates(carrier, day):
    with pytest.raises(InvalidRequest):
        carrier.schedule_pickup(PickupRequest("DSX", SHOPPER, day))


def test_transit_estimates_differ_for_domestic_and_international(carrier):
    domestic = {e.service_level: e for e in carrier.transit_estimates(origin_country="KR", destination_country="kr")}
    abroad = {e.service_level: e for e in carrier.transit_estimates(origin_country="KR", destination_country="US")}
    assert set(domestic) == set(abroad) == {"express", "standard", "economy"}
    for service in domestic:
        assert domestic[service].min_business_days <= domestic[service].max_business_days
        assert domestic[service].max_business_days < abroad[service].max_business_days


def test_pickup_points_are_stable_and_validated():
    points = pickup_points("06236")
    assert len(points) == 3 and points == pickup_points("06236")
    assert all(p.id.startswith("PP-06236-") for p in points)
    assert pickup_points("") == [] and pickup_points("<script>") == []


def failed_attempt_number():
    # Serial 0 travels inside Korea; 50 h after shipping the first attempt has failed.
    tn = make_tracking_number("failed_then_delivered", NOW - timedelta(hours=50), 0)
    assert st.derive_status(scenario_events(tn, now=NOW)).status == st.FAILED_ATTEMPT
    return tn


def test_failed_attempt_shipment_can_be_rescheduled_within_five_days(carrier):
    tn = failed_attempt_number()
    ok = carrier.request_delivery_change(DeliveryChange(tn, "reschedule", new_date=date(2026, 11, 20)))
    assert ok.accepted and ok.confirmation.startswith("DC-")
    too_far = carrier.request_delivery_change(DeliveryChange(tn, "reschedule", new_date=date(2026, 11, 25)))
    assert not too_far.accepted and "5 days" in too_far.message
    today = carrier.request_delivery_change(DeliveryChange(tn, "reschedule", new_date=date(2026, 11, 18)))
    assert not today.accepted
    missing = carrier.request_delivery_change(DeliveryChange(tn, "reschedule"))
    assert not missing.accepted


def test_redirect_needs_a_known_pickup_point(carrier):
    tn = failed_attempt_number()
    point = pickup_points("06236")[1]
    assert carrier.request_delivery_change(DeliveryChange(tn, "redirect_pickup_point", pickup_point_id=point.id)).accepted
    assert not carrier.request_delivery_change(DeliveryChange(tn, "redirect_pickup_point", pickup_point_id="PP-06236-9")).accepted
    assert not carrier.request_delivery_change(DeliveryChange(tn, "redirect_pickup_point", pickup_point_id="nope")).accepted


def test_instructions_are_limited_to_300_characters(carrier):
    tn = failed_attempt_number()
    assert carrier.request_delivery_change(DeliveryChange(tn, "instructions", instructions="Leave at door")).accepted
    assert carrier.request_delivery_change(DeliveryChange(tn, "instructions", instructions="x" * 300)).accepted
    assert not carrier.request_delivery_change(DeliveryChange(tn, "instructions", instructions="x" * 301)).accepted
    assert not carrier.request_delivery_change(DeliveryChange(tn, "instructions", instructions="   ")).accepted


def test_delivered_parcels_and_unknown_kinds_are_refused(carrier):
    delivered = make_tracking_number("on_time", NOW - timedelta(days=10), 1)
    result = carrier.request_delivery_change(DeliveryChange(delivered, "instructions", instructions="hi"))
    assert not result.accepted and "delivered" in result.message
    assert not carrier.request_delivery_change(DeliveryChange(failed_attempt_number(), "teleport")).accepted

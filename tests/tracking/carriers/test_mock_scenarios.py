"""The mock carrier's scenario engine: numbers, timelines, estimates."""
from datetime import UTC, date, datetime, timedelta

import pytest

from tracking.carriers import status as st
from tracking.carriers.base import CarrierCredentials, TrackingResult
from tracking.carriers.mock import (
    SCENARIOS,
    MockCarrier,
    all_scenario_events,
    estimated_delivery,
    is_mock_number,
    make_tracking_number,
    scenario_events,
    scenario_for,
)
from tracking.carriers.mock.scenarios import parse_number

SHIPPED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday morning in Seoul


def number(scenario, serial=0, shipped=SHIPPED, **kw):
    return make_tracking_number(scenario, shipped, serial, **kw)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_number_round_trips_scenario_and_ship_time(scenario):
    tn = number(scenario, serial=123456)
    assert len(tn) == 20 and tn.startswith("DS")
    assert is_mock_number(tn)
    assert scenario_for(tn) == scenario
    parsed = parse_number(tn)
    assert parsed.shipped_at == SHIPPED and parsed.serial == 123456 and parsed.genuine


def test_check_digit_catches_a_changed_character():
    tn = number("late", serial=42)
    for index in range(2, 19):
        replacement = "7" if tn[index] != "7" else "8"
        if tn[index].isalpha():
            replacement = "Q" if tn[index] != "Q" else "Z"
        tampered = tn[:index] + replacement + tn[index + 1 :]
        assert not is_mock_number(tampered), tampered
        assert scenario_for(tampered) == "on_time"  # foreign numbers fall back, never crash


def test_number_is_case_and_whitespace_tolerant():
    tn = number("lost", serial=9)
    assert scenario_for(f"  {tn.lower()} ") == "lost"


@pytest.mark.parametrize("bad", ["", "1Z999AA10123456784", "DS", "x" * 500, "DSZZD2961234500000010"])
def test_foreign_numbers_are_stable_on_time_timelines(bad):
    assert scenario_for(bad) == "on_time"
    first = all_scenario_events(bad)
    assert first == all_scenario_events(bad)
    assert st.derive_status(first).status == st.DELIVERED


def test_make_tracking_number_rejects_unknown_scenario_and_naive_time():
    with pytest.raises(ValueError):
        make_tracking_number("teleported", SHIPPED, 1)
    with pytest.raises(ValueError):
        make_tracking_number("on_time", SHIPPED.replace(tzinfo=None), 1)


EXPECTED_END = {
    "on_time": (st.DELIVERED, ""),
    "late": (st.DELIVERED, ""),
    "failed_then_delivered": (st.DELIVERED, ""),
    "customs_hold": (st.DELIVERED, ""),
    "lost": (st.EXCEPTION, "lost"),
    "returned_to_sender": (st.RETURNED_TO_SENDER, "address_issue"),
    "out_for_delivery_today": (st.OUT_FOR_DELIVERY, ""),
    "in_transit": (st.IN_TRANSIT, ""),
    "exception_damaged": (st.EXCEPTION, "damaged"),
    "return_to_warehouse": (st.DELIVERED, ""),
}


def test_every_scenario_has_an_expected_ending():
    assert set(EXPECTED_END) == set(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("serial", [0, 1, 2])  # the three routes: KR, US, KR->US
def test_timeline_is_ordered_unique_and_ends_as_the_scenario_says(scenario, serial):
    events = all_scenario_events(number(scenario, serial))
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    assert len({e.carrier_event_id for e in events}) == len(events)
    assert all(e.occurred_at.tzinfo is not None and e.location and e.carrier_text for e in events)
    assert all(e.status in st.ALL and (e.reason == "" or e.reason in st.ALL_REASONS) for e in events)
    derived = st.derive_status(events)
    assert (derived.status, derived.reason) == EXPECTED_END[scenario]
    assert events[0].status == st.INFO_RECEIVED


def test_events_appear_as_the_clock_moves():
    tn = number("failed_then_delivered", serial=1)
    assert scenario_events(tn, now=SHIPPED - timedelta(minutes=1)) == []
    assert [e.carrier_code for e in scenario_events(tn, now=SHIPPED)] == ["MK-INFO"]
    statuses = [st.derive_status(scenario_events(tn, now=SHIPPED + timedelta(hours=h))).status for h in range(0, 80, 2)]
    # The journey only moves forward through the expected states.
    assert statuses[0] == st.INFO_RECEIVED and statuses[-1] == st.DELIVERED
    assert st.FAILED_ATTEMPT in statuses and st.OUT_FOR_DELIVERY in statuses


def test_delivered_event_carries_proof_of_delivery():
    delivered = all_scenario_events(number("on_time", serial=4))[-1]
    assert delivered.status == st.DELIVERED
    assert set(delivered.details) == {"signed_by", "photo_url"}
    # The demo's photo is one of the app's own static files: it loads without any outside host.
    assert delivered.details["photo_url"] == "/static/doorstep/demo/proof-of-delivery.jpg"


def test_korean_route_uses_seoul_time_and_us_route_us_time():
    kr = all_scenario_events(number("on_time", serial=0))
    us = all_scenario_events(number("on_time", serial=1))
    assert kr[0].occurred_at.utcoffset() == timedelta(hours=9) and kr[-1].location.endswith("KR")
    assert us[-1].occurred_at.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))


def test_customs_hold_is_international_and_holds_three_days():
    events = all_scenario_events(number("customs_hold", serial=0))
    held = next(e for e in events if e.carrier_code == "MK-CUSH")
    cleared = next(e for e in events if e.carrier_code == "MK-CUSC")
    assert (held.status, held.reason) == (st.EXCEPTION, "customs")
    assert cleared.occurred_at - held.occurred_at == timedelta(hours=72)


def test_on_time_arrives_by_the_estimate_and_late_misses_the_first_one():
    on_time = number("on_time", serial=0)
    late = number("late", serial=0)
    first_estimate = estimated_delivery(late, now=SHIPPED)
    delivered_late = all_scenario_events(late)[-1].occurred_at.date()
    assert all_scenario_events(on_time)[-1].occurred_at.date() <= estimated_delivery(on_time, now=SHIPPED)
    assert delivered_late > first_estimate
    # The carrier revises its estimate once the delay is scanned.
    after_delay = estimated_delivery(late, now=SHIPPED + timedelta(days=30))
    assert after_delay > first_estimate and delivered_late <= after_delay


def test_fast_numbers_compress_hours_into_minutes():
    tn = number("on_time", serial=0, fast=True)
    events = all_scenario_events(tn)
    assert events[-1].occurred_at - events[0].occurred_at < timedelta(hours=1)
    assert scenario_for(tn) == "on_time"


def test_track_uses_the_clock_and_fills_the_result():
    carrier = MockCarrier(CarrierCredentials())
    tn = number("out_for_delivery_today", serial=3)
    carrier.clock = lambda: SHIPPED + timedelta(days=5)
    result = carrier.track(tn.lower())
    assert isinstance(result, TrackingResult)
    assert result.tracking_number == tn and result.carrier == "mock"
    assert st.derive_status(result.events).status == st.OUT_FOR_DELIVERY
    assert isinstance(result.estimated_delivery, date)
    assert result.carrier_url.endswith(tn)
    carrier.clock = lambda: SHIPPED + timedelta(hours=1)
    assert len(carrier.track(tn).events) < len(result.events)

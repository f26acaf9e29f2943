"""Layer c: how events move the window."""
from datetime import date

from tracking.carriers import status as st
from tracking.edd.inflight import InFlightState, adjust
from tracking.edd.types import EddPrediction

# Wed 19 Nov 2025 – Fri 21 Nov, most likely Thu 20.
BASE = EddPrediction(date(2025, 11, 19), date(2025, 11, 21), date(2025, 11, 20), 0.9, "lane", "this lane")
MON = date(2025, 11, 17)


def state(status, reason="", today=MON, **kw):
    return InFlightState(status=status, reason=reason, today=today, destination_country="US", **kw)


def test_in_transit_keeps_the_lane_window():
    assert adjust(BASE, state(st.IN_TRANSIT)) == BASE


def test_out_for_delivery_is_today_with_high_confidence():
    got = adjust(BASE, state(st.OUT_FOR_DELIVERY, today=date(2025, 11, 18)))
    assert (got.window_start, got.window_end, got.most_likely) == (date(2025, 11, 18),) * 3
    assert got.confidence >= 0.9 and got.basis == "in_flight"


def test_delivered_is_fixed():
    got = adjust(BASE, state(st.DELIVERED, delivered_on=date(2025, 11, 20), today=date(2025, 11, 24)))
    assert (got.window_start, got.window_end, got.confidence) == (date(2025, 11, 20), date(2025, 11, 20), 1.0)


def test_returned_or_cancelled_has_no_window():
    assert adjust(BASE, state(st.RETURNED_TO_SENDER)) is None
    assert adjust(BASE, state(st.CANCELLED)) is None


def test_delay_reason_pushes_and_widens():
    got = adjust(BASE, state(st.IN_TRANSIT, "weather"))
    assert got.window_start == date(2025, 11, 20)  # +1 business day
    assert got.window_end == date(2025, 11, 25)  # +1 and widened by one more
    assert got.confidence < BASE.confidence
    assert "weather" in got.explanation


def test_a_stopped_parcel_has_no_window_but_a_weather_exception_keeps_one():
    # Held at customs, lost, damaged: nobody can say when (tracking.edd.exceptions).
    assert adjust(BASE, state(st.EXCEPTION, "customs")) is None
    assert adjust(BASE, state(st.EXCEPTION, "lost")) is None
    weather = adjust(BASE, state(st.EXCEPTION, "weather"))
    assert weather.window_end > BASE.window_end


def test_pushes_do_not_compound_on_replay():
    once = adjust(BASE, state(st.IN_TRANSIT, "carrier_delay"))
    assert adjust(BASE, state(st.IN_TRANSIT, "carrier_delay")) == once


def test_overdue_parcel_moves_to_the_coming_days():
    got = adjust(BASE, state(st.IN_TRANSIT, today=date(2025, 11, 25)))
    assert got.window_start == date(2025, 11, 25) and got.window_end == date(2025, 11, 28)  # Thanksgiving skipped
    assert got.confidence <= 0.4


def test_window_never_starts_in_the_past():
    got = adjust(BASE, state(st.IN_TRANSIT, today=date(2025, 11, 20)))
    assert got.window_start == date(2025, 11, 20) and got.window_end == BASE.window_end


def test_failed_attempt_means_next_business_day():
    got = adjust(BASE, state(st.FAILED_ATTEMPT, today=date(2025, 11, 21)))
    assert got.most_likely == date(2025, 11, 24)


def test_carrier_estimate_inside_the_window_raises_confidence():
    got = adjust(BASE, state(st.IN_TRANSIT, carrier_estimate=date(2025, 11, 21)))
    assert (got.window_start, got.window_end) == (BASE.window_start, BASE.window_end)
    assert got.confidence > BASE.confidence
    assert BASE.most_likely <= got.most_likely <= date(2025, 11, 21)


def test_carrier_estimate_outside_the_window_extends_it():
    got = adjust(BASE, state(st.IN_TRANSIT, carrier_estimate=date(2025, 11, 26)))
    assert got.window_end == date(2025, 11, 26)
    assert date(2025, 11, 20) < got.most_likely < date(2025, 11, 26)
    assert got.confidence < BASE.confidence


def test_stale_carrier_estimate_is_ignored():
    assert adjust(BASE, state(st.IN_TRANSIT, carrier_estimate=date(2025, 11, 10))) == BASE

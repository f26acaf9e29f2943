"""Layer c — in flight: adjust the lane prediction with what the parcel's events say today.

Recomputed from scratch on every event (the base comes from the ship date, not from the last
prediction), so adjustments never compound and replays change nothing.

Every piece of evidence that a parcel will be later than its lane says moves the *most likely*
day here, so the delay rule (tracking.edd.delays) has one date to compare with the promise:

* a carrier delay reason (weather, carrier delay) pushes by what that reason usually costs;
* a silence longer than the lane's usual longest gap between scans (learned per lane, see
  tracking.edd.lanes) pushes by the excess, a business day per 24 working hours;
* a window that has run out moves to the coming days;
* the carrier's own revised date pulls the most likely day half-way towards it.

A stopped parcel (tracking.edd.exceptions: lost, damaged, customs hold…) gets no window at all.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

from tracking.carriers import status as st
from tracking.edd.calendar import (
    CalendarLike,
    add_business_days,
    business_days_between,
    business_days_for_hours,
    next_business_day,
    previous_business_day,
    roll_forward,
)
from tracking.edd.exceptions import is_stopped
from tracking.edd.lanes import CarrierCalibration
from tracking.edd.types import BASIS_IN_FLIGHT, EddPrediction

# Extra business days a delay reason typically costs; anything else in DELAY_REASONS costs 1.
REASON_PUSH_DAYS = {"customs": 2, "held_for_payment": 2, "address_issue": 2, "weather": 1, "carrier_delay": 1}
# Statuses in which a parcel is expected to keep scanning: only these can be "silent too long".
SCANNING_STATUSES = frozenset({st.IN_TRANSIT, st.EXCEPTION})
# How much weight the carrier's own estimate gets against ours when they disagree, until the lanes
# have learned how good this carrier's estimates are (LaneTransitStats.carrier_estimate_weight).
CARRIER_ESTIMATE_WEIGHT = 0.5


@dataclass(frozen=True)
class InFlightState:
    status: str
    reason: str
    today: date  # destination-local
    destination_country: str
    delivered_on: date | None = None
    carrier_estimate: date | None = None
    # Working hours since the last scan, and the lane's usual longest silence (None: not judged).
    silent_hours: float = 0.0
    silence_threshold_hours: float | None = None
    # The service's delivery calendar at the destination; the country's Monday–Friday when None.
    calendar: CalendarLike | None = None
    # What the lanes learned about the carrier's own estimates (None: take them at face value, half weight).
    carrier_calibration: CarrierCalibration | None = None

    @property
    def days(self) -> CalendarLike:
        return self.calendar or self.destination_country

    @property
    def excess_silence_hours(self) -> float:
        if self.silence_threshold_hours is None or self.status not in SCANNING_STATUSES:
            return 0.0
        return max(0.0, self.silent_hours - self.silence_threshold_hours)


def adjust(base: EddPrediction, state: InFlightState) -> EddPrediction | None:
    """The prediction given the parcel's current state; None when it will not be delivered, or
    when it has stopped and nobody can say when it will be (an exception)."""
    country = state.days
    if state.status == st.DELIVERED and state.delivered_on:
        day = state.delivered_on
        return EddPrediction(day, day, day, 1.0, BASIS_IN_FLIGHT, "delivered")
    if state.status in st.TERMINAL or is_stopped(state.status, state.reason):
        return None
    if state.status == st.OUT_FOR_DELIVERY:
        return EddPrediction(state.today, state.today, state.today, 0.95, BASIS_IN_FLIGHT, "out for delivery today")
    if state.status == st.AVAILABLE_FOR_PICKUP:
        return EddPrediction(state.today, state.today, state.today, 0.9, BASIS_IN_FLIGHT, "waiting at a pickup point")
    if state.status == st.FAILED_ATTEMPT:
        start = next_business_day(state.today, country)
        return EddPrediction(start, add_business_days(start, 2, country), start, 0.6, BASIS_IN_FLIGHT,
                             "delivery attempt failed; next attempt expected")

    prediction = base
    if state.status == st.EXCEPTION or state.reason in st.DELAY_REASONS:
        prediction = _push(prediction, state)
    if state.excess_silence_hours > 0:
        prediction = _stalled(prediction, state)
    prediction = _not_in_the_past(prediction, state)
    if state.carrier_estimate is not None and state.carrier_estimate >= state.today:
        carrier, weight = roll_forward(state.carrier_estimate, country), CARRIER_ESTIMATE_WEIGHT
        if state.carrier_calibration is not None:
            # A carrier whose "estimate" is a latest date says Friday for a Wednesday delivery:
            # read it as the day it usually means before weighing it against ours.
            carrier = _shift_business_days(carrier, state.carrier_calibration.bias_days, country)
            weight = state.carrier_calibration.weight
        prediction = _blend_carrier(prediction, max(carrier, roll_forward(state.today, country)), country, weight)
    return prediction


def _push(base: EddPrediction, state: InFlightState) -> EddPrediction:
    country = state.days
    push = REASON_PUSH_DAYS.get(state.reason, 1)
    earliest = next_business_day(state.today, country)
    start = max(add_business_days(base.window_start, push, country), earliest)
    # Widened by a day beyond the push: delays make timing less certain, not just later.
    end = max(add_business_days(base.window_end, push + 1, country), start)
    likely = min(max(add_business_days(base.most_likely, push, country), start), end)
    what = state.reason or "exception"
    return EddPrediction(start, end, likely, round(base.confidence * 0.6, 3), BASIS_IN_FLIGHT,
                         f"{what.replace('_', ' ')}: pushed {push} business day(s) and widened")


def _stalled(base: EddPrediction, state: InFlightState) -> EddPrediction:
    """No scan for longer than this lane's parcels usually go without one: the parcel has lost at
    least the excess, so every date moves by it (a business day per 24 working hours or part)."""
    country = state.days
    push = business_days_for_hours(state.excess_silence_hours)
    start = max(add_business_days(base.window_start, push, country), next_business_day(state.today, country))
    end = max(add_business_days(base.window_end, push + 1, country), start)
    likely = min(max(add_business_days(base.most_likely, push, country), start), end)
    return EddPrediction(start, end, likely, round(base.confidence * 0.6, 3), BASIS_IN_FLIGHT,
                         f"no scan for {state.silent_hours:.0f} working hours (this lane usually at most "
                         f"{state.silence_threshold_hours:.0f}): pushed {push} business day(s)")


def _not_in_the_past(prediction: EddPrediction, state: InFlightState) -> EddPrediction:
    country, today = state.days, state.today
    if prediction.window_end < today:
        start = roll_forward(today, country)
        return EddPrediction(start, add_business_days(start, 2, country), start,
                             round(min(prediction.confidence, 0.4), 3), BASIS_IN_FLIGHT,
                             "running later than this lane usually takes")
    if prediction.window_start < today:
        start = today
        likely = max(prediction.most_likely, start)
        return replace(prediction, window_start=start, most_likely=likely)
    return prediction


def _shift_business_days(day: date, days: int, country: CalendarLike) -> date:
    if days >= 0:
        return add_business_days(day, days, country)
    for _ in range(-days):
        day = previous_business_day(day, country)
    return day


def _blend_carrier(prediction: EddPrediction, carrier: date, country: CalendarLike,
                   weight: float = CARRIER_ESTIMATE_WEIGHT) -> EddPrediction:
    start = min(prediction.window_start, carrier)
    end = max(prediction.window_end, carrier)
    offset = business_days_between(prediction.most_likely, carrier, country)
    # Half a day rounds away from zero (Python's round() would round 0.5 to the even 0).
    shift = int(math.copysign(math.floor(abs(offset * weight) + 0.5), offset))
    if shift >= 0:
        likely = add_business_days(prediction.most_likely, shift, country) if shift else prediction.most_likely
    else:
        likely = prediction.most_likely
        for _ in range(-shift):
            likely = previous_business_day(likely, country)
    likely = min(max(likely, start), end)
    agrees = prediction.window_start <= carrier <= prediction.window_end
    confidence = min(1.0, prediction.confidence + 0.05) if agrees else prediction.confidence * 0.9
    return EddPrediction(start, end, likely, round(confidence, 3), BASIS_IN_FLIGHT,
                         f"{prediction.explanation}; carrier estimates {carrier.isoformat()}")


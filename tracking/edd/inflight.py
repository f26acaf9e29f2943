"""Layer c — in flight: adjust the lane prediction with what the parcel's events say today.

Recomputed from scratch on every event (the base comes from the ship date, not from the last
prediction), so adjustments never compound and replays change nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from tracking.carriers import status as st
from tracking.edd.calendar import (
    add_business_days,
    business_days_between,
    next_business_day,
    previous_business_day,
    roll_forward,
)
from tracking.edd.types import BASIS_IN_FLIGHT, EddPrediction

# Extra business days a delay reason typically costs; anything else in DELAY_REASONS costs 1.
REASON_PUSH_DAYS = {"customs": 2, "held_for_payment": 2, "address_issue": 2, "weather": 1, "carrier_delay": 1}
# How much weight the carrier's own estimate gets against ours when they disagree.
CARRIER_ESTIMATE_WEIGHT = 0.5


@dataclass(frozen=True)
class InFlightState:
    status: str
    reason: str
    today: date  # destination-local
    destination_country: str
    delivered_on: date | None = None
    carrier_estimate: date | None = None


def adjust(base: EddPrediction, state: InFlightState) -> EddPrediction | None:
    """The prediction given the parcel's current state; None when it will not be delivered."""
    country = state.destination_country
    if state.status == st.DELIVERED and state.delivered_on:
        day = state.delivered_on
        return EddPrediction(day, day, day, 1.0, BASIS_IN_FLIGHT, "delivered")
    if state.status in st.TERMINAL:
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
    prediction = _not_in_the_past(prediction, state)
    if state.carrier_estimate is not None and state.carrier_estimate >= state.today:
        prediction = _blend_carrier(prediction, state.carrier_estimate, country)
    return prediction


def _push(base: EddPrediction, state: InFlightState) -> EddPrediction:
    country = state.destination_country
    push = REASON_PUSH_DAYS.get(state.reason, 1)
    earliest = next_business_day(state.today, country)
    start = max(add_business_days(base.window_start, push, country), earliest)
    # Widened by a day beyond the push: delays make timing less certain, not just later.
    end = max(add_business_days(base.window_end, push + 1, country), start)
    likely = min(max(add_business_days(base.most_likely, push, country), start), end)
    what = state.reason or "exception"
    return EddPrediction(start, end, likely, round(base.confidence * 0.6, 3), BASIS_IN_FLIGHT,
                         f"{what.replace('_', ' ')}: pushed {push} business day(s) and widened")


def _not_in_the_past(prediction: EddPrediction, state: InFlightState) -> EddPrediction:
    country, today = state.destination_country, state.today
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


def _blend_carrier(prediction: EddPrediction, carrier: date, country: str) -> EddPrediction:
    start = min(prediction.window_start, carrier)
    end = max(prediction.window_end, carrier)
    offset = business_days_between(prediction.most_likely, carrier, country)
    shift = round(offset * CARRIER_ESTIMATE_WEIGHT)
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


"""Layer a — the promise: when will an order placed now (or at ``ordered_at``) arrive?

Order time → the merchant's cut-off and handling days (origin calendar) → ship date → carrier
service transit days (destination calendar). Pure functions.
"""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tracking.edd.calendar import add_business_days, is_business_day, next_business_day
from tracking.edd.types import BASIS_PROMISE, EddPrediction, TransitRange

# A published table is met most of the time, but nobody measured how often for this lane.
TABLE_CONFIDENCE = 0.6


@dataclass(frozen=True)
class HandlingPolicy:
    """When the warehouse ships. Orders at or after ``cutoff_hour`` (merchant local time), or on a
    day the warehouse is closed, count from the next business day; then ``handling_days`` more."""

    cutoff_hour: int = 14
    handling_days: int = 0
    timezone: str = "UTC"

    def __post_init__(self):
        if not 0 <= self.cutoff_hour <= 24:
            raise ValueError("cutoff_hour must be within 0..24")
        if self.handling_days < 0:
            raise ValueError("handling_days must not be negative")


def ship_date_for(ordered_at: datetime, policy: HandlingPolicy, origin_country: str) -> date:
    local = ordered_at.astimezone(zoneinfo.ZoneInfo(policy.timezone))
    day = local.date()
    if not is_business_day(day, origin_country) or local.hour >= policy.cutoff_hour:
        day = next_business_day(day, origin_country)
    return add_business_days(day, policy.handling_days, origin_country)


def next_cutoff(now: datetime, policy: HandlingPolicy, origin_country: str) -> datetime:
    """The moment by which an order must be placed to ship on the earliest possible day."""
    tz = zoneinfo.ZoneInfo(policy.timezone)
    local = now.astimezone(tz)
    day = local.date()
    if not is_business_day(day, origin_country) or local.hour >= policy.cutoff_hour:
        day = next_business_day(day, origin_country)
    return datetime.combine(day, time(0), tzinfo=tz) + timedelta(hours=policy.cutoff_hour)


def window_from_transit(ship_date: date, transit: TransitRange, destination_country: str, *,
                        typical_days: int | None = None, confidence: float, basis: str,
                        explanation: str) -> EddPrediction:
    """Turn transit business days after ``ship_date`` into dates on the destination's calendar."""
    typical = transit.typical_days if typical_days is None else typical_days
    typical = min(max(typical, transit.min_days), transit.max_days)
    return EddPrediction(
        window_start=add_business_days(ship_date, transit.min_days, destination_country),
        window_end=add_business_days(ship_date, transit.max_days, destination_country),
        most_likely=add_business_days(ship_date, typical, destination_country),
        confidence=round(confidence, 3),
        basis=basis,
        explanation=explanation,
    )


def promise_prediction(*, ordered_at: datetime, policy: HandlingPolicy, origin_country: str,
                       destination_country: str, transit: TransitRange) -> EddPrediction:
    ship = ship_date_for(ordered_at, policy, origin_country)
    return window_from_transit(
        ship, transit, destination_country, confidence=TABLE_CONFIDENCE, basis=BASIS_PROMISE,
        explanation=f"ships {ship.isoformat()}, then {transit.min_days}–{transit.max_days} business days in transit",
    )

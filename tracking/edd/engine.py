"""Glue between the pure EDD layers and the database: load a merchant's policy and the lane
statistics, then call promise → lanes → in-flight. Reads only; writes live in tracking.edd.services."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from django.conf import settings
from django.db.models import Q

from tracking.models import LaneTransitStats, Merchant, MerchantShippingSettings, Shipment
from tracking.edd import calendar as cal
from tracking.edd.carrier_table import carrier_transit_range
from tracking.edd.inflight import SCANNING_STATUSES, InFlightState, adjust
from tracking.edd.lanes import (
    LEVEL_LANE,
    LEVEL_REGION,
    CarrierCalibration,
    LaneDistribution,
    LaneParams,
    TransitWindow,
    predict_transit,
)
from tracking.edd.promise import TABLE_CONFIDENCE, HandlingPolicy, ship_date_for, window_from_transit
from tracking.edd.types import BASIS_PROMISE, EddPrediction, LaneKey
from tracking.edd.zones import country_of_zone, zone_for


def lane_params() -> LaneParams:
    q_low, q_high = settings.DOORSTEP_EDD_QUANTILES
    return LaneParams(q_low=q_low, q_high=q_high, min_effective_samples=settings.DOORSTEP_EDD_MIN_SAMPLES,
                      prior_strength=LaneParams.prior_strength)


def shipping_settings_for(merchant: Merchant) -> MerchantShippingSettings:
    """The merchant's row, or unsaved defaults: a new merchant still gets estimates."""
    try:
        return merchant.shipping_settings
    except MerchantShippingSettings.DoesNotExist:
        return MerchantShippingSettings(merchant=merchant)


def handling_policy(merchant: Merchant, shipping: MerchantShippingSettings) -> HandlingPolicy:
    return HandlingPolicy(cutoff_hour=shipping.cutoff_hour, handling_days=shipping.handling_days,
                          timezone=merchant.timezone)


@lru_cache(maxsize=64)
def _delivery_days(table: tuple[tuple[str, str], ...]) -> dict[str, frozenset[int]]:
    return {key: cal.parse_weekdays(spec) for key, spec in table}


def delivery_calendar(carrier: str, service_level: str, country: str) -> cal.DeliveryCalendar:
    """The days this carrier's service delivers in ``country``: settings.DOORSTEP_EDD_DELIVERY_DAYS by
    "carrier:service" (most specific key wins, "*" wildcards) minus the country's public holidays."""
    table = _delivery_days(tuple(sorted(settings.DOORSTEP_EDD_DELIVERY_DAYS.items())))
    service = (service_level or "").lower() or "*"
    for key in (f"{carrier}:{service}", f"{carrier}:*", f"*:{service}", "*:*"):
        if key in table:
            return cal.DeliveryCalendar((country or "").upper(), table[key])
    return cal.DeliveryCalendar((country or "").upper())


def _lane_rows(key: LaneKey) -> dict[str, LaneTransitStats]:
    """The lane's and its region's statistics rows, in one query."""
    origin_country, dest_country = country_of_zone(key.origin_zone), country_of_zone(key.destination_zone)
    common = {"carrier": key.carrier, "service_level": key.service_level}
    rows = LaneTransitStats.objects.filter(
        Q(level=LEVEL_LANE, origin_zone=key.origin_zone, destination_zone=key.destination_zone, **common)
        | Q(level=LEVEL_REGION, origin_zone=origin_country, destination_zone=dest_country, **common)
    )
    return {row.level: row for row in rows}


def load_distributions(key: LaneKey) -> tuple[LaneDistribution | None, LaneDistribution | None]:
    """The lane's and its region's distributions, in one query."""
    found = {level: LaneDistribution.from_json(row.histogram, sample_size=row.sample_size,
                                               weight_total=row.weight_total, weight_sq_total=row.weight_sq_total)
             for level, row in _lane_rows(key).items()}
    return found.get(LEVEL_LANE), found.get(LEVEL_REGION)


def carrier_calibration(key: LaneKey) -> CarrierCalibration | None:
    """What the lanes learned about this carrier's own delivery estimates on the region (None: nothing)."""
    row = _lane_rows(key).get(LEVEL_REGION)
    if row is None or row.carrier_estimate_weight is None:
        return None
    return CarrierCalibration(row.carrier_estimate_bias_days or 0, row.carrier_estimate_weight)


def silence_threshold(key: LaneKey) -> float:
    """Working hours a parcel on this lane may go without a scan before that is evidence of a delay:
    the lane's learned usual longest silence, else its region's, else the fallback; never below
    the minimum (settings.DOORSTEP_DELAY_SILENCE_*)."""
    rows = _lane_rows(key)
    learned = next((rows[level].scan_gap_hours for level in (LEVEL_LANE, LEVEL_REGION)
                    if level in rows and rows[level].scan_gap_hours is not None), None)
    value = settings.DOORSTEP_DELAY_SILENCE_FALLBACK_HOURS if learned is None else learned
    return max(float(value), settings.DOORSTEP_DELAY_SILENCE_MIN_HOURS)


@dataclass(frozen=True)
class Route:
    carrier: str
    service_level: str
    origin_country: str
    origin_postal_code: str
    destination_country: str
    destination_postal_code: str

    @property
    def key(self) -> LaneKey:
        return LaneKey(self.carrier, self.service_level, zone_for(self.origin_country, self.origin_postal_code),
                       zone_for(self.destination_country, self.destination_postal_code))

    @property
    def calendar(self) -> cal.DeliveryCalendar:
        """Where transit and delivery days are counted: the destination, on the service's days."""
        return delivery_calendar(self.carrier, self.service_level, self.destination_country)


def transit_window(route: Route) -> TransitWindow:
    table = carrier_transit_range(carrier=route.carrier, service_level=route.service_level,
                                  origin_country=route.origin_country, destination_country=route.destination_country)
    lane, region = load_distributions(route.key)
    return predict_transit(lane=lane, region=region, table=table, params=lane_params(),
                           table_confidence=TABLE_CONFIDENCE)


def prediction_from_ship_date(ship_date: date, route: Route, *, basis: str | None = None) -> EddPrediction:
    window = transit_window(route)
    return window_from_transit(ship_date, window.as_range, route.calendar, typical_days=window.typical,
                               confidence=window.confidence, basis=basis or window.basis,
                               explanation=window.explanation)


def promise_for(*, merchant: Merchant, destination_country: str, destination_postal_code: str,
                ordered_at: datetime) -> EddPrediction:
    """What the product page promises for an order placed at ``ordered_at``."""
    shipping = shipping_settings_for(merchant)
    route = Route(shipping.default_carrier, shipping.default_service_level, merchant.country,
                  shipping.origin_postal_code, destination_country, destination_postal_code)
    ship = ship_date_for(ordered_at, handling_policy(merchant, shipping), merchant.country)
    prediction = prediction_from_ship_date(ship, route, basis=BASIS_PROMISE)
    return prediction


def shipment_route(shipment: Shipment) -> Route:
    merchant = shipment.merchant
    origin_country = shipment.origin_country or merchant.country
    return Route(shipment.carrier, shipment.service_level, origin_country, shipment.origin_postal_code,
                 shipment.destination_country or shipment.order.ship_country,
                 shipment.destination_postal_code or shipment.order.ship_postal_code)


def ship_time_prediction(shipment: Shipment) -> EddPrediction | None:
    """The lane prediction from the actual ship date, using no event other than the first scan."""
    if shipment.shipped_at is None:
        return None
    route = shipment_route(shipment)
    ship = cal.local_date(shipment.shipped_at, route.origin_country, shipment.merchant.timezone)
    return prediction_from_ship_date(ship, route)


def current_prediction(shipment: Shipment, *, now: datetime) -> EddPrediction | None:
    """Promise before it ships, lanes once it has, adjusted by the parcel's current state."""
    route = shipment_route(shipment)
    base = ship_time_prediction(shipment)
    if base is None:
        shipping = shipping_settings_for(shipment.merchant)
        policy = handling_policy(shipment.merchant, shipping)
        # Not shipped yet: the promised ship date, or the earliest still possible if that has passed.
        ship = max(ship_date_for(shipment.order.placed_at, policy, route.origin_country),
                   ship_date_for(now, policy, route.origin_country))
        base = prediction_from_ship_date(ship, route)
    delivered_on = (cal.local_date(shipment.delivered_at, route.destination_country, shipment.merchant.timezone)
                    if shipment.delivered_at else None)
    days = route.calendar
    silent_hours, threshold = 0.0, None
    if shipment.status in SCANNING_STATUSES and shipment.last_event_at is not None:
        tz = cal.country_timezone(route.destination_country, shipment.merchant.timezone)
        silent_hours = cal.business_hours_between(shipment.last_event_at, now, days, tz)
        # The threshold is never below the minimum: a shorter silence needs no lookup.
        if silent_hours > settings.DOORSTEP_DELAY_SILENCE_MIN_HOURS:
            threshold = silence_threshold(route.key)
    state = InFlightState(
        status=shipment.status, reason=shipment.status_reason,
        today=cal.local_date(now, route.destination_country, shipment.merchant.timezone),
        destination_country=route.destination_country, delivered_on=delivered_on,
        carrier_estimate=shipment.carrier_delivery_date, silent_hours=silent_hours,
        silence_threshold_hours=threshold, calendar=days,
        carrier_calibration=carrier_calibration(route.key) if shipment.carrier_delivery_date else None,
    )
    return adjust(base, state)


def promised_date_for(shipment: Shipment) -> date:
    """What the shop would have promised when the order was placed (the product-page promise)."""
    route = shipment_route(shipment)
    shipping = shipping_settings_for(shipment.merchant)
    ship = ship_date_for(shipment.order.placed_at, handling_policy(shipment.merchant, shipping), route.origin_country)
    return prediction_from_ship_date(ship, route).window_end

"""Glue between the pure EDD layers and the database: load a merchant's policy and the lane
statistics, then call promise → lanes → in-flight. Reads only; writes live in tracking.edd.services."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Q

from tracking.models import LaneTransitStats, Merchant, MerchantShippingSettings, Shipment
from tracking.edd import calendar as cal
from tracking.edd.carrier_table import carrier_transit_range
from tracking.edd.inflight import InFlightState, adjust
from tracking.edd.lanes import LEVEL_LANE, LEVEL_REGION, LaneDistribution, LaneParams, TransitWindow, predict_transit
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


def load_distributions(key: LaneKey) -> tuple[LaneDistribution | None, LaneDistribution | None]:
    """The lane's and its region's distributions, in one query."""
    origin_country, dest_country = country_of_zone(key.origin_zone), country_of_zone(key.destination_zone)
    common = {"carrier": key.carrier, "service_level": key.service_level}
    rows = LaneTransitStats.objects.filter(
        Q(level=LEVEL_LANE, origin_zone=key.origin_zone, destination_zone=key.destination_zone, **common)
        | Q(level=LEVEL_REGION, origin_zone=origin_country, destination_zone=dest_country, **common)
    )
    found = {row.level: LaneDistribution.from_json(row.histogram, sample_size=row.sample_size,
                                                   weight_total=row.weight_total,
                                                   weight_sq_total=row.weight_sq_total) for row in rows}
    return found.get(LEVEL_LANE), found.get(LEVEL_REGION)


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


def transit_window(route: Route) -> TransitWindow:
    table = carrier_transit_range(carrier=route.carrier, service_level=route.service_level,
                                  origin_country=route.origin_country, destination_country=route.destination_country)
    lane, region = load_distributions(route.key)
    return predict_transit(lane=lane, region=region, table=table, params=lane_params(),
                           table_confidence=TABLE_CONFIDENCE)


def prediction_from_ship_date(ship_date: date, route: Route, *, basis: str | None = None) -> EddPrediction:
    window = transit_window(route)
    return window_from_transit(ship_date, window.as_range, route.destination_country, typical_days=window.typical,
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
    state = InFlightState(
        status=shipment.status, reason=shipment.status_reason,
        today=cal.local_date(now, route.destination_country, shipment.merchant.timezone),
        destination_country=route.destination_country, delivered_on=delivered_on,
        carrier_estimate=shipment.carrier_delivery_date,
    )
    return adjust(base, state)


def promised_date_for(shipment: Shipment) -> date:
    """What the shop would have promised when the order was placed (the product-page promise)."""
    route = shipment_route(shipment)
    shipping = shipping_settings_for(shipment.merchant)
    ship = ship_date_for(shipment.order.placed_at, handling_policy(shipment.merchant, shipping), route.origin_country)
    return prediction_from_ship_date(ship, route).window_end

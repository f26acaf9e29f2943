"""Factories for delivery-date estimation: shipping settings, lane statistics, backtest runs, delay cases."""
import copy
from functools import lru_cache

import factory
from django.utils import timezone

from tests.factories.tracking import MerchantFactory, ShipmentFactory
from tracking.models import DelayCase, EddBacktestRun, LaneTransitStats, MerchantShippingSettings


class MerchantShippingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerchantShippingSettings

    merchant = factory.SubFactory(MerchantFactory)
    cutoff_hour = 14
    handling_days = 0
    origin_postal_code = "10881"
    default_carrier = "mock"
    default_service_level = "standard"


class LaneTransitStatsFactory(factory.django.DjangoModelFactory):
    """Ten deliveries on a Seoul lane, mostly two business days (quantiles consistent with the histogram)."""

    class Meta:
        model = LaneTransitStats

    level = LaneTransitStats.Level.LANE
    carrier = "mock"
    service_level = "standard"
    origin_zone = "KR-10"
    destination_zone = factory.Sequence(lambda n: f"KR-{n % 100:02d}-{n // 100}")
    histogram = factory.LazyFunction(lambda: {"1": 2.0, "2": 6.0, "3": 2.0})
    sample_size = 10
    weight_total = factory.LazyAttribute(lambda o: sum(o.histogram.values()))
    weight_sq_total = factory.LazyAttribute(lambda o: sum(w * w for w in o.histogram.values()))
    p10 = 1
    p50 = 2
    p90 = 3
    computed_at = factory.LazyFunction(timezone.now)


@lru_cache(maxsize=1)
def _small_backtest_report() -> dict:
    """A real report (the shape admin renders), from a small generated history; computed once."""
    from tracking.edd.backtest import run_backtest
    from tracking.edd.history import PUBLISHED_TABLE, generate_history

    return run_backtest(generate_history(shipments=200, seed=1), table=PUBLISHED_TABLE, train_share=0.7,
                        refit_days=7, target=0.92)


class EddBacktestRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EddBacktestRun

    source = "generated"
    seed = 1
    shipments = 200
    params = factory.LazyFunction(lambda: {"train_share": 0.7, "refit_days": 7, "target": 0.92})
    report = factory.LazyFunction(lambda: copy.deepcopy(_small_backtest_report()))


class DelayCaseFactory(factory.django.DjangoModelFactory):
    """An open case: the carrier reported bad weather on the parcel."""

    class Meta:
        model = DelayCase

    shipment = factory.SubFactory(ShipmentFactory)
    merchant = factory.SelfAttribute("shipment.merchant")
    kind = DelayCase.Kind.DELAY_REASON
    reason = "weather"
    carrier = factory.SelfAttribute("shipment.carrier")
    promised_date = factory.SelfAttribute("shipment.promised_delivery_date")
    opened_at = factory.LazyFunction(timezone.now)

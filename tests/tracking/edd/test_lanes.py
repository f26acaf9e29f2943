"""Layer b: weighted quantiles, recency weighting, fallbacks when data is thin."""
from datetime import date, timedelta

from tracking.edd.lanes import (
    LEVEL_LANE,
    LEVEL_REGION,
    LaneDistribution,
    LaneParams,
    TransitSample,
    build_distributions,
    predict_transit,
    recency_weight,
)
from tracking.edd.types import LaneKey, TransitRange
from tracking.edd.zones import zone_for

SEOUL = LaneKey("cj", "standard", "KR-10", "KR-04")
JEJU = LaneKey("cj", "standard", "KR-10", "KR-63")
TODAY = date(2026, 1, 15)
TABLE = TransitRange(1, 5)


def samples(key, days_list, *, age=0):
    return [TransitSample(key, TODAY - timedelta(days=age), d) for d in days_list]


def test_weighted_quantiles_of_a_lane():
    dists = build_distributions(samples(SEOUL, [1] * 80 + [2] * 15 + [3] * 5), as_of=TODAY, half_life_days=30)
    lane = dists[(LEVEL_LANE, SEOUL)]
    assert lane.sample_size == 100
    assert (lane.quantile(0.05), lane.quantile(0.5), lane.quantile(0.9), lane.quantile(0.96)) == (1, 1, 2, 3)
    assert abs(lane.share_between(1, 2) - 0.95) < 1e-9


def test_recent_deliveries_outweigh_old_ones():
    old_slow = samples(SEOUL, [3] * 50, age=120)
    new_fast = samples(SEOUL, [1] * 50, age=0)
    lane = build_distributions(old_slow + new_fast, as_of=TODAY, half_life_days=30)[(LEVEL_LANE, SEOUL)]
    assert lane.quantile(0.5) == 1
    assert lane.quantile(0.9) == 1  # 120 days is four half-lives: old parcels weigh 1/16
    assert lane.effective_size < lane.sample_size
    assert recency_weight(30, 30) == 0.5


def test_future_deliveries_are_ignored():
    dists = build_distributions(samples(SEOUL, [1] * 5, age=-3), as_of=TODAY, half_life_days=30)
    assert dists == {}


def test_region_pools_the_country_pair():
    dists = build_distributions(samples(SEOUL, [1] * 10) + samples(JEJU, [3] * 10), as_of=TODAY, half_life_days=30)
    region = dists[(LEVEL_REGION, LaneKey("cj", "standard", "KR", "KR"))]
    assert region.sample_size == 20
    assert (region.quantile(0.1), region.quantile(0.9)) == (1, 3)


def test_lane_with_enough_data_gives_a_narrow_confident_window():
    dists = build_distributions(samples(SEOUL, [1] * 90 + [2] * 10), as_of=TODAY, half_life_days=30)
    window = predict_transit(lane=dists[(LEVEL_LANE, SEOUL)], region=dists[(LEVEL_REGION, LaneKey("cj", "standard", "KR", "KR"))],
                             table=TABLE, params=LaneParams(q_low=0.05, q_high=0.95))
    assert (window.low, window.high, window.typical, window.basis) == (1, 2, 1, "lane")
    assert 0.8 < window.confidence <= 1


def test_thin_lane_falls_back_to_region_then_table():
    params = LaneParams(min_effective_samples=15)
    dists = build_distributions(samples(JEJU, [3] * 4) + samples(SEOUL, [1] * 30), as_of=TODAY, half_life_days=30)
    region = dists[(LEVEL_REGION, LaneKey("cj", "standard", "KR", "KR"))]
    window = predict_transit(lane=dists[(LEVEL_LANE, JEJU)], region=region, table=TABLE, params=params)
    assert window.basis == "region"
    nothing = predict_transit(lane=dists[(LEVEL_LANE, JEJU)], region=None, table=TABLE, params=params)
    assert (nothing.basis, nothing.low, nothing.high) == ("carrier_table", 1, 5)
    assert predict_transit(lane=None, region=None, table=TABLE, params=params).basis == "carrier_table"


def test_confidence_grows_with_sample_size():
    params = LaneParams(min_effective_samples=1)
    small = LaneDistribution(((1, 5.0),), 5, 5.0, 5.0)
    big = LaneDistribution(((1, 500.0),), 500, 500.0, 500.0)
    assert predict_transit(lane=small, region=None, table=TABLE, params=params).confidence < \
        predict_transit(lane=big, region=None, table=TABLE, params=params).confidence


def test_json_round_trip():
    dist = LaneDistribution(((1, 2.5), (3, 1.0)), 4, 3.5, 7.25)
    again = LaneDistribution.from_json(dist.as_json(), sample_size=4, weight_total=3.5, weight_sq_total=7.25)
    assert again == dist


def test_zones():
    assert zone_for("KR", "04524") == "KR-04"
    assert zone_for("us", "10001-1234") == "US-100"
    assert zone_for("GB", "SW1A 1AA") == "GB-SW"
    assert zone_for("KR", "bad") == "KR"
    assert zone_for("", "04524") == ""

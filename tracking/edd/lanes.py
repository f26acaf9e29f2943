"""Layer b — learned lanes: recency-weighted distributions of transit business days.

A sample is one delivered parcel: business days from its ship date (origin-local) to its delivery
date (destination-local, counted on the destination's calendar). Distributions are kept per lane
(carrier, service, origin zone, destination zone) and per region (same, with countries instead
of zones); prediction falls back lane → region → carrier table when the weighted sample is thin.
Pure functions: the Django side only stores and loads ``LaneDistribution`` values.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from tracking.edd.types import BASIS_CARRIER_TABLE, BASIS_LANE, BASIS_REGION, LaneKey, TransitRange
from tracking.edd.zones import country_of_zone

LEVEL_LANE = "lane"
LEVEL_REGION = "region"


@dataclass(frozen=True)
class TransitSample:
    key: LaneKey  # lane-level key (zones)
    delivered_on: date
    transit_days: int
    # The parcel's longest silence while in transit, in working hours (None: not measured).
    longest_gap_hours: float | None = None
    # Business days from the carrier's own delivery estimate to the delivery: negative when it came
    # earlier than the carrier said (None: no estimate).
    carrier_error_days: int | None = None


@dataclass(frozen=True)
class LaneDistribution:
    """Weighted histogram of transit business days. ``effective_size`` is Kish's effective sample
    size, so a lane whose data is all old counts as thinner than its raw ``sample_size``."""

    histogram: tuple[tuple[int, float], ...]  # (days, weight), days ascending
    sample_size: int
    weight_total: float
    weight_sq_total: float

    @property
    def effective_size(self) -> float:
        return (self.weight_total ** 2 / self.weight_sq_total) if self.weight_sq_total else 0.0

    def quantile(self, q: float) -> int:
        target = q * self.weight_total
        running = 0.0
        for days, weight in self.histogram:
            running += weight
            if running >= target - 1e-9:
                return days
        return self.histogram[-1][0]

    def share_between(self, low: int, high: int) -> float:
        inside = sum(w for d, w in self.histogram if low <= d <= high)
        return inside / self.weight_total if self.weight_total else 0.0

    def as_json(self) -> dict:
        return {str(d): round(w, 6) for d, w in self.histogram}

    @classmethod
    def from_json(cls, histogram: dict, *, sample_size: int, weight_total: float,
                  weight_sq_total: float) -> "LaneDistribution":
        pairs = tuple(sorted((int(d), float(w)) for d, w in histogram.items()))
        return cls(pairs, sample_size, weight_total, weight_sq_total)


def recency_weight(age_days: float, half_life_days: float) -> float:
    return math.pow(0.5, max(age_days, 0.0) / half_life_days)


def region_key(key: LaneKey) -> LaneKey:
    return LaneKey(key.carrier, key.service_level, country_of_zone(key.origin_zone),
                   country_of_zone(key.destination_zone))


def build_distributions(samples: Iterable[TransitSample], *, as_of: date,
                        half_life_days: float) -> dict[tuple[str, LaneKey], LaneDistribution]:
    """Every lane's and region's distribution from the samples delivered on or before ``as_of``."""
    hist: dict[tuple[str, LaneKey], dict[int, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[tuple[str, LaneKey], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for sample in samples:
        if sample.delivered_on > as_of or sample.transit_days < 0:
            continue
        weight = recency_weight((as_of - sample.delivered_on).days, half_life_days)
        for level, key in ((LEVEL_LANE, sample.key), (LEVEL_REGION, region_key(sample.key))):
            hist[(level, key)][sample.transit_days] += weight
            tally = counts[(level, key)]
            tally[0] += 1
            tally[1] += weight
            tally[2] += weight * weight
    return {
        ident: LaneDistribution(tuple(sorted(days.items())), int(counts[ident][0]), counts[ident][1], counts[ident][2])
        for ident, days in hist.items()
    }


def build_scan_gaps(samples: Iterable[TransitSample], *, quantile: float,
                    min_samples: int) -> dict[tuple[str, LaneKey], float]:
    """Each lane's and region's usual longest silence: the ``quantile`` of its parcels' longest gap
    between scans. A parcel silent for longer than this is rarer than 1 − quantile on its lane —
    evidence that it is stuck rather than merely between two scans. Lanes with fewer than
    ``min_samples`` measured parcels get nothing (the caller falls back)."""
    gaps: dict[tuple[str, LaneKey], list[float]] = defaultdict(list)
    for sample in samples:
        if sample.longest_gap_hours is None:
            continue
        gaps[(LEVEL_LANE, sample.key)].append(sample.longest_gap_hours)
        gaps[(LEVEL_REGION, region_key(sample.key))].append(sample.longest_gap_hours)
    found = {}
    for ident, values in gaps.items():
        if len(values) < min_samples:
            continue
        values.sort()
        index = min(len(values) - 1, max(0, math.ceil(quantile * len(values)) - 1))
        found[ident] = round(values[index], 2)
    return found


@dataclass(frozen=True)
class CarrierCalibration:
    """How a carrier's own delivery estimates relate to its deliveries on a region.

    ``bias_days``: the median business days from its estimate to the delivery (−2: it says "by Friday"
    and usually delivers on Wednesday — an estimate meant as a latest date). ``weight``: the share of
    say its estimate, corrected by that bias, gets against the lane's median: our mean error /
    (ours + its corrected mean error), measured on the same deliveries."""

    bias_days: int
    weight: float


def build_carrier_calibrations(samples: Iterable[TransitSample],
                               distributions: dict[tuple[str, LaneKey], LaneDistribution], *,
                               min_samples: int) -> dict[tuple[str, LaneKey], CarrierCalibration]:
    errors: dict[tuple[str, LaneKey], list[tuple[float, int]]] = defaultdict(list)
    for sample in samples:
        if sample.carrier_error_days is None:
            continue
        ident = (LEVEL_REGION, region_key(sample.key))
        dist = distributions.get(ident)
        if dist is None:
            continue
        errors[ident].append((abs(sample.transit_days - dist.quantile(0.5)), sample.carrier_error_days))
    found = {}
    for ident, pairs in errors.items():
        if len(pairs) < min_samples:
            continue
        signed = sorted(carrier for _, carrier in pairs)
        bias = signed[(len(signed) - 1) // 2]
        ours = sum(lane for lane, _ in pairs) / len(pairs)
        theirs = sum(abs(carrier - bias) for _, carrier in pairs) / len(pairs)
        weight = 0.5 if ours + theirs == 0 else round(ours / (ours + theirs), 3)
        found[ident] = CarrierCalibration(bias, weight)
    return found


@dataclass(frozen=True)
class LaneParams:
    """Tuned by validation on past deliveries (see tracking.edd.backtest), overridable in settings."""

    q_low: float = 0.05
    q_high: float = 0.95
    min_effective_samples: float = 15.0
    # Confidence shrinks towards 0 with few samples: coverage × n / (n + prior_strength).
    prior_strength: float = 10.0


@dataclass(frozen=True)
class TransitWindow:
    """Transit business days after the ship date: a window and the most likely value."""

    low: int
    high: int
    typical: int
    confidence: float
    basis: str
    explanation: str

    @property
    def as_range(self) -> TransitRange:
        return TransitRange(self.low, self.high, source=self.basis)


def window_from_distribution(dist: LaneDistribution, params: LaneParams, basis: str, label: str) -> TransitWindow:
    low, high = dist.quantile(params.q_low), dist.quantile(params.q_high)
    typical = dist.quantile(0.5)
    n = dist.effective_size
    confidence = dist.share_between(low, high) * n / (n + params.prior_strength)
    return TransitWindow(low, high, typical, round(min(max(confidence, 0.0), 1.0), 3), basis,
                         f"{label}: {low}–{high} business days (p{round(params.q_low * 100)}–p"
                         f"{round(params.q_high * 100)} of {dist.sample_size} deliveries)")


def predict_transit(*, lane: LaneDistribution | None, region: LaneDistribution | None, table: TransitRange,
                    params: LaneParams, table_confidence: float = 0.6) -> TransitWindow:
    if lane is not None and lane.effective_size >= params.min_effective_samples:
        return window_from_distribution(lane, params, BASIS_LANE, "this lane")
    if region is not None and region.effective_size >= params.min_effective_samples:
        return window_from_distribution(region, params, BASIS_REGION, "this country pair")
    return TransitWindow(table.min_days, table.max_days, table.typical_days, table_confidence, BASIS_CARRIER_TABLE,
                         f"carrier's published {table.min_days}–{table.max_days} business days")

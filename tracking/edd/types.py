"""Plain values the EDD layers pass between each other."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

BASIS_PROMISE = "promise"
BASIS_LANE = "lane"
BASIS_REGION = "region"
BASIS_CARRIER_TABLE = "carrier_table"
BASIS_IN_FLIGHT = "in_flight"
BASES = (BASIS_PROMISE, BASIS_LANE, BASIS_REGION, BASIS_CARRIER_TABLE, BASIS_IN_FLIGHT)


@dataclass(frozen=True)
class EddPrediction:
    """A delivery window. ``confidence`` (0..1) estimates the chance delivery falls inside it."""

    window_start: date
    window_end: date
    most_likely: date
    confidence: float
    basis: str
    explanation: str = ""

    def __post_init__(self):
        if self.window_start > self.window_end:
            raise ValueError("window_start after window_end")
        if not self.window_start <= self.most_likely <= self.window_end:
            raise ValueError("most_likely outside the window")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError("confidence must be within 0..1")
        if self.basis not in BASES:
            raise ValueError(f"unknown basis {self.basis!r}")


@dataclass(frozen=True)
class TransitRange:
    """Transit time in business days after the ship date, e.g. from a carrier's published table."""

    min_days: int
    max_days: int
    source: str = "table"  # "adapter" when the carrier adapter published it

    @property
    def typical_days(self) -> int:
        return (self.min_days + self.max_days + 1) // 2


@dataclass(frozen=True)
class LaneKey:
    carrier: str
    service_level: str
    origin_zone: str
    destination_zone: str


def scope_of(origin_country: str, destination_country: str) -> str:
    return "domestic" if (origin_country or "").upper() == (destination_country or "").upper() else "international"

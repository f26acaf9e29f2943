"""How good were the windows? Shared by the backtest and the live accuracy view in admin.

Every figure is in business days on the destination's calendar: a shopper waiting over a weekend
is not "two days late".
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable

from tracking.edd.calendar import business_days_between, business_window_width


@dataclass(frozen=True)
class Outcome:
    carrier: str
    lane: str  # "KR-10→KR-04"
    destination_country: str
    delivered_on: date
    window_start: date
    window_end: date
    most_likely: date


@dataclass(frozen=True)
class Summary:
    n: int
    inside: float  # share delivered inside the window
    late: float  # share delivered after the window
    early: float
    mae_days: float  # mean absolute error of the most likely day
    median_width: float  # business days the window spans, both ends included
    mean_width: float = 0.0

    def as_dict(self) -> dict:
        return {"n": self.n, "inside": round(self.inside, 4), "late": round(self.late, 4),
                "early": round(self.early, 4), "mae_days": round(self.mae_days, 3),
                "median_width": self.median_width, "mean_width": round(self.mean_width, 3)}


def summarize(outcomes: Iterable[Outcome]) -> Summary:
    inside = late = early = 0
    errors, widths = [], []
    for o in outcomes:
        if o.delivered_on > o.window_end:
            late += 1
        elif o.delivered_on < o.window_start:
            early += 1
        else:
            inside += 1
        errors.append(abs(business_days_between(o.most_likely, o.delivered_on, o.destination_country)))
        widths.append(business_window_width(o.window_start, o.window_end, o.destination_country))
    n = inside + late + early
    if n == 0:
        return Summary(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    return Summary(n, inside / n, late / n, early / n, sum(errors) / n, float(statistics.median(widths)),
                   sum(widths) / n)


def summarize_by(outcomes: Iterable[Outcome], key: Callable[[Outcome], str]) -> dict[str, Summary]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[key(o)].append(o)
    return {name: summarize(items) for name, items in sorted(groups.items())}

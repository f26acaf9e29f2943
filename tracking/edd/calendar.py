"""Business-day arithmetic with per-country holiday calendars (the ``holidays`` package).

Pure functions over ``date`` values. A business day is Monday–Friday and not a public holiday of the
country whose calendar applies: the origin's for handling (the warehouse is closed), the
destination's for transit and delivery (the delivering depot is closed).
"""
from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

# A representative time zone per country, to turn timestamps into the local dates that business
# days are counted in. Countries spanning zones get their most populous one; unknown countries
# fall back to the caller's default.
COUNTRY_TIMEZONES = {
    "KR": "Asia/Seoul",
    "JP": "Asia/Tokyo",
    "CN": "Asia/Shanghai",
    "TW": "Asia/Taipei",
    "HK": "Asia/Hong_Kong",
    "SG": "Asia/Singapore",
    "US": "America/New_York",
    "CA": "America/Toronto",
    "GB": "Europe/London",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "AU": "Australia/Sydney",
}


@lru_cache(maxsize=512)
def _holidays_for(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year).keys())
    except NotImplementedError:
        # A country the package does not know: weekends only, rather than refusing to predict.
        return frozenset()


def is_holiday(day: date, country: str) -> bool:
    return day in _holidays_for((country or "").upper(), day.year)


def is_business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and not is_holiday(day, country)


def next_business_day(day: date, country: str) -> date:
    """The first business day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_business_day(day, country):
        day += timedelta(days=1)
    return day


def previous_business_day(day: date, country: str) -> date:
    """The last business day strictly before ``day``."""
    day -= timedelta(days=1)
    while not is_business_day(day, country):
        day -= timedelta(days=1)
    return day


def roll_forward(day: date, country: str) -> date:
    """``day`` itself if it is a business day, else the next one."""
    return day if is_business_day(day, country) else next_business_day(day, country)


def add_business_days(day: date, n: int, country: str) -> date:
    """The ``n``-th business day after ``day`` (``n`` = 0 rolls ``day`` forward to a business day)."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return roll_forward(day, country)
    for _ in range(n):
        day = next_business_day(day, country)
    return day


def business_days_between(start: date, end: date, country: str) -> int:
    """Business days in (start, end]: how many business days after ``start`` ``end`` falls.
    Negative when ``end`` is before ``start``. A weekend/holiday ``end`` counts as the business day
    before it, so a Saturday delivery of a Friday shipment is 0 business days of transit."""
    if end < start:
        return -business_days_between(end, start, country)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_business_day(day, country):
            count += 1
    return count


def business_window_width(start: date, end: date, country: str) -> int:
    """Business days a window spans, both ends included (Tue–Thu is 3). At least 1."""
    return max(1, business_days_between(roll_forward(start, country), end, country) + 1)


def local_date(moment: datetime, country: str, default_tz: str = "UTC") -> date:
    """The calendar date of an aware ``moment`` in the country's representative time zone."""
    tz = zoneinfo.ZoneInfo(COUNTRY_TIMEZONES.get((country or "").upper(), default_tz))
    return moment.astimezone(tz).date()


def country_timezone(country: str, default_tz: str = "UTC") -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(COUNTRY_TIMEZONES.get((country or "").upper(), default_tz))

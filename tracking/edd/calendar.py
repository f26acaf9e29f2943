"""Business-day arithmetic with per-country holiday calendars (the ``holidays`` package).

Pure functions over ``date`` values. A business day is a working weekday (Monday–Friday unless a
service says otherwise) and not a public holiday of the country whose calendar applies: the origin's
for handling (the warehouse is closed), the destination's for transit and delivery (the delivering
depot is closed).

Every function takes either a country code (Monday–Friday) or a ``DeliveryCalendar``: a country plus
the weekdays a carrier's service delivers on. A standard service that never delivers on a Sunday —
or a Saturday — therefore never gets a promise or a window on one (settings.DOORSTEP_EDD_DELIVERY_DAYS).
"""
from __future__ import annotations

import math
import zoneinfo
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple, Union

import holidays

MON_FRI = frozenset(range(5))
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DeliveryCalendar(NamedTuple):
    """The days a service delivers in a country: ``weekdays`` (0 = Monday) minus its public holidays."""

    country: str
    weekdays: frozenset[int] = MON_FRI


CalendarLike = Union[str, DeliveryCalendar]


def _resolve(calendar: CalendarLike) -> tuple[str, frozenset[int]]:
    if isinstance(calendar, DeliveryCalendar):
        return (calendar.country or "").upper(), calendar.weekdays
    return (calendar or "").upper(), MON_FRI


def parse_weekdays(spec: str) -> frozenset[int]:
    """"mon-fri", "mon-sat", "mon+wed+fri" (or a mix, "mon-wed+sat") → weekday numbers.

    Raises ValueError on anything else, so a typo in a setting fails at start-up, not silently."""
    days: set[int] = set()
    for part in (spec or "").lower().replace(" ", "").split("+"):
        first, dash, last = part.partition("-")
        if first not in WEEKDAY_NAMES or (dash and last not in WEEKDAY_NAMES):
            raise ValueError(f"unknown delivery days {spec!r}: use names like mon-fri, mon-sat or mon+wed+fri")
        start, end = WEEKDAY_NAMES.index(first), WEEKDAY_NAMES.index(last or first)
        if end < start:
            raise ValueError(f"delivery days {spec!r} run backwards")
        days.update(range(start, end + 1))
    return frozenset(days)

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


def is_holiday(day: date, country: CalendarLike) -> bool:
    return day in _holidays_for(_resolve(country)[0], day.year)


def is_business_day(day: date, country: CalendarLike) -> bool:
    code, weekdays = _resolve(country)
    return day.weekday() in weekdays and day not in _holidays_for(code, day.year)


def next_business_day(day: date, country: CalendarLike) -> date:
    """The first business day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_business_day(day, country):
        day += timedelta(days=1)
    return day


def previous_business_day(day: date, country: CalendarLike) -> date:
    """The last business day strictly before ``day``."""
    day -= timedelta(days=1)
    while not is_business_day(day, country):
        day -= timedelta(days=1)
    return day


def roll_forward(day: date, country: CalendarLike) -> date:
    """``day`` itself if it is a business day, else the next one."""
    return day if is_business_day(day, country) else next_business_day(day, country)


def add_business_days(day: date, n: int, country: CalendarLike) -> date:
    """The ``n``-th business day after ``day`` (``n`` = 0 rolls ``day`` forward to a business day)."""
    if n < 0:
        raise ValueError("n must not be negative")
    if n == 0:
        return roll_forward(day, country)
    for _ in range(n):
        day = next_business_day(day, country)
    return day


def business_days_between(start: date, end: date, country: CalendarLike) -> int:
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


def business_window_width(start: date, end: date, country: CalendarLike) -> int:
    """Business days a window spans, both ends included (Tue–Thu is 3). At least 1."""
    return max(1, business_days_between(roll_forward(start, country), end, country) + 1)


def local_date(moment: datetime, country: CalendarLike, default_tz: str = "UTC") -> date:
    """The calendar date of an aware ``moment`` in the country's representative time zone."""
    return moment.astimezone(country_timezone(country, default_tz)).date()


def country_timezone(country: CalendarLike, default_tz: str = "UTC") -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(COUNTRY_TIMEZONES.get(_resolve(country)[0], default_tz))


# --- Working hours: how long a parcel has really been silent -------------------------------------
# Carriers scan on working days; a parcel that was last scanned on Friday evening is not "silent"
# over the weekend. Hours on days that are not business days of the calendar do not count.

def business_hours_between(start: datetime, end: datetime, calendar: CalendarLike, tz: zoneinfo.ZoneInfo) -> float:
    """Hours between two aware moments, leaving out every hour that falls on a non-business day
    (local days in ``tz``). 0 when ``end`` is not after ``start``."""
    if end <= start:
        return 0.0
    local, stop = start.astimezone(tz), end.astimezone(tz)
    total = 0.0
    day = local.date()
    while day <= stop.date():
        if is_business_day(day, calendar):
            day_start = datetime.combine(day, time(0), tzinfo=tz)
            day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
            total += (min(day_end, stop) - max(day_start, local)).total_seconds()
        day += timedelta(days=1)
    return max(total, 0.0) / 3600.0


def add_business_hours(start: datetime, hours: float, calendar: CalendarLike, tz: zoneinfo.ZoneInfo) -> datetime:
    """The moment ``hours`` working hours after ``start`` (the inverse of business_hours_between)."""
    if hours <= 0:
        return start
    remaining = hours * 3600.0
    moment = start.astimezone(tz)
    for _ in range(10_000):  # a calendar with no business day at all must not loop forever
        day = moment.date()
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        if is_business_day(day, calendar):
            available = (day_end - moment).total_seconds()
            if remaining <= available:
                return moment + timedelta(seconds=remaining)
            remaining -= available
        moment = day_end
    raise ValueError("the calendar has no business days")


def business_days_for_hours(hours: float) -> int:
    """Whole business days a span of working hours stands for (partial days round up)."""
    return max(0, math.ceil(hours / 24.0 - 1e-9))

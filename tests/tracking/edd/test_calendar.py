"""Business-day arithmetic across weekends and KR/US public holidays."""
from datetime import date, datetime, timezone

import pytest

from tracking.edd import calendar as cal


@pytest.mark.parametrize("day,country,expected", [
    (date(2025, 10, 6), "KR", False),  # Chuseok
    (date(2025, 10, 9), "KR", False),  # Hangul Day
    (date(2025, 10, 10), "KR", True),
    (date(2025, 11, 27), "US", False),  # Thanksgiving
    (date(2025, 11, 27), "KR", True),  # not a holiday in Korea
    (date(2025, 10, 6), "US", True),
    (date(2025, 11, 29), "US", False),  # Saturday
])
def test_is_business_day(day, country, expected):
    assert cal.is_business_day(day, country) is expected


def test_add_business_days_skips_chuseok_week_in_korea_only():
    # Thu 2 Oct 2025: Fri 3 National Foundation Day, weekend, Chuseok 6-8, Hangul Day 9.
    assert cal.add_business_days(date(2025, 10, 2), 1, "KR") == date(2025, 10, 10)
    assert cal.add_business_days(date(2025, 10, 2), 1, "US") == date(2025, 10, 3)


def test_add_business_days_over_weekend_and_thanksgiving():
    assert cal.add_business_days(date(2025, 11, 26), 1, "US") == date(2025, 11, 28)
    assert cal.add_business_days(date(2025, 11, 21), 1, "US") == date(2025, 11, 24)  # Fri → Mon
    assert cal.add_business_days(date(2025, 11, 21), 5, "US") == date(2025, 12, 1)


def test_zero_days_rolls_forward_to_a_business_day():
    assert cal.add_business_days(date(2025, 11, 22), 0, "US") == date(2025, 11, 24)
    assert cal.add_business_days(date(2025, 11, 24), 0, "US") == date(2025, 11, 24)


def test_business_days_between_is_inverse_of_add():
    start = date(2025, 12, 19)
    for n in range(0, 15):
        end = cal.add_business_days(start, n, "KR")
        assert cal.business_days_between(start, end, "KR") == n
    assert cal.business_days_between(date(2025, 10, 10), date(2025, 10, 2), "KR") == -1


def test_weekend_delivery_counts_as_the_business_day_before():
    assert cal.business_days_between(date(2025, 11, 20), date(2025, 11, 22), "US") == 1  # Thu → Sat


def test_window_width_counts_both_ends():
    assert cal.business_window_width(date(2025, 11, 24), date(2025, 11, 26), "US") == 3  # Mon–Wed
    assert cal.business_window_width(date(2025, 11, 26), date(2025, 12, 1), "US") == 3  # Wed, Fri, Mon
    assert cal.business_window_width(date(2025, 11, 26), date(2025, 11, 26), "US") == 1


def test_unknown_country_uses_weekends_only():
    assert cal.is_business_day(date(2025, 12, 25), "ZZ")
    assert not cal.is_business_day(date(2025, 12, 27), "ZZ")


def test_local_date_uses_the_country_time_zone():
    moment = datetime(2025, 11, 26, 20, 0, tzinfo=timezone.utc)
    assert cal.local_date(moment, "KR") == date(2025, 11, 27)
    assert cal.local_date(moment, "US") == date(2025, 11, 26)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        cal.add_business_days(date(2025, 1, 2), -1, "KR")

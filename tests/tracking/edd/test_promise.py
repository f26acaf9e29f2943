"""Layer a: cut-off, handling days and carrier transit, origin vs destination calendars."""
from datetime import date, datetime, timezone

import pytest

from tracking.edd.carrier_table import DEFAULT_TABLE, carrier_transit_range, table_lookup
from tracking.edd.promise import HandlingPolicy, next_cutoff, promise_prediction, ship_date_for
from tracking.edd.types import TransitRange

SEOUL = HandlingPolicy(cutoff_hour=14, handling_days=0, timezone="Asia/Seoul")


def kst(y, mo, d, h, mi=0):
    return datetime(y, mo, d, h - 9, mi, tzinfo=timezone.utc) if h >= 9 else datetime(y, mo, d - 1, h + 15, mi,
                                                                                        tzinfo=timezone.utc)


def test_before_cutoff_ships_same_day():
    assert ship_date_for(kst(2025, 11, 26, 13, 59), SEOUL, "KR") == date(2025, 11, 26)


def test_at_or_after_cutoff_ships_next_business_day():
    assert ship_date_for(kst(2025, 11, 26, 14, 0), SEOUL, "KR") == date(2025, 11, 27)
    assert ship_date_for(kst(2025, 11, 28, 15, 0), SEOUL, "KR") == date(2025, 12, 1)  # Fri after cut-off → Mon


def test_cutoff_is_in_the_merchant_time_zone():
    # 04:30 UTC is 13:30 in Seoul (before cut-off) but the order is already late for a UTC merchant.
    moment = datetime(2025, 11, 26, 4, 30, tzinfo=timezone.utc)
    assert ship_date_for(moment, SEOUL, "KR") == date(2025, 11, 26)
    assert ship_date_for(moment, HandlingPolicy(cutoff_hour=4, timezone="UTC"), "KR") == date(2025, 11, 27)


def test_handling_days_count_on_the_origin_calendar():
    policy = HandlingPolicy(cutoff_hour=14, handling_days=1, timezone="Asia/Seoul")
    # Thu 2 Oct before cut-off: one handling day skips Fri 3 Oct holiday and the Chuseok week.
    assert ship_date_for(kst(2025, 10, 2, 10), policy, "KR") == date(2025, 10, 10)


def test_weekend_order_waits_for_monday():
    assert ship_date_for(kst(2025, 11, 29, 10), SEOUL, "KR") == date(2025, 12, 1)


def test_transit_counts_on_the_destination_calendar():
    # Korean warehouse ships Wed 26 Nov; US delivery skips Thanksgiving (27) and the weekend.
    prediction = promise_prediction(ordered_at=kst(2025, 11, 26, 10), policy=SEOUL, origin_country="KR",
                                    destination_country="US", transit=TransitRange(1, 2))
    assert (prediction.window_start, prediction.window_end) == (date(2025, 11, 28), date(2025, 12, 1))
    assert prediction.basis == "promise"
    assert 0 < prediction.confidence <= 1


def test_next_cutoff():
    assert next_cutoff(kst(2025, 11, 26, 10), SEOUL, "KR") == datetime(2025, 11, 26, 5, 0, tzinfo=timezone.utc)
    assert next_cutoff(kst(2025, 11, 28, 15), SEOUL, "KR") == datetime(2025, 12, 1, 5, 0, tzinfo=timezone.utc)


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        HandlingPolicy(cutoff_hour=25)
    with pytest.raises(ValueError):
        HandlingPolicy(handling_days=-1)


def test_table_lookup_prefers_the_most_specific_key():
    table = {**DEFAULT_TABLE, "cj:standard:domestic": (1, 2)}
    assert table_lookup(table, carrier="cj", service_level="standard", scope="domestic") == TransitRange(1, 2)
    assert table_lookup(table, carrier="other", service_level="standard", scope="domestic").max_days == 3
    assert table_lookup(table, carrier="other", service_level="", scope="international").max_days == 12


def test_adapter_transit_times_win_over_the_table(settings):
    settings.DOORSTEP_CARRIERS = {**settings.DOORSTEP_CARRIERS, "fast": "tests.support.fakes.FastCarrier"}
    from tracking.carriers.registry import adapter_class
    adapter_class.cache_clear()
    try:
        found = carrier_transit_range(carrier="fast", service_level="overnight", origin_country="KR",
                                      destination_country="KR")
        assert (found.min_days, found.max_days, found.source) == (1, 1, "adapter")
        fallback = carrier_transit_range(carrier="fast", service_level="standard", origin_country="KR",
                                         destination_country="KR")
        assert fallback.source == "table"
    finally:
        adapter_class.cache_clear()


def test_unknown_carrier_uses_the_table():
    found = carrier_transit_range(carrier="nobody", service_level="express", origin_country="KR",
                                  destination_country="US")
    assert (found.min_days, found.max_days) == DEFAULT_TABLE["*:express:international"]

"""Carrier detection from the tracking number alone."""
from datetime import UTC, datetime

import pytest

from tracking.carriers.detect import (
    detect,
    detect_carriers,
    fedex12_check,
    mod7_check,
    mod10_31,
    public_tracking_url,
    s10_check,
    ups_check,
)
from tracking.carriers.mock import make_tracking_number


def flip_last(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


# Published sample numbers (carrier docs, UPU S10 example) with valid check digits.
VALID = [
    ("1Z999AA10123456784", "ups", "easypost"),
    ("1Z12345E6605272234", "ups", "easypost"),
    ("9405511899223197428490", "usps", "easypost"),
    ("420221539101026837331000039521", "usps", "easypost"),
    ("123456789012", "fedex", "easypost"),
    ("449044304137821", "fedex", "easypost"),
    ("3318810025", "dhl_express", "dhl"),
    ("RR123456785KR", "korea_post", "easypost"),
    ("AA473124829GB", "upu_s10", "easypost"),
]


@pytest.mark.parametrize("number, carrier, slug", VALID)
def test_valid_numbers_rank_their_carrier_first(number, carrier, slug):
    best = detect(number)[0]
    assert best.carrier == carrier and best.check_digit_verified and best.score >= 0.8
    assert detect_carriers(number)[0][0] == slug


@pytest.mark.parametrize("number", [n for n, _, _ in VALID if n[-1].isdigit()])
def test_a_wrong_check_digit_drops_the_score(number):
    valid_score = detect(number)[0].score
    broken = detect(flip_last(number))
    assert not broken or broken[0].score < valid_score / 2 or broken[0].carrier != detect(number)[0].carrier


def test_s10_wrong_check_digit():
    assert s10_check("RR123456785KR") and not s10_check("RR123456784KR")
    assert detect("RR123456784KR")[0].score <= 0.05


def test_check_digit_functions_row_by_row():
    assert ups_check("1Z999AA10123456784") and not ups_check("1Z999AA10123456785")
    assert mod10_31("9405511899223197428490") and not mod10_31("9405511899223197428491")
    assert fedex12_check("123456789012") and not fedex12_check("123456789013")
    assert mod7_check("3318810025") and not mod7_check("3318810026")
    # S10 special cases: remainder 10 -> 0 and 11 -> 5.
    assert s10_check("EE000000010KR") or s10_check("EE000000005KR")


def test_mock_numbers_go_to_the_mock_adapter():
    number = make_tracking_number("late", datetime(2026, 11, 1, tzinfo=UTC), 12)
    assert detect_carriers(number) == [("mock", 0.95)]
    assert detect_carriers(number[:-1] + str((int(number[-1]) + 1) % 10))[0][1] <= 0.05


def test_korean_domestic_numbers_are_recognised_with_the_korean_adapters():
    # Until the Korean adapters existed this asserted ``adapters == ()``; they now track these.
    cj = "123456789013"  # 12345678901 % 7 == 3
    assert mod7_check(cj)
    carriers = {d.carrier for d in detect(cj)}
    assert {"cj_logistics", "hanjin"} <= carriers
    korea_post = "6012345678901"
    assert detect(korea_post)[0].carrier == "korea_post"
    assert detect(korea_post)[0].adapters == ("koreapost", "trackerdelivery", "sweettracker")


def test_spaces_and_dashes_are_ignored_and_case_folded():
    assert detect("1z 999 aa1 0123 4567 84")[0].carrier == "ups"
    assert detect("3318-8100-25")[0].carrier == "dhl_express"


@pytest.mark.parametrize("junk", ["", "hello", "12", "<script>", "1Z", "9" * 60])
def test_unknown_formats_give_nothing(junk):
    assert detect_carriers(junk) == [] or all(score <= 0.35 for _, score in detect_carriers(junk))


def test_public_tracking_url_follows_the_best_match():
    assert public_tracking_url("1Z999AA10123456784") == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert public_tracking_url("nothing") == ""

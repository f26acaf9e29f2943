"""Sweet Tracker adapter: tracking by t_code, levels 1-6 and courier texts row by row, error codes
101-106, recommend and companylist, Retry-After, HTML and malformed bodies."""
from datetime import datetime, timedelta, timezone

import pytest
import responses
from responses import matchers

from tracking.carriers import status as st
from tracking.carriers.base import (
    AuthError,
    CarrierCredentials,
    CarrierUnavailable,
    InvalidRequest,
    NotFound,
    RateLimited,
)
from tracking.carriers.sweettracker import SweetTrackerAdapter
from tracking.carriers.sweettracker.codes import PUBLISHED, company_for, name_for
from tracking.carriers.sweettracker.parse import ERROR_CODES, CompanyGuess, detail_time
from tracking.carriers.sweettracker.status_map import LEVELS, canonical

from tests.support.fixtures import fixture_json

BASE = "https://info.sweettracker.co.kr/api/v1"
TRACKING = f"{BASE}/trackingInfo"
RECOMMEND = f"{BASE}/recommend"
KST = timezone(timedelta(hours=9))


@pytest.fixture
def adapter(sleeper):
    return SweetTrackerAdapter(CarrierCredentials(api_key="st_test_key"), sleep=sleeper)


def params(**values):
    return [matchers.query_param_matcher({"t_key": "st_test_key", **values})]


@responses.activate
def test_delivered(adapter):
    responses.get(TRACKING, match=params(t_code="04", t_invoice="123456789013"),
                  json=fixture_json("sweettracker", "tracking_delivered.json"))
    result = adapter.track("1234-5678-9013", carrier_code="kr.cjlogistics")
    assert (result.carrier, result.tracking_number, result.carrier_code) == ("sweettracker", "123456789013", "kr.cjlogistics")
    assert result.carrier_url == "https://trace.cjlogistics.com/next/tracking.html?wblNo=123456789013"
    assert [(e.status, e.carrier_code) for e in result.events] == [
        (st.IN_TRANSIT, "2"), (st.IN_TRANSIT, "3"), (st.IN_TRANSIT, "3"), (st.IN_TRANSIT, "4"),
        (st.OUT_FOR_DELIVERY, "5"), (st.DELIVERED, "6")]
    assert len(result.events) == 6  # lastDetail repeats the newest detail
    first, delivered = result.events[0], result.events[-1]
    assert first.occurred_at == datetime(2026, 11, 10, 15, 26, 13, tzinfo=KST)
    assert (first.carrier_text, first.location, first.details) == ("집화처리", "경기고양신삼송", {"telno": "031-000-0000"})
    assert delivered.occurred_at.isoformat() == "2026-11-11T14:02:11+09:00"


@responses.activate
def test_failed_attempt_and_pickup_point_outrank_the_level(adapter):
    responses.get(TRACKING, match=params(t_code="05", t_invoice="420123456789"),
                  json=fixture_json("sweettracker", "tracking_failed_attempt.json"))
    events = adapter.track("420123456789", carrier_code="05")  # a raw t_code works too
    assert [(e.status, e.reason) for e in events.events[-3:]] == [
        (st.OUT_FOR_DELIVERY, ""), (st.FAILED_ATTEMPT, "recipient_unavailable"), (st.AVAILABLE_FOR_PICKUP, "")]
    assert events.carrier_code == "kr.hanjin"


@responses.activate
def test_delay_failed_address_and_return(adapter):
    responses.get(TRACKING, json=fixture_json("sweettracker", "tracking_returned.json"))
    events = adapter.track("987654321091", carrier_code="kr.lotte").events
    assert [(e.status, e.reason) for e in events] == [
        (st.IN_TRANSIT, ""), (st.IN_TRANSIT, ""), (st.IN_TRANSIT, "weather"), (st.OUT_FOR_DELIVERY, ""),
        (st.FAILED_ATTEMPT, "address_issue"), (st.RETURNED_TO_SENDER, "")]


@responses.activate
def test_last_detail_with_epoch_time_only(adapter):
    responses.get(TRACKING, json=fixture_json("sweettracker", "tracking_last_detail_only.json"))
    [event] = adapter.track("12345678901", carrier_code="kr.logen").events
    assert event.occurred_at == datetime(2025, 11, 16, 7, 30, tzinfo=KST)
    assert (event.status, event.location) == (st.IN_TRANSIT, "곤지암Hub")


@responses.activate
def test_no_data_yet_is_not_found(adapter):
    responses.get(TRACKING, json=fixture_json("sweettracker", "tracking_no_data.json"))
    with pytest.raises(NotFound):
        adapter.track("657606146365", carrier_code="kr.cjlogistics")


EXPECTED_ERRORS = {"101": AuthError, "102": AuthError, "103": RateLimited, "104": NotFound, "105": RateLimited,
                   "106": CarrierUnavailable}


def test_error_table_covers_every_documented_code():
    assert set(ERROR_CODES) == set(EXPECTED_ERRORS)


@pytest.mark.parametrize("code", sorted(EXPECTED_ERRORS))
@responses.activate
def test_error_code_row(adapter, code):
    body = fixture_json("sweettracker", f"error_{code}.json")
    responses.get(TRACKING, json=body)
    with pytest.raises(EXPECTED_ERRORS[code]) as caught:
        adapter.track("123456789013", carrier_code="kr.cjlogistics")
    assert body["msg"] in str(caught.value) and code in str(caught.value)
    assert "st_test_key" not in str(caught.value)


@pytest.mark.parametrize("body", [{"status": False, "code": "999", "msg": "새 오류"}, {"status": "false", "msg": "?"}])
@responses.activate
def test_unknown_errors_are_retryable(adapter, body):
    responses.get(TRACKING, json=body)
    with pytest.raises(CarrierUnavailable):
        adapter.track("123456789013", carrier_code="kr.cjlogistics")


@responses.activate
def test_rate_limit_with_retry_after(adapter, sleeper):
    responses.get(TRACKING, json={"status": False, "code": "103", "msg": "busy"}, status=429, headers={"Retry-After": "4"})
    responses.get(TRACKING, json=fixture_json("sweettracker", "tracking_delivered.json"))
    assert adapter.track("123456789013", carrier_code="kr.cjlogistics").events
    assert sleeper.waits == [4.0]
    responses.get(TRACKING, json={"status": False, "code": "103", "msg": "busy"}, status=429,
                  headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    with pytest.raises(RateLimited) as caught:
        adapter.track("123456789013", carrier_code="kr.cjlogistics")
    assert caught.value.retry_after > 3600 and "103: busy" in str(caught.value)


@pytest.mark.parametrize("body, content_type", [
    (b"<!DOCTYPE html><html><body>Service Unavailable</body></html>", "text/html"),
    (b'{"level": 3,', "application/json"),
    (b"[1, 2]", "application/json"),
])
@responses.activate
def test_html_and_malformed_bodies(adapter, body, content_type):
    responses.get(TRACKING, body=body, content_type=content_type)
    with pytest.raises(CarrierUnavailable):
        adapter.track("123456789013", carrier_code="kr.cjlogistics")


@responses.activate
def test_missing_key_and_unknown_codes_fail_before_calling():
    with pytest.raises(AuthError):
        SweetTrackerAdapter().track("123456789013", carrier_code="kr.cjlogistics")
    adapter = SweetTrackerAdapter(CarrierCredentials(api_key="k"))
    for code in ("kr.coupangls", "fedex", "nonsense", "4"):
        with pytest.raises(InvalidRequest):
            adapter.track("123456789013", carrier_code=code)


# --- Which courier ------------------------------------------------------------------------------------------
@responses.activate
def test_recommend_is_exposed_and_used_when_detection_is_ambiguous(adapter):
    responses.get(RECOMMEND, match=params(t_invoice="987654321091"), json=fixture_json("sweettracker", "recommend.json"))
    guesses = adapter.recommend_companies("987654321091")
    assert guesses == [CompanyGuess("04", "CJ대한통운", "kr.cjlogistics"), CompanyGuess("08", "롯데택배", "kr.lotte"),
                       CompanyGuess("05", "한진택배", "kr.hanjin")]
    # 12 digits with a valid mod-7 digit fit both CJ and Lotte: Sweet Tracker is asked.
    responses.get(TRACKING, match=params(t_code="04", t_invoice="987654321091"),
                  json=fixture_json("sweettracker", "tracking_returned.json"))
    assert adapter.track("987654321091").carrier_code == "kr.cjlogistics"
    assert [c.request.url.split("?")[0] for c in responses.calls] == [RECOMMEND, RECOMMEND, TRACKING]


@responses.activate
def test_a_verified_check_digit_for_one_courier_needs_no_recommend(adapter):
    responses.get(TRACKING, match=params(t_code="12", t_invoice="EE123456785KR"),
                  json=fixture_json("sweettracker", "tracking_delivered.json"))
    adapter.track("EE123456785KR")
    assert len(responses.calls) == 1


@responses.activate
def test_account_fixes_the_courier():
    responses.get(TRACKING, match=[matchers.query_param_matcher({"t_key": "k", "t_code": "06", "t_invoice": "12345678901"})],
                  json=fixture_json("sweettracker", "tracking_last_detail_only.json"))
    SweetTrackerAdapter(CarrierCredentials(api_key="k", extra={"carrier_code": "kr.logen"})).track("12345678901")


@responses.activate
def test_recommend_with_codes_doorstep_does_not_know(adapter):
    responses.get(RECOMMEND, json=fixture_json("sweettracker", "recommend_unknown_code.json"))
    assert adapter.recommend_companies("1") == [CompanyGuess("99", "새 택배사", "")]


@responses.activate
def test_nothing_recommended_and_nothing_detected(adapter):
    responses.get(RECOMMEND, json={"Recommend": []})
    with pytest.raises(InvalidRequest, match="carrier_code"):
        adapter.track("ABC")


@responses.activate
def test_recommend_errors_are_mapped(adapter):
    responses.get(RECOMMEND, json=fixture_json("sweettracker", "error_101.json"))
    with pytest.raises(AuthError):
        adapter.recommend_companies("987654321091")


@responses.activate
def test_company_list(adapter):
    responses.get(f"{BASE}/companylist", match=params(), json=fixture_json("sweettracker", "companylist.json"))
    listed = adapter.company_list()
    assert {c.code: c.name for c in listed} == PUBLISHED
    assert next(c for c in listed if c.code == "12") == CompanyGuess("12", "EMS", "kr.epost.ems", True)


# --- Tables, row by row -------------------------------------------------------------------------------------
EXPECTED_LEVELS = {
    1: ("배송준비중", st.INFO_RECEIVED),
    2: ("집화완료", st.IN_TRANSIT),
    3: ("배송중", st.IN_TRANSIT),
    4: ("지점도착", st.IN_TRANSIT),
    5: ("배송출발", st.OUT_FOR_DELIVERY),
    6: ("배송완료", st.DELIVERED),
}


def test_levels_cover_1_to_6():
    assert set(LEVELS) == set(EXPECTED_LEVELS)


@pytest.mark.parametrize("level", sorted(EXPECTED_LEVELS))
def test_level_row(level):
    name, status = EXPECTED_LEVELS[level]
    assert LEVELS[level][0] == name
    assert canonical(level) == (status, "")
    assert canonical(str(level)) == (status, "")


@pytest.mark.parametrize("level, kind, expected", [
    (0, "", (st.PENDING, "")),
    (None, "배달완료", (st.DELIVERED, "")),
    (7, "간선상차", (st.IN_TRANSIT, "")),
    (6, "미배달", (st.DELIVERED, "")),                         # level 6 is final
    (5, "미배달(수취인 부재)", (st.FAILED_ATTEMPT, "recipient_unavailable")),
    (3, "반송출고", (st.RETURNED_TO_SENDER, "")),
    (4, "편의점 보관", (st.AVAILABLE_FOR_PICKUP, "")),
    (3, "기상 악화로 배송 지연", (st.IN_TRANSIT, "weather")),
    (3, "배달완료", (st.IN_TRANSIT, "")),                       # an on-path word does not outrank the level
    (2, "집화처리", (st.IN_TRANSIT, "")),
])
def test_kind_refines_levels(level, kind, expected):
    assert canonical(level, kind) == expected


# Every code in the published list: Doorstep's company where there is one, the published name.
EXPECTED_COMPANIES = {
    "01": "kr.epost", "04": "kr.cjlogistics", "05": "kr.hanjin", "06": "kr.logen", "08": "kr.lotte",
    "11": "kr.ilyanglogis", "12": "kr.epost.ems", "13": "dhl", "17": "kr.chunilps", "22": "kr.daesin",
    "23": "kr.kdexp", "24": "kr.cvsnet", "32": "kr.hdexp", "46": "kr.cupost",
}


@pytest.mark.parametrize("code", sorted(PUBLISHED))
def test_published_code_row(code):
    assert company_for(code) == EXPECTED_COMPANIES.get(code, "")
    assert name_for(code) == PUBLISHED[code]


@pytest.mark.parametrize("detail, expected", [
    ({"timeString": "2026-11-10 15:26:13"}, datetime(2026, 11, 10, 15, 26, 13, tzinfo=KST)),
    ({"timeString": "2026-11-10 15:26"}, datetime(2026, 11, 10, 15, 26, tzinfo=KST)),
    ({"timeString": "2026.11.10 15:26"}, datetime(2026, 11, 10, 15, 26, tzinfo=KST)),
    ({"timeString": "어제", "time": 1762755973000}, datetime(2025, 11, 10, 15, 26, 13, tzinfo=KST)),
    ({"time": 1762755973}, datetime(2025, 11, 10, 15, 26, 13, tzinfo=KST)),
    ({"time": 0}, None),
    ({"time": True}, None),
    ({}, None),
])
def test_detail_times(detail, expected):
    assert detail_time(detail) == expected

"""Korea Post (data.go.kr) adapter: XML scans, Korean status words row by row, the gateway's error
envelope, HTML and malformed bodies."""
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
from tracking.carriers.koreapost import KoreaPostAdapter
from tracking.carriers.koreapost.client import plain_service_key
from tracking.carriers.koreapost.parse import GATEWAY_ERRORS, parse_scan_time
from tracking.carriers.koreapost.status_map import PROCESS_STATUS, canonical

from tests.support.fixtures import CARRIER_FIXTURES, fixture_bytes

URL = ("http://openapi.epost.go.kr/trace/retrieveLongitudinalService/retrieveLongitudinalService/"
       "getLongitudinalDomesticList")
KST = timezone(timedelta(hours=9))


@pytest.fixture
def adapter(sleeper):
    return KoreaPostAdapter(CarrierCredentials(api_key="kp+service/key=="), sleep=sleeper)


def xml(name: str) -> dict:
    return {"body": fixture_bytes("koreapost", name), "content_type": "text/xml;charset=UTF-8"}


@responses.activate
def test_delivered_item(adapter):
    responses.get(URL, match=[matchers.query_param_matcher({"serviceKey": "kp+service/key==", "rgist": "6012345678901"})],
                  **xml("domestic_delivered.xml"))
    result = adapter.track("6012-3456-78901")
    assert "serviceKey=kp%2Bservice%2Fkey%3D%3D" in responses.calls[0].request.url  # encoded exactly once
    assert (result.carrier, result.tracking_number, result.carrier_code) == ("koreapost", "6012345678901", "kr.epost")
    assert result.service_level == "익일특급"
    assert result.carrier_url == "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1=6012345678901"
    assert [e.status for e in result.events] == [
        st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.DELIVERED]
    first, delivered = result.events[0], result.events[-1]
    assert first.occurred_at == datetime(2026, 11, 10, 19, 28, tzinfo=KST)
    assert (first.carrier_code, first.carrier_text, first.location) == ("접수", "접수", "서울강남우체국")
    assert delivered.occurred_at.isoformat() == "2026-11-11T16:26:00+09:00"
    assert delivered.carrier_text == "배달완료 (배달(수령인:본인 - 본인))"
    assert delivered.details == {"signed_by": "본인", "photo_url": ""}
    assert len({e.carrier_event_id for e in result.events}) == 7


@responses.activate
def test_failed_delivery_then_held_at_the_post_office(adapter):
    responses.get(URL, **xml("domestic_failed_then_held.xml"))
    events = adapter.track("1400504758412").events
    assert [(e.status, e.reason) for e in events[-3:]] == [
        (st.OUT_FOR_DELIVERY, ""), (st.FAILED_ATTEMPT, "recipient_unavailable"), (st.AVAILABLE_FOR_PICKUP, "")]
    assert events[0].occurred_at == datetime(2026, 11, 9, 9, 57, tzinfo=KST)  # 2026.11.09 date format


@responses.activate
def test_returned_item_skips_scans_without_a_time(adapter):
    responses.get(URL, **xml("domestic_returned.xml"))
    events = adapter.track("4092007735160").events
    assert [(e.status, e.reason) for e in events[-4:]] == [
        (st.FAILED_ATTEMPT, "address_issue"),
        (st.OUT_FOR_DELIVERY, ""),
        (st.FAILED_ATTEMPT, "refused"),
        (st.RETURNED_TO_SENDER, "refused"),
    ]
    assert len(events) == 8  # the ninth scan has no time
    assert st.derive_status(events).status == st.RETURNED_TO_SENDER


@pytest.mark.parametrize("fixture, error", [
    ("domestic_no_history.xml", NotFound),
    ("domestic_not_found.xml", NotFound),
    ("domestic_bad_number.xml", InvalidRequest),
    ("gateway_service_key_not_registered.xml", AuthError),
    ("gateway_requests_exceeded.xml", RateLimited),
    ("html_error_page.html", CarrierUnavailable),
    ("malformed.xml", CarrierUnavailable),
    ("entity_expansion.xml", CarrierUnavailable),
])
@responses.activate
def test_error_bodies_map_to_base_types(adapter, fixture, error):
    responses.get(URL, **xml(fixture))
    with pytest.raises(error):
        adapter.track("6012345678901")


@responses.activate
def test_service_key_error_names_the_gateway_reason(adapter):
    responses.get(URL, **xml("gateway_service_key_not_registered.xml"))
    with pytest.raises(AuthError, match="SERVICE_KEY_IS_NOT_REGISTERED_ERROR"):
        adapter.track("6012345678901")


EXPECTED_GATEWAY = {
    "1": CarrierUnavailable, "2": CarrierUnavailable, "3": NotFound, "4": CarrierUnavailable, "5": CarrierUnavailable,
    "10": InvalidRequest, "11": InvalidRequest, "12": InvalidRequest,
    "20": AuthError, "21": AuthError, "22": RateLimited,
    "30": AuthError, "31": AuthError, "32": AuthError, "33": AuthError,
    "99": CarrierUnavailable,
}


def test_gateway_table_covers_every_documented_code():
    assert set(GATEWAY_ERRORS) == set(EXPECTED_GATEWAY)


@pytest.mark.parametrize("code", sorted(EXPECTED_GATEWAY, key=int) + ["77"])
@responses.activate
def test_gateway_code_row(adapter, code):
    template = (CARRIER_FIXTURES / "koreapost" / "gateway_template.xml").read_text()
    padded = code.zfill(2)  # data.go.kr writes "03", "04"…
    responses.get(URL, body=template.replace("{code}", padded).replace("{auth}", "X").encode(), content_type="text/xml")
    with pytest.raises(EXPECTED_GATEWAY.get(code, CarrierUnavailable)):
        adapter.track("6012345678901")


@responses.activate
def test_http_errors_and_rate_limits(adapter, sleeper):
    responses.get(URL, body=b"<html>busy</html>", status=503, headers={"Retry-After": "5"})
    responses.get(URL, **xml("domestic_delivered.xml"))
    assert adapter.track("6012345678901").events
    assert sleeper.waits == [5.0]
    responses.get(URL, body=b"", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited) as caught:
        adapter.track("6012345678901")
    assert caught.value.retry_after == 3600.0


@pytest.mark.parametrize("number", ["", "601234567890", "60123456789012", "601234567890X", "EE123456785KR"])
@responses.activate
def test_only_13_digit_numbers_are_sent(adapter, number):
    with pytest.raises(InvalidRequest):
        adapter.track(number)


@responses.activate
def test_other_companies_and_missing_keys_are_refused_before_calling(adapter):
    with pytest.raises(InvalidRequest):
        adapter.track("6012345678901", carrier_code="kr.cjlogistics")
    with pytest.raises(AuthError):
        KoreaPostAdapter().track("6012345678901")


@responses.activate
def test_api_url_setting_replaces_the_production_host():
    responses.get("http://127.0.0.1:8765/trace/retrieveLongitudinalService/retrieveLongitudinalService/"
                  "getLongitudinalDomesticList", **xml("domestic_delivered.xml"))
    adapter = KoreaPostAdapter(CarrierCredentials(api_key="k", api_url="http://127.0.0.1:8765"))
    assert adapter.track("6012345678901", carrier_code="kr.epost").events


def test_service_keys_in_either_form():
    assert plain_service_key("abc%2Bdef%3D%3D") == "abc+def=="
    assert plain_service_key(" abc+def== ") == "abc+def=="


@pytest.mark.parametrize("date, time, expected", [
    ("2026-11-09", "09:57", datetime(2026, 11, 9, 9, 57, tzinfo=KST)),
    ("2026.11.09", "0957", datetime(2026, 11, 9, 9, 57, tzinfo=KST)),
    ("20261109", "09:57:30", datetime(2026, 11, 9, 9, 57, 30, tzinfo=KST)),
    ("2026-11-09", "", None),
    ("2026-13-09", "09:57", None),
    ("", "09:57", None),
])
def test_scan_times(date, time, expected):
    assert parse_scan_time(date, time) == expected


# --- processSttus, row by row -------------------------------------------------------------------------
EXPECTED = {
    "접수": (st.IN_TRANSIT, ""),
    "발송": (st.IN_TRANSIT, ""),
    "도착": (st.IN_TRANSIT, ""),
    "배달준비": (st.OUT_FOR_DELIVERY, ""),
    "배달완료": (st.DELIVERED, ""),
    "미배달": (st.FAILED_ATTEMPT, "recipient_unavailable"),
    "반송": (st.RETURNED_TO_SENDER, ""),
    "보관": (st.AVAILABLE_FOR_PICKUP, ""),
}


def test_table_covers_every_documented_word():
    assert set(PROCESS_STATUS) == set(EXPECTED)


@pytest.mark.parametrize("process", sorted(EXPECTED))
def test_process_status_row(process):
    assert canonical(process) == EXPECTED[process]


@pytest.mark.parametrize("process, detail, expected", [
    ("미배달", "수취인부재", (st.FAILED_ATTEMPT, "recipient_unavailable")),
    ("미배달", "폐문부재", (st.FAILED_ATTEMPT, "recipient_unavailable")),
    ("미배달", "주소불명", (st.FAILED_ATTEMPT, "address_issue")),
    ("미배달", "이사감", (st.FAILED_ATTEMPT, "address_issue")),
    ("미배달", "수취거절", (st.FAILED_ATTEMPT, "refused")),
    ("반송", "반송(주소불명)", (st.RETURNED_TO_SENDER, "address_issue")),
    ("반송", "", (st.RETURNED_TO_SENDER, "")),
    ("배달완료(무인택배함)", "", (st.DELIVERED, "")),
    ("배달 준비", "", (st.OUT_FOR_DELIVERY, "")),
    ("배송출발", "", (st.OUT_FOR_DELIVERY, "")),
    ("교환", "", (st.IN_TRANSIT, "")),  # unknown words: still a physical scan
])
def test_details_refine_reasons(process, detail, expected):
    assert canonical(process, detail) == expected

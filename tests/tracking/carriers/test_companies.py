"""Carrier companies (who carries the parcel) and the Korean event-text classifier."""
import pytest

from tracking.carriers import companies
from tracking.carriers import status as st
from tracking.carriers.detect import PATTERNS
from tracking.carriers.korean_text import classify, reason_in

REQUIRED = ["kr.cjlogistics", "kr.hanjin", "kr.lotte", "kr.epost", "kr.epost.ems", "kr.logen", "kr.coupangls",
            "kr.cvsnet", "ups", "usps", "fedex", "dhl"]


@pytest.mark.parametrize("company_id", REQUIRED)
def test_every_required_company_has_english_and_korean_names(company_id):
    company = companies.get(company_id)
    assert company is not None and company.id == company_id
    assert company.name("en") and company.name("ko")


@pytest.mark.parametrize("company_id, en, ko", [
    ("kr.cjlogistics", "CJ Logistics", "CJ대한통운"),
    ("kr.hanjin", "Hanjin", "한진택배"),
    ("kr.lotte", "Lotte Global Logistics", "롯데택배"),
    ("kr.epost", "Korea Post", "우체국택배"),
    ("kr.logen", "Logen", "로젠택배"),
])
def test_display_names(company_id, en, ko):
    assert companies.display_name(company_id, "en") == en
    assert companies.display_name(company_id, "ko") == ko
    assert companies.display_name(company_id, "ko-KR") == ko
    assert companies.display_name(company_id, "ja") == en  # no Japanese name: English


@pytest.mark.parametrize("company_id, sweettracker_code", [
    ("kr.epost", "01"), ("kr.cjlogistics", "04"), ("kr.hanjin", "05"), ("kr.logen", "06"), ("kr.lotte", "08"),
    ("kr.epost.ems", "12"), ("dhl", "13"), ("kr.cvsnet", "24"), ("kr.cupost", "46"),
])
def test_sweettracker_codes_both_ways(company_id, sweettracker_code):
    assert companies.provider_code(company_id, "sweettracker") == sweettracker_code
    assert companies.by_provider_code("sweettracker", sweettracker_code).id == company_id


def test_korea_post_api_tracks_only_domestic_epost():
    assert [c.id for c in companies.tracked_by("koreapost")] == ["kr.epost"]


def test_tracker_delivery_ids():
    assert companies.provider_code("kr.cjlogistics", "trackerdelivery") == "kr.cjlogistics"
    assert companies.provider_code("ups", "trackerdelivery") == "us.ups"
    assert companies.provider_code("fedex", "trackerdelivery") == ""
    assert companies.provider_code("nope", "trackerdelivery") == ""
    assert companies.by_provider_code("trackerdelivery", "") is None


def test_public_tracking_urls_are_the_companies_own_pages_with_the_number_quoted():
    assert companies.public_tracking_url("kr.cjlogistics", " 123456789013 ") == \
        "https://trace.cjlogistics.com/next/tracking.html?wblNo=123456789013"
    assert companies.public_tracking_url("kr.epost", "6012345678901").startswith("https://service.epost.go.kr/")
    assert companies.public_tracking_url("kr.lotte", "1&x=2").endswith("InvNo=1%26X%3D2")
    assert companies.public_tracking_url("kr.coupangls", "1") == ""
    assert companies.public_tracking_url("unknown", "1") == ""


def test_every_detection_pattern_names_a_known_company():
    for pattern in PATTERNS:
        assert pattern.company == "" or companies.get(pattern.company) is not None, pattern


# Korean texts as Korean carriers print them -> (status, reason).
KOREAN_TEXTS = [
    ("접수", st.IN_TRANSIT, ""),
    ("집화처리", st.IN_TRANSIT, ""),
    ("간선상차", st.IN_TRANSIT, ""),
    ("간선하차", st.IN_TRANSIT, ""),
    ("발송", st.IN_TRANSIT, ""),
    ("도착", st.IN_TRANSIT, ""),
    ("운송장 등록", st.INFO_RECEIVED, ""),
    ("상품준비중", st.INFO_RECEIVED, ""),
    ("접수대기", st.INFO_RECEIVED, ""),
    ("반품 접수", st.INFO_RECEIVED, ""),
    ("배달준비", st.OUT_FOR_DELIVERY, ""),
    ("배송출발", st.OUT_FOR_DELIVERY, ""),
    ("배달완료", st.DELIVERED, ""),
    ("배송완료", st.DELIVERED, ""),
    ("미배달", st.FAILED_ATTEMPT, "recipient_unavailable"),
    ("미배달(수취인 부재)", st.FAILED_ATTEMPT, "recipient_unavailable"),
    ("미배달(주소불명)", st.FAILED_ATTEMPT, "address_issue"),
    ("수취거절", st.FAILED_ATTEMPT, "refused"),
    ("반송", st.RETURNED_TO_SENDER, ""),
    ("반송(수취거절)", st.RETURNED_TO_SENDER, "refused"),
    ("보관", st.AVAILABLE_FOR_PICKUP, ""),
    ("편의점 도착", st.AVAILABLE_FOR_PICKUP, ""),
    ("통관보류", st.EXCEPTION, "customs"),
    ("분실", st.EXCEPTION, "lost"),
    ("파손", st.EXCEPTION, "damaged"),
    ("기상 악화로 배송 지연", st.IN_TRANSIT, "weather"),
    ("배송 지연", st.IN_TRANSIT, "carrier_delay"),
    ("접수취소", st.CANCELLED, ""),
]


@pytest.mark.parametrize("text, status, reason", KOREAN_TEXTS)
def test_korean_text_row(text, status, reason):
    assert classify(text) == (status, reason)


@pytest.mark.parametrize("text", ["", "   ", "hello", "???"])
def test_unknown_texts_are_not_guessed(text):
    assert classify(text) is None


def test_reason_words():
    assert reason_in("수취인 부재") == "recipient_unavailable"
    assert reason_in("이사 감") == "address_issue"
    assert reason_in("", "other") == "other"

"""Korean number formats in detection: check digits (UPU S10, the Lotte/CJ mod-7 rule), shapes,
ranking, and the company ids the candidates carry."""
import pytest

from tracking.carriers.detect import (
    best_company,
    detect,
    detect_carriers,
    detect_companies,
    lotte_check,
    s10_check,
)


# --- UPU S10 (EMS EE…KR and friends) ------------------------------------------------------------------
@pytest.mark.parametrize("number, valid", [
    ("EE123456785KR", True),    # 8·1+6·2+4·3+2·4+3·5+5·6+9·7+7·8 = 204; 204 mod 11 = 6; 11-6 = 5
    ("EE123456789KR", False),
    ("EE100000025KR", True),    # remainder 0 -> 11 -> check digit 5
    ("EE100000020KR", False),
    ("EE100000140KR", True),    # remainder 1 -> 10 -> check digit 0
    ("EE100000141KR", False),
    ("RR123456785KR", True),
    ("CP123456785KR", True),
])
def test_s10_check_digit(number, valid):
    assert s10_check(number) is valid


def test_valid_korean_s10_ranks_korea_post_ems_first():
    best = detect("EE123456785KR")[0]
    assert best.carrier == "korea_post" and best.company == "kr.epost.ems" and best.check_digit_verified
    assert best.url == "https://service.epost.go.kr/trace.RetrieveEmsRigiTraceList.comm?POST_CODE=EE123456785KR"
    assert {"trackerdelivery", "sweettracker"} <= {slug for slug, _ in detect_carriers("EE123456785KR")}
    assert detect_companies("EE123456785KR")[0] == ("kr.epost.ems", 0.95)


def test_invalid_korean_s10_is_almost_certainly_a_typo():
    assert detect("EE123456789KR")[0].score <= 0.05
    assert best_company("EE123456789KR") == ""


def test_s10_from_another_country_is_not_korea_post():
    assert "kr.epost.ems" not in dict(detect_companies("AA473124829GB"))


# --- Lotte and CJ: 12 digits, last = first 11 digits mod 7 ----------------------------------------------
@pytest.mark.parametrize("number, valid", [
    ("987654321091", True),   # 98765432109 mod 7 = 1
    ("987654321092", False),
    ("555123456786", True),   # 55512345678 mod 7 = 6
    ("555123456780", False),
    ("123456789013", True),   # 12345678901 mod 7 = 3
])
def test_lotte_check_digit(number, valid):
    assert lotte_check(number) is valid


def test_valid_12_digit_number_offers_cj_then_lotte_verified():
    found = {d.company: d for d in detect("987654321091")}
    assert found["kr.cjlogistics"].check_digit_verified and found["kr.lotte"].check_digit_verified
    ranked = [company for company, _ in detect_companies("987654321091")]
    assert ranked.index("kr.cjlogistics") < ranked.index("kr.lotte") < ranked.index("kr.hanjin")
    assert detect_carriers("987654321091")[0] == ("trackerdelivery", 0.95)


def test_wrong_mod7_digit_leaves_only_shapes():
    found = {d.company: d for d in detect("987654321092")}
    assert found["kr.lotte"].score <= 0.05 and found["kr.cjlogistics"].score <= 0.05
    assert found["kr.hanjin"].score == 0.35  # Hanjin has no check digit: the shape still fits
    assert best_company("987654321092") == "kr.hanjin"
    assert best_company("987654321092", verified_only=True) == ""


# --- Shapes without a published check digit ------------------------------------------------------------
@pytest.mark.parametrize("number, company", [
    ("12345678901", "kr.logen"),          # Logen: 11 digits
    ("12345678901234", "kr.hanjin"),      # Hanjin: 14 digits
    ("6012345678901", "kr.epost"),        # Korea Post domestic: 13 digits
    ("4092007735160", "kr.epost"),
])
def test_shape_only_formats(number, company):
    best = detect(number)[0]
    assert best.company == company and not best.check_digit_verified and best.score == 0.35


def test_ten_digits_fit_cj_hanjin_and_dhl():
    companies = dict(detect_companies("1234567890"))
    assert {"kr.cjlogistics", "kr.hanjin"} <= set(companies)
    assert companies["kr.hanjin"] == 0.35 and companies["kr.cjlogistics"] < 0.35  # old CJ numbers rank lower
    # A DHL Express number with a valid check digit still wins.
    assert detect_companies("3318810025")[0] == ("dhl", 0.95)


def test_korea_post_domestic_prefers_its_own_api():
    assert [slug for slug, _ in detect_carriers("6012345678901")] == ["koreapost", "trackerdelivery", "sweettracker"]


def test_best_company_for_a_provider_skips_companies_it_cannot_track():
    assert best_company("1Z999AA10123456784") == "ups"
    assert best_company("1Z999AA10123456784", provider="trackerdelivery") == "ups"
    assert best_company("123456789012", provider="trackerdelivery") != "fedex"  # no tracker.delivery id
    assert best_company("12345678901", provider="sweettracker") == "kr.logen"


def test_international_detections_carry_company_ids():
    assert detect("1Z999AA10123456784")[0].company == "ups"
    assert detect("9405511899223197428490")[0].company == "usps"
    assert detect("3318810025")[0].company == "dhl"
    assert detect("AA473124829GB")[0].company == ""  # some post office: company unknown

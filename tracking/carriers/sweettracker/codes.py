"""Sweet Tracker's courier codes (``t_code``) as its ``companylist`` publishes them.

Doorstep companies with a Sweet Tracker code are in tracking.carriers.companies (provider code
"sweettracker"); this table adds the published names, so a code Doorstep has no company for still
reads as a courier. The live list (SweetTrackerAdapter.company_list()) is the authority: Sweet Tracker
adds couriers, and sources disagree on a few international codes (see companies.py)."""
from __future__ import annotations

from tracking.carriers import companies

PUBLISHED: dict[str, str] = {
    "01": "우체국택배",
    "04": "CJ대한통운",
    "05": "한진택배",
    "06": "로젠택배",
    "08": "롯데택배",
    "11": "일양로지스",
    "12": "EMS",
    "13": "DHL",
    "14": "UPS",
    "16": "한의사랑택배",
    "17": "천일택배",
    "18": "건영택배",
    "20": "한덱스",
    "21": "Fedex",
    "22": "대신택배",
    "23": "경동택배",
    "24": "GS Postbox 택배",
    "25": "TNT Express",
    "26": "USPS",
    "32": "합동택배",
    "44": "SLX택배",
    "45": "우리택배(구호남택배)",
    "46": "CU 편의점택배",
    "53": "농협택배",
    "54": "홈픽택배",
}


def company_for(code: str) -> str:
    """Doorstep's company id for a ``t_code``, "" when Doorstep has no company for it."""
    company = companies.by_provider_code("sweettracker", code)
    return company.id if company else ""


def name_for(code: str) -> str:
    company = companies.by_provider_code("sweettracker", code)
    return PUBLISHED.get(code) or (company.name("ko") if company else "")

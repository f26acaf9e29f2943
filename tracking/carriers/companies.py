"""Carrier *companies*: who physically carries the parcel (CJ Logistics, Korea Post, UPS…).

Distinct from adapters (tracking.carriers.registry), which are the services Doorstep asks
(tracker.delivery, Sweet Tracker, EasyPost…): one company is tracked through several adapters and
one adapter tracks many companies. A shipment records both (DESIGN.md, "Carrier company vs
adapter"). Display names per language and the company's own public tracking page belong here;
credentials, rate limits and webhooks belong to adapter accounts.

Company ids follow tracker.delivery (``kr.cjlogistics``, ``kr.epost``…) for Korean companies and
short names for international ones (``ups``, ``usps``, ``fedex``, ``dhl``). ``provider_codes``
holds each adapter's own code for the company: the tracker.delivery carrierId, the Sweet Tracker
``t_code``, and for Korea Post's official API only ``kr.epost`` (domestic registered mail).

Pure data and lookups: no Django, no network.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping
from urllib.parse import quote

TRACKERDELIVERY = "trackerdelivery"
SWEETTRACKER = "sweettracker"
KOREAPOST = "koreapost"


@dataclass(frozen=True)
class CarrierCompany:
    id: str
    names: Mapping[str, str]  # language code -> display name; "en" is always there
    country: str = ""  # ISO country of a domestic carrier, "" for international networks
    tracking_url: str = ""  # the company's own public tracking page; {n} = the tracking number
    provider_codes: Mapping[str, str] = field(default_factory=dict)  # adapter slug -> its code

    def name(self, language: str = "en") -> str:
        """The display name in ``language`` ("ko", "ko-KR", "en"…), English when there is none."""
        primary = (language or "en").split("-")[0].split("_")[0].lower()
        return self.names.get(primary) or self.names["en"]

    def public_tracking_url(self, tracking_number: str) -> str:
        if not self.tracking_url:
            return ""
        return self.tracking_url.format(n=quote(tracking_number.strip().upper(), safe=""))

    def provider_code(self, provider: str) -> str:
        return self.provider_codes.get(provider, "")


def _company(id: str, en: str, ko: str, *, country: str = "KR", url: str = "", **codes: str) -> CarrierCompany:
    return CarrierCompany(id=id, names=MappingProxyType({"en": en, "ko": ko}), country=country,
                          tracking_url=url, provider_codes=MappingProxyType(codes))


_ALL: tuple[CarrierCompany, ...] = (
    # Korean parcel companies. Sweet Tracker codes as in its companylist; tracker.delivery ids are
    # the company ids themselves.
    _company("kr.cjlogistics", "CJ Logistics", "CJ대한통운",
             url="https://trace.cjlogistics.com/next/tracking.html?wblNo={n}",
             trackerdelivery="kr.cjlogistics", sweettracker="04"),
    _company("kr.hanjin", "Hanjin", "한진택배",
             url="https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do?mCode=MN038&wblnum={n}&schLang=KR",
             trackerdelivery="kr.hanjin", sweettracker="05"),
    _company("kr.lotte", "Lotte Global Logistics", "롯데택배",
             url="https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo={n}",
             trackerdelivery="kr.lotte", sweettracker="08"),
    _company("kr.epost", "Korea Post", "우체국택배",
             url="https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1={n}",
             trackerdelivery="kr.epost", sweettracker="01", koreapost="domestic"),
    _company("kr.epost.ems", "Korea Post EMS", "우체국 EMS",
             url="https://service.epost.go.kr/trace.RetrieveEmsRigiTraceList.comm?POST_CODE={n}",
             trackerdelivery="kr.epost.ems", sweettracker="12"),
    _company("kr.logen", "Logen", "로젠택배",
             url="https://www.ilogen.com/web/personal/trace/{n}",
             trackerdelivery="kr.logen", sweettracker="06"),
    # Coupang publishes no tracking page by number, and Sweet Tracker does not track it.
    _company("kr.coupangls", "Coupang Logistics Services", "쿠팡 로지스틱스 서비스",
             trackerdelivery="kr.coupangls"),
    _company("kr.cvsnet", "GS Postbox", "GS Postbox 택배",
             url="https://www.cvsnet.co.kr/invoice/tracking.do?invoice_no={n}",
             trackerdelivery="kr.cvsnet", sweettracker="24"),
    _company("kr.cupost", "CU Post", "CU 편의점택배",
             url="https://www.cupost.co.kr/postbox/delivery/localResult.cupost?invoice_no={n}",
             trackerdelivery="kr.cupost", sweettracker="46"),
    _company("kr.daesin", "Daesin Logistics", "대신택배", trackerdelivery="kr.daesin", sweettracker="22"),
    _company("kr.kdexp", "Kyungdong Express", "경동택배", trackerdelivery="kr.kdexp", sweettracker="23"),
    _company("kr.ilyanglogis", "Ilyang Logis", "일양로지스", trackerdelivery="kr.ilyanglogis", sweettracker="11"),
    _company("kr.hdexp", "Hapdong Express", "합동택배", trackerdelivery="kr.hdexp", sweettracker="32"),
    _company("kr.chunilps", "Chunil Express", "천일택배", trackerdelivery="kr.chunilps", sweettracker="17"),
    # International networks detect.py recognises. Sweet Tracker's codes for UPS, FedEx and USPS
    # disagree between the sources we could read, so they stay unmapped until checked against its
    # companylist endpoint (SweetTrackerAdapter.company_list()).
    _company("ups", "UPS", "UPS", country="", url="https://www.ups.com/track?tracknum={n}",
             trackerdelivery="us.ups"),
    _company("usps", "USPS", "미국 우정청(USPS)", country="",
             url="https://tools.usps.com/go/TrackConfirmAction?tLabels={n}", trackerdelivery="us.usps"),
    _company("fedex", "FedEx", "페덱스", country="", url="https://www.fedex.com/fedextrack/?trknbr={n}"),
    _company("dhl", "DHL", "DHL", country="",
             url="https://www.dhl.com/global-en/home/tracking.html?tracking-id={n}&submit=1",
             trackerdelivery="de.dhl", sweettracker="13"),
    # The demo carrier, so mock parcels have a company like every other.
    _company("mock", "Parcelway", "파슬웨이", country="",
             url="https://mock-carrier.doorstep.local/track/{n}"),
)

COMPANIES: Mapping[str, CarrierCompany] = MappingProxyType({c.id: c for c in _ALL})


def get(company_id: str) -> CarrierCompany | None:
    return COMPANIES.get((company_id or "").strip().lower())


def provider_code(company_id: str, provider: str) -> str:
    """The code ``provider`` (an adapter slug) uses for the company, "" when it does not track it."""
    company = get(company_id)
    return company.provider_code(provider) if company else ""


def by_provider_code(provider: str, code: str) -> CarrierCompany | None:
    """The company ``provider`` calls ``code`` (e.g. Sweet Tracker "04" -> CJ Logistics)."""
    code = (code or "").strip()
    for company in _ALL:
        if code and company.provider_codes.get(provider) == code:
            return company
    return None


def tracked_by(provider: str) -> list[CarrierCompany]:
    """Every company ``provider`` has a code for."""
    return [company for company in _ALL if provider in company.provider_codes]


def display_name(company_id: str, language: str = "en") -> str:
    company = get(company_id)
    return company.name(language) if company else ""


def public_tracking_url(company_id: str, tracking_number: str) -> str:
    company = get(company_id)
    return company.public_tracking_url(tracking_number) if company else ""

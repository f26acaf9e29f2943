"""Pure functions: Korea Post XML -> Doorstep dataclasses, or the error the XML stands for.

Three kinds of body arrive with HTTP 200:

- ``<LongitudinalDomesticListResponse>``: ``cmmMsgHeader`` (successYN, returnCode, errMsg), the
  item's summary (dlvySttus, dlvyDe…) and one ``<longitudinalDomesticList>`` per scan (dlvyDate,
  dlvyTime, nowLc, processSttus, detailDc);
- ``<OpenAPI_ServiceResponse>``: data.go.kr's gateway refusing the call (unregistered or expired
  key, quota, unknown service), with ``returnReasonCode``;
- anything else: an HTML error page from a proxy, or truncated XML.

XML is read with defusedxml, so entity tricks and external DTDs are refused, not expanded. A
body that cannot be read is CarrierUnavailable (the gateway's trouble; try later), never a crash.
"""
from __future__ import annotations

import re
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError
from zoneinfo import ZoneInfo

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tracking.carriers import status as st
from tracking.carriers.base import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    InvalidRequest,
    NotFound,
    RateLimited,
    TrackingEventData,
    TrackingResult,
)
from tracking.carriers.parsing import stable_id, text
from tracking.carriers.koreapost import status_map

SLUG = "koreapost"
COMPANY = "kr.epost"
SEOUL = ZoneInfo("Asia/Seoul")

# data.go.kr's gateway codes (공공데이터포털 OpenAPI 에러 코드).
GATEWAY_ERRORS: dict[str, tuple[type[CarrierError], str]] = {
    "1": (CarrierUnavailable, "APPLICATION_ERROR"),
    "2": (CarrierUnavailable, "DB_ERROR"),
    "3": (NotFound, "NODATA_ERROR"),
    "4": (CarrierUnavailable, "HTTP_ERROR"),
    "5": (CarrierUnavailable, "SERVICETIME_OUT"),
    "10": (InvalidRequest, "INVALID_REQUEST_PARAMETER_ERROR"),
    "11": (InvalidRequest, "NO_MANDATORY_REQUEST_PARAMETERS_ERROR"),
    "12": (InvalidRequest, "NO_OPENAPI_SERVICE_ERROR"),
    "20": (AuthError, "SERVICE_ACCESS_DENIED_ERROR"),
    "21": (AuthError, "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR"),
    "22": (RateLimited, "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"),
    "30": (AuthError, "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"),
    "31": (AuthError, "DEADLINE_HAS_EXPIRED_ERROR"),
    "32": (AuthError, "UNREGISTERED_IP_ERROR"),
    "33": (AuthError, "UNSIGNED_CALL_ERROR"),
    "99": (CarrierUnavailable, "UNKNOWN_ERROR"),
}
# Korea Post's own header says successYN=N with free text; "no data" wording means not found.
_NO_DATA = re.compile(r"없|no\s*data|not\s*found|조회\s*결과", re.IGNORECASE)
_RECIPIENT = re.compile(r"수령인\s*[:：]\s*([^)\-–]+)")


def read_xml(body: bytes) -> Element:
    head = (body or b"")[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise CarrierUnavailable("Korea Post answered with an HTML page instead of XML (a gateway or maintenance page)")
    if not head:
        raise CarrierUnavailable("Korea Post answered with an empty body")
    try:
        return fromstring(body)
    except DefusedXmlException:
        raise CarrierUnavailable("Korea Post answered with XML that uses DTDs or entities; refused") from None
    except (ParseError, ValueError):
        raise CarrierUnavailable("Korea Post answered with malformed XML") from None


def _child_text(element: Element | None, tag: str, limit: int = 500) -> str:
    if element is None:
        return ""
    child = element.find(tag)
    return text(child.text, limit) if child is not None and child.text else ""


def raise_for_errors(root: Element) -> None:
    if root.tag == "OpenAPI_ServiceResponse":
        header = root.find("cmmMsgHeader")
        code = _child_text(header, "returnReasonCode", 10).lstrip("0") or "0"
        auth_message = _child_text(header, "returnAuthMsg", 200)
        message = _child_text(header, "errMsg", 200)
        error, name = GATEWAY_ERRORS.get(code, (CarrierUnavailable, "UNKNOWN_ERROR"))
        raise error(f"data.go.kr refused the call: {code} {auth_message or name} ({message or 'no message'})")
    if root.tag != "LongitudinalDomesticListResponse":
        raise CarrierUnavailable(f"Korea Post answered with an unexpected XML document <{root.tag[:60]}>")
    header = root.find("cmmMsgHeader")
    if _child_text(header, "successYN", 5).upper() == "N":
        code = _child_text(header, "returnCode", 20)
        message = _child_text(header, "errMsg", 200) or "no message"
        error = NotFound if _NO_DATA.search(message) else InvalidRequest
        raise error(f"Korea Post: {code or 'error'} {message}")


def parse_domestic(body: bytes, *, tracking_number: str, carrier_url: str = "") -> TrackingResult:
    root = read_xml(body)
    raise_for_errors(root)
    number = _child_text(root, "rgist", 20) or tracking_number
    events = [e for item in root.iter("longitudinalDomesticList") if (e := _parse_scan(number, item)) is not None]
    if not events:
        raise NotFound(f"Korea Post has no scans for {number} yet")
    events.sort(key=lambda e: e.occurred_at)
    return TrackingResult(
        tracking_number=number,
        carrier=SLUG,
        events=events,
        service_level=_child_text(root, "trtmntSe", 40),  # 취급구분: 일반, 익일특급…
        carrier_url=carrier_url,
        carrier_code=COMPANY,
    )


def parse_scan_time(date_value: str, time_value: str) -> datetime | None:
    """'2026-11-09' or '2026.11.09' or '20261109' with '19:28', '1928' or '19:28:05', Korean time."""
    digits_date = re.sub(r"\D", "", date_value or "")
    digits_time = re.sub(r"\D", "", time_value or "")
    if len(digits_date) != 8 or len(digits_time) not in (4, 6):
        return None
    try:
        return datetime.strptime(digits_date + digits_time.ljust(6, "0"), "%Y%m%d%H%M%S").replace(tzinfo=SEOUL)
    except ValueError:
        return None


def _parse_scan(number: str, item: Element) -> TrackingEventData | None:
    occurred_at = parse_scan_time(_child_text(item, "dlvyDate", 20), _child_text(item, "dlvyTime", 20))
    if occurred_at is None:
        return None
    process = _child_text(item, "processSttus", 60)
    detail = _child_text(item, "detailDc", 300)
    status, reason = status_map.canonical(process, detail)
    details = {}
    if status == st.DELIVERED and (match := _RECIPIENT.search(detail)):
        details = {"signed_by": match.group(1).strip()[:100], "photo_url": ""}
    return TrackingEventData(
        occurred_at=occurred_at,
        status=status,
        reason=reason,
        carrier_code=process,
        carrier_text=f"{process} ({detail})" if detail else process,
        location=_child_text(item, "nowLc", 200),
        carrier_event_id=stable_id(number, occurred_at.isoformat(), process, detail),
        details=details,
    )

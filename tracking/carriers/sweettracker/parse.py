"""Pure functions: Sweet Tracker JSON -> Doorstep dataclasses, or the error it stands for."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tracking.carriers.base import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    NotFound,
    RateLimited,
    TrackingEventData,
    TrackingResult,
)
from tracking.carriers.parsing import stable_id, text
from tracking.carriers.sweettracker import codes, status_map

SLUG = "sweettracker"
SEOUL = ZoneInfo("Asia/Seoul")  # timeString has no offset: it is Korean local time

# {"status": false, "code": …, "msg": …}, as Sweet Tracker documents and answers them.
ERROR_CODES: dict[str, tuple[type[CarrierError], str]] = {
    "101": (AuthError, "API key missing or invalid"),
    "102": (AuthError, "API key expired"),
    "103": (RateLimited, "the key's lookup quota is used up"),
    "104": (NotFound, "invalid tracking number or courier code"),
    "105": (RateLimited, "daily lookup limit for this tracking number reached"),
    "106": (CarrierUnavailable, "the courier's lookup failed"),
}


@dataclass(frozen=True)
class CompanyGuess:
    """One courier from ``recommend`` or ``companylist``."""

    code: str  # Sweet Tracker t_code
    name: str  # as Sweet Tracker names it
    company: str = ""  # Doorstep company id, "" when Doorstep has none for this code
    international: bool = False


def raise_for_error(document) -> dict:
    if not isinstance(document, dict):
        raise CarrierUnavailable("Sweet Tracker answered with something that is not a JSON object")
    failed = document.get("status") is False or str(document.get("status")).lower() == "false"
    if failed:
        code = text(str(document.get("code", "")), 10)
        message = text(document.get("msg"), 200) or "no message"
        error, meaning = ERROR_CODES.get(code, (CarrierUnavailable, "unknown error"))
        raise error(f"Sweet Tracker {code or 'error'} ({meaning}): {message}")
    return document


def parse_tracking(document, *, tracking_number: str, company: str = "", carrier_url: str = "") -> TrackingResult:
    document = raise_for_error(document)
    number = re.sub(r"[\s-]", "", text(document.get("invoiceNo"), 64)) or tracking_number
    details = document.get("trackingDetails") if isinstance(document.get("trackingDetails"), list) else []
    candidates = [*details, document.get("lastDetail")]
    events, seen = [], set()
    for detail in candidates:
        event = _parse_detail(number, detail)
        if event is not None and event.carrier_event_id not in seen:
            seen.add(event.carrier_event_id)
            events.append(event)
    if not events:
        # result "N", level 0, no details: the courier has nothing on this number (yet).
        raise NotFound(f"Sweet Tracker has no tracking details for {number} yet")
    events.sort(key=lambda e: e.occurred_at)
    return TrackingResult(tracking_number=number, carrier=SLUG, events=events, carrier_url=carrier_url,
                          carrier_code=company)


def detail_time(detail: dict) -> datetime | None:
    """``timeString`` ("2026-11-10 15:26:13" or without seconds) in Korean time, else ``time``
    (epoch milliseconds, or seconds when small)."""
    value = text(detail.get("timeString"), 40)
    for layout in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M"):
        try:
            return datetime.strptime(value, layout).replace(tzinfo=SEOUL)
        except ValueError:
            continue
    epoch = detail.get("time")
    if isinstance(epoch, (int, float)) and not isinstance(epoch, bool) and epoch > 0:
        seconds = epoch / 1000 if epoch > 10**11 else epoch
        try:
            return datetime.fromtimestamp(seconds, SEOUL)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _parse_detail(number: str, detail) -> TrackingEventData | None:
    if not isinstance(detail, dict):
        return None
    occurred_at = detail_time(detail)
    if occurred_at is None:
        return None
    level = status_map.level_of(detail.get("level"))
    kind = text(detail.get("kind"), 200)
    where = text(detail.get("where"), 200)
    status, reason = status_map.canonical(level, kind)
    extras = {"telno": text(detail.get("telno"), 40)} if text(detail.get("telno"), 40) else {}
    return TrackingEventData(
        occurred_at=occurred_at,
        status=status,
        reason=reason,
        carrier_code=str(level) if level else "",
        carrier_text=kind,
        location=where,
        carrier_event_id=stable_id(number, occurred_at.isoformat(), level, kind, where),
        details=extras,
    )


def parse_companies(document, key: str) -> list[CompanyGuess]:
    """``{"Recommend": [...]}`` or ``{"Company": [...]}`` -> guesses, in Sweet Tracker's order."""
    document = raise_for_error(document)
    rows = document.get(key) if isinstance(document.get(key), list) else []
    guesses = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        code = text(str(row.get("Code", "")), 10)
        if not code:
            continue
        international = str(row.get("International", "")).lower() == "true"
        guesses.append(CompanyGuess(code=code, name=text(row.get("Name"), 100) or codes.name_for(code),
                                    company=codes.company_for(code), international=international))
    return guesses

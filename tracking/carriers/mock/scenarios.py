"""The mock carrier's scenario engine.

A mock tracking number encodes its scenario and ship time, so the whole timeline is reconstructed
from the number and the clock alone — no database, identical answers in every process, and a demo
that progresses while you watch. Number layout (20 characters)::

    DS  OT  F  29612345  000042  7
    |   |   |  |         |       check digit (weighted mod 10 over the first 19 characters)
    |   |   |  |         serial (6 digits)
    |   |   |  ship time in minutes since the Unix epoch (8 digits)
    |   |   tempo: D = real time (offsets in hours), F = fast demo (each hour becomes a minute)
    |   scenario code
    mock prefix
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.templatetags.static import static

from tracking.carriers import status as st
from tracking.carriers.base import TrackingEventData

PREFIX = "DS"

SCENARIO_CODES: dict[str, str] = {
    "on_time": "OT",
    "late": "LT",
    "failed_then_delivered": "FD",
    "customs_hold": "CH",
    "lost": "LO",
    "returned_to_sender": "RS",
    "out_for_delivery_today": "OD",
    "in_transit": "IT",
    "exception_damaged": "XD",
    # A return parcel travelling from the shopper back to the merchant's warehouse.
    "return_to_warehouse": "RW",
}
SCENARIOS: tuple[str, ...] = tuple(SCENARIO_CODES)
_SCENARIO_BY_CODE = {code: name for name, code in SCENARIO_CODES.items()}

NUMBER_RE = re.compile(r"^DS(?P<code>[A-Z]{2})(?P<tempo>[DF])(?P<minutes>\d{8})(?P<serial>\d{6})(?P<check>\d)$")

# Foreign numbers get a stable pseudo ship time within the 28 days after this anchor.
_FOREIGN_ANCHOR = datetime(2026, 1, 5, tzinfo=UTC)

# --- The mock carrier's own status codes -----------------------------------------------------------
# code -> (canonical status, canonical reason, default text)
STATUS_MAP: dict[str, tuple[str, str, str]] = {
    "MK-INFO": (st.INFO_RECEIVED, "", "Shipping label created, awaiting item"),
    "MK-RINF": (st.INFO_RECEIVED, "", "Return label created, awaiting drop-off"),
    "MK-PU": (st.IN_TRANSIT, "", "Picked up by courier"),
    "MK-DROP": (st.IN_TRANSIT, "", "Dropped off at parcel shop"),
    "MK-ARR": (st.IN_TRANSIT, "", "Arrived at facility"),
    "MK-DEP": (st.IN_TRANSIT, "", "Departed facility"),
    "MK-PROC": (st.IN_TRANSIT, "", "Processed at sorting center"),
    "MK-EXP": (st.IN_TRANSIT, "", "Export scan, departed origin country"),
    "MK-IMP": (st.IN_TRANSIT, "", "Arrived in destination country"),
    "MK-CUSH": (st.EXCEPTION, "customs", "Held by customs, awaiting clearance"),
    "MK-CUSC": (st.IN_TRANSIT, "", "Cleared customs"),
    "MK-DLY": (st.IN_TRANSIT, "weather", "Delayed by severe weather"),
    "MK-OFD": (st.OUT_FOR_DELIVERY, "", "Out for delivery"),
    "MK-ATT": (st.FAILED_ATTEMPT, "recipient_unavailable", "Delivery attempted, recipient not available"),
    "MK-ADDR": (st.FAILED_ATTEMPT, "address_issue", "Delivery attempted, address could not be found"),
    "MK-PUP": (st.AVAILABLE_FOR_PICKUP, "", "Available for pickup at parcel shop"),
    "MK-DLV": (st.DELIVERED, "", "Delivered"),
    "MK-LOST": (st.EXCEPTION, "lost", "Shipment cannot be located, investigation opened"),
    "MK-DMG": (st.EXCEPTION, "damaged", "Package damaged in transit, held for inspection"),
    "MK-RTS": (st.RETURNED_TO_SENDER, "address_issue", "Returning to sender"),
    "MK-RTSD": (st.RETURNED_TO_SENDER, "address_issue", "Returned to sender"),
    "MK-CXL": (st.CANCELLED, "", "Shipment cancelled by sender"),
}

# --- Korean flavour ---------------------------------------------------------------------------------
# A Korean merchant's demo parcels read like a Korean courier's feed (CJ-style wording). Selected
# per carrier account with ``extra={"language": "ko"}``; English stays the default, unchanged.
LANGUAGES = ("en", "ko")
KO_TEXT: dict[str, str] = {
    "MK-INFO": "운송장 등록",
    "MK-RINF": "반품 접수",
    "MK-PU": "집화처리",
    "MK-DROP": "편의점 접수",
    "MK-ARR": "간선하차",
    "MK-DEP": "간선상차",
    "MK-PROC": "터미널 분류",
    "MK-EXP": "항공 발송",
    "MK-IMP": "도착국 도착",
    "MK-CUSH": "통관 보류",
    "MK-CUSC": "통관 완료",
    "MK-DLY": "기상 악화로 배송 지연",
    "MK-OFD": "배송출발",
    "MK-ATT": "미배달(수취인 부재)",
    "MK-ADDR": "미배달(주소 불명)",
    "MK-PUP": "편의점 보관",
    "MK-DLV": "배달완료",
    "MK-LOST": "분실 조사 중",
    "MK-DMG": "파손 확인, 검수 중",
    "MK-RTS": "반송 출고",
    "MK-RTSD": "반송 완료",
    "MK-CXL": "접수 취소",
}
# Korean places on the routes, as a Korean feed names them; foreign places keep their names.
KO_PLACES: dict[str, str] = {
    "Gangnam-gu Branch, Seoul, KR": "서울 강남구",
    "Gonjiam Hub, Gwangju-si, Gyeonggi-do, KR": "곤지암Hub",
    "Daejeon Hub, Daejeon, KR": "대전HUB",
    "Haeundae-gu Sub-terminal, Busan, KR": "부산 해운대B",
    "Haeundae-gu, Busan, KR": "부산 해운대구",
    "Mapo-gu Branch, Seoul, KR": "서울 마포구",
    "Incheon International Airport (ICN), Incheon, KR": "인천공항 국제물류센터",
}


# --- Routes -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Place:
    name: str
    tz: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True)
class Route:
    key: str
    origin: Place
    hubs: tuple[Place, ...]
    destination_facility: Place
    destination: Place
    international: bool = False
    promise_days: int = 2  # the carrier's first estimate, in calendar days after shipping

    @property
    def timezone(self) -> ZoneInfo:
        return self.destination.zone


_SEOUL = "Asia/Seoul"
ROUTES: dict[str, Route] = {
    "kr": Route(
        key="kr",
        origin=Place("Gangnam-gu Branch, Seoul, KR", _SEOUL),
        hubs=(Place("Gonjiam Hub, Gwangju-si, Gyeonggi-do, KR", _SEOUL), Place("Daejeon Hub, Daejeon, KR", _SEOUL)),
        destination_facility=Place("Haeundae-gu Sub-terminal, Busan, KR", _SEOUL),
        destination=Place("Haeundae-gu, Busan, KR", _SEOUL),
        promise_days=2,
    ),
    "us": Route(
        key="us",
        origin=Place("Los Angeles, CA, US", "America/Los_Angeles"),
        hubs=(Place("Ontario Hub, Ontario, CA, US", "America/Los_Angeles"), Place("Memphis Hub, Memphis, TN, US", "America/Chicago")),
        destination_facility=Place("Brooklyn Delivery Station, Brooklyn, NY, US", "America/New_York"),
        destination=Place("Brooklyn, NY, US", "America/New_York"),
        promise_days=4,
    ),
    "kr_us": Route(
        key="kr_us",
        origin=Place("Mapo-gu Branch, Seoul, KR", _SEOUL),
        hubs=(
            Place("Incheon International Airport (ICN), Incheon, KR", _SEOUL),
            Place("Los Angeles International Airport (LAX), CA, US", "America/Los_Angeles"),
            Place("Chicago Hub, Chicago, IL, US", "America/Chicago"),
        ),
        destination_facility=Place("Evanston Delivery Station, Evanston, IL, US", "America/Chicago"),
        destination=Place("Evanston, IL, US", "America/Chicago"),
        international=True,
        promise_days=7,
    ),
}


# --- Numbers ------------------------------------------------------------------------------------------
def check_digit(body: str) -> str:
    """Weighted (3,1,3,1…) mod-10 over base-36 character values: catches any single changed character."""
    total = sum(int(char, 36) * (3 if index % 2 == 0 else 1) for index, char in enumerate(body))
    return str((10 - total % 10) % 10)


def make_tracking_number(scenario: str, shipped_at: datetime, serial: int, *, fast: bool = False) -> str:
    """A tracking number whose timeline ``track()`` can rebuild. ``fast`` squeezes hours into minutes
    for live demos."""
    if scenario not in SCENARIO_CODES:
        raise ValueError(f"unknown mock scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
    if shipped_at.tzinfo is None:
        raise ValueError("shipped_at must be timezone-aware")
    minutes = int(shipped_at.timestamp() // 60)
    if not 0 <= minutes < 10**8:
        raise ValueError("shipped_at is out of range for a mock tracking number")
    body = f"{PREFIX}{SCENARIO_CODES[scenario]}{'F' if fast else 'D'}{minutes:08d}{serial % 10**6:06d}"
    return body + check_digit(body)


# --- Korean-format numbers ------------------------------------------------------------------------------
# The Korean demo merchant's parcels carry CJ Logistics-shaped numbers (12 digits, the last one the
# first eleven mod 7, as detect.py checks them) that still encode the scenario, so the mock tracks
# them like its own, in Korean:  6 · scenario (1) · minutes since KR_ANCHOR (7) · serial (2) · check.
KR_COMPANY = "kr.cjlogistics"
KR_ANCHOR = datetime(2025, 1, 1, tzinfo=UTC)
KR_NUMBER_RE = re.compile(r"^6(?P<scenario>\d)(?P<minutes>\d{7})(?P<serial>\d{2})(?P<check>\d)$")
KR_SERIALS = 100  # serials 0-99; the route is serial % 3, as for DS numbers


def make_korean_number(scenario: str, shipped_at: datetime, serial: int) -> str:
    """A CJ-shaped 12-digit number the mock tracks with ``scenario`` from ``shipped_at`` (minute
    precision); ``serial`` 0-99 (mod 100), its value mod 3 picks the route like DS numbers."""
    if scenario not in SCENARIO_CODES:
        raise ValueError(f"unknown mock scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
    minutes = int((shipped_at - KR_ANCHOR).total_seconds() // 60)
    if not 0 <= minutes < 10**7:
        raise ValueError("shipped_at is out of range for a Korean-format mock number")
    body = f"6{SCENARIOS.index(scenario)}{minutes:07d}{serial % KR_SERIALS:02d}"
    return body + str(int(body) % 7)


def is_korean_number(tracking_number: str) -> bool:
    return _parse_korean(tracking_number) is not None


def _parse_korean(tracking_number: str) -> ParsedNumber | None:
    match = KR_NUMBER_RE.match(str(tracking_number).strip())
    if not match or int(match["scenario"]) >= len(SCENARIOS) or int(match.string[:-1]) % 7 != int(match["check"]):
        return None
    return ParsedNumber(scenario=SCENARIOS[int(match["scenario"])],
                        shipped_at=KR_ANCHOR + timedelta(minutes=int(match["minutes"])),
                        serial=int(match["serial"]), fast=False, genuine=True)


def is_mock_number(tracking_number: str) -> bool:
    return _parse(tracking_number) is not None or _parse_korean(tracking_number) is not None


@dataclass(frozen=True)
class ParsedNumber:
    scenario: str
    shipped_at: datetime
    serial: int
    fast: bool
    genuine: bool  # False: a foreign number given pseudo values


def _parse(tracking_number: str) -> ParsedNumber | None:
    if not isinstance(tracking_number, str):
        return None
    match = NUMBER_RE.match(tracking_number.strip().upper())
    if not match or match["code"] not in _SCENARIO_BY_CODE:
        return None
    if check_digit(tracking_number.strip().upper()[:-1]) != match["check"]:
        return None
    return ParsedNumber(
        scenario=_SCENARIO_BY_CODE[match["code"]],
        shipped_at=datetime.fromtimestamp(int(match["minutes"]) * 60, UTC),
        serial=int(match["serial"]),
        fast=match["tempo"] == "F",
        genuine=True,
    )


def parse_number(tracking_number: str) -> ParsedNumber:
    """Never fails: unknown formats become an on-time parcel with a ship time derived from a hash."""
    parsed = _parse(tracking_number) or _parse_korean(tracking_number)
    if parsed:
        return parsed
    digest = hashlib.sha256(str(tracking_number).encode("utf-8", "replace")).digest()
    seed = int.from_bytes(digest[:8], "big")
    return ParsedNumber(
        scenario="on_time",
        shipped_at=_FOREIGN_ANCHOR + timedelta(minutes=seed % (28 * 24 * 60)),
        serial=seed % 10**6,
        fast=False,
        genuine=False,
    )


def scenario_for(tracking_number: str) -> str:
    return parse_number(tracking_number).scenario


def route_for(parsed: ParsedNumber) -> Route:
    if parsed.scenario == "customs_hold":
        return ROUTES["kr_us"]
    if parsed.scenario == "return_to_warehouse":
        return ROUTES["kr"] if parsed.serial % 2 == 0 else ROUTES["us"]
    return (ROUTES["kr"], ROUTES["us"], ROUTES["kr_us"])[parsed.serial % 3]


# --- Timelines -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    hours: float  # after shipping
    code: str
    place: Place
    text: str = ""  # overrides STATUS_MAP's default text
    revised_promise_days: int | None = None  # the carrier moves its estimate when this happens


def _transit(route: Route, start: float) -> tuple[list[Step], float]:
    """Hub scans from ``start``; returns the steps and the hour the parcel reaches the delivery station."""
    steps, t = [], start
    for index, hub in enumerate(route.hubs):
        if route.international and index == 0:
            steps += [Step(t, "MK-ARR", hub), Step(t + 5, "MK-EXP", hub)]
            t += 18
            continue
        if route.international and index == 1:
            steps += [Step(t, "MK-IMP", hub), Step(t + 3, "MK-CUSC", hub), Step(t + 6, "MK-DEP", hub)]
            t += 20
            continue
        steps += [Step(t, "MK-ARR", hub), Step(t + 1.5, "MK-PROC", hub), Step(t + 4, "MK-DEP", hub)]
        t += 10
    steps.append(Step(t, "MK-ARR", route.destination_facility))
    return steps, t


def timeline(parsed: ParsedNumber) -> tuple[Route, list[Step]]:
    """Every step the scenario will ever produce, in occurrence order."""
    route = route_for(parsed)
    scenario = parsed.scenario
    dest, station, origin = route.destination, route.destination_facility, route.origin
    first_hub = route.hubs[0]

    if scenario == "return_to_warehouse":
        steps = [Step(0, "MK-RINF", origin), Step(20, "MK-DROP", origin, "Dropped off by shopper at parcel shop")]
        moving, t = _transit(route, 26)
        return route, steps + moving + [
            Step(t + 6, "MK-OFD", dest, "Out for delivery to merchant warehouse"),
            Step(t + 10, "MK-DLV", dest, "Delivered to warehouse receiving dock"),
        ]

    steps = [Step(0, "MK-INFO", origin), Step(3, "MK-PU", origin), Step(6, "MK-DEP", origin)]
    start = 10

    if scenario == "lost":
        return route, steps + [
            Step(start, "MK-ARR", first_hub),
            Step(start + 2, "MK-PROC", first_hub),
            Step(start + 120, "MK-LOST", first_hub),
        ]
    if scenario == "exception_damaged":
        return route, steps + [
            Step(start, "MK-ARR", first_hub),
            Step(start + 2, "MK-DMG", first_hub),
        ]
    if scenario == "in_transit":
        # Still moving: bounces between sorting scans for ten days, never reaching the station.
        hubs = route.hubs
        return route, steps + [
            Step(start + 12 * index, "MK-PROC" if index % 2 else "MK-ARR", hubs[index % len(hubs)])
            for index in range(20)
        ]

    moving, t = _transit(route, start)
    if scenario == "customs_hold":
        # The import scan is held for three days before clearance; everything after shifts.
        held = []
        for step in moving:
            if step.code == "MK-CUSC":
                held.append(Step(step.hours, "MK-CUSH", step.place, revised_promise_days=route.promise_days + 3))
                held.append(Step(step.hours + 72, "MK-CUSC", step.place))
            elif step.hours > next(s.hours for s in moving if s.code == "MK-CUSC"):
                held.append(Step(step.hours + 72, step.code, step.place, step.text))
            else:
                held.append(step)
        moving, t = held, t + 72
    if scenario == "late":
        # Severe weather at the last hub: two days lost, the carrier revises its estimate.
        last = moving[-2]
        delayed = [s if s.hours <= last.hours else Step(s.hours + 48, s.code, s.place, s.text) for s in moving]
        delayed.insert(len(delayed) - 1, Step(last.hours + 1, "MK-DLY", last.place, revised_promise_days=route.promise_days + 3))
        moving, t = delayed, t + 48
    steps += moving

    if scenario in ("on_time", "late", "customs_hold"):
        return route, steps + [Step(t + 6, "MK-OFD", dest), Step(t + 11, "MK-DLV", dest)]
    if scenario == "out_for_delivery_today":
        return route, steps + [Step(t + 6, "MK-OFD", dest)]
    if scenario == "failed_then_delivered":
        return route, steps + [
            Step(t + 6, "MK-OFD", dest),
            Step(t + 10, "MK-ATT", dest),
            Step(t + 30, "MK-OFD", dest),
            Step(t + 34, "MK-DLV", dest),
        ]
    if scenario == "returned_to_sender":
        return route, steps + [
            Step(t + 6, "MK-OFD", dest),
            Step(t + 10, "MK-ADDR", dest),
            Step(t + 30, "MK-OFD", dest),
            Step(t + 34, "MK-ADDR", dest, "Second attempt failed, address could not be found"),
            Step(t + 40, "MK-RTS", station),
            Step(t + 90, "MK-RTSD", origin),
        ]
    raise AssertionError(f"scenario {scenario} has no timeline")  # SCENARIOS and this function disagree


def _step_time(parsed: ParsedNumber, step: Step) -> datetime:
    unit = timedelta(minutes=1) if parsed.fast else timedelta(hours=1)
    return (parsed.shipped_at + step.hours * unit).astimezone(step.place.zone).replace(microsecond=0)


def _event(tracking_number: str, parsed: ParsedNumber, index: int, step: Step, language: str = "en") -> TrackingEventData:
    status, reason, default_text = STATUS_MAP[step.code]
    text, location = step.text or default_text, step.place.name
    if language == "ko":
        text, location = KO_TEXT[step.code], KO_PLACES.get(location, location)
    details = {}
    if status == st.DELIVERED:
        signer = "Warehouse receiving" if parsed.scenario == "return_to_warehouse" else _signer(parsed.serial)
        details = {
            "signed_by": signer,
            # Served by the app itself (static/doorstep/demo/), so the demo's photo always loads.
            "photo_url": static("doorstep/demo/proof-of-delivery.jpg"),
        }
    return TrackingEventData(
        occurred_at=_step_time(parsed, step),
        status=status,
        reason=reason,
        carrier_code=step.code,
        carrier_text=text,
        location=location,
        carrier_event_id=f"{tracking_number}-{index:02d}",
        details=details,
    )


def _signer(serial: int) -> str:
    names = ("J. KIM", "S. PARK", "M. LEE", "A. JOHNSON", "FRONT DESK", "LEFT AT DOOR")
    return names[serial % len(names)]


def scenario_events(tracking_number: str, *, now: datetime, language: str = "en") -> list[TrackingEventData]:
    """The events that have happened by ``now``, oldest first; ``language="ko"`` for Korean texts
    and place names (same codes, times, statuses and ids)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown mock language {language!r}; choose from {', '.join(LANGUAGES)}")
    number = tracking_number.strip().upper() if isinstance(tracking_number, str) else str(tracking_number)
    parsed = parse_number(number)
    _, steps = timeline(parsed)
    events = [_event(number, parsed, index, step, language) for index, step in enumerate(steps)]
    return [event for event in events if event.occurred_at <= now]


def all_scenario_events(tracking_number: str, *, language: str = "en") -> list[TrackingEventData]:
    """The complete timeline, including what has not happened yet (for simulators and tests)."""
    return scenario_events(tracking_number, now=datetime.max.replace(tzinfo=UTC), language=language)


def estimated_delivery(tracking_number: str, *, now: datetime) -> date:
    """The carrier's own estimate as known at ``now``: revised when a delay or customs hold happens."""
    number = tracking_number.strip().upper() if isinstance(tracking_number, str) else str(tracking_number)
    parsed = parse_number(number)
    route, steps = timeline(parsed)
    days = route.promise_days
    for step in steps:
        if _step_time(parsed, step) > now:
            break
        if step.revised_promise_days is not None:
            days = step.revised_promise_days
    shipped_local = parsed.shipped_at.astimezone(route.timezone)
    if parsed.fast:
        # Fast numbers compress the whole journey into well under a day.
        return (shipped_local + timedelta(minutes=24 * days)).date()
    return (shipped_local + timedelta(days=days)).date()

"""Guess the carrier from a tracking number alone.

Each pattern knows the underlying carrier, its carrier *company* id (tracking.carriers.companies),
the Doorstep adapter slugs able to track it (directly or through an aggregator) and, where the
carrier publishes one, its check-digit rule. A number whose check digit verifies scores high; a
number that only has the right shape scores low, because many formats overlap (10–14 plain digits
fit half the carriers in Korea and DHL Express too).
Pure Python: no settings, no network.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from tracking.carriers import companies
from tracking.carriers.mock import scenarios as mock_scenarios

VERIFIED = 0.95  # check digit matches
SHAPE_ONLY = 0.35  # format matches, no published check digit
_AGGREGATORS = ("easypost", "shippo")
# Korean couriers: tracker.delivery covers them all, Sweet Tracker most; Korea Post's own API only
# its domestic registered mail.
_KR_COURIER = ("trackerdelivery", "sweettracker")
_KR_POST = ("koreapost", "trackerdelivery", "sweettracker")


def _digits_value(char: str) -> int:
    return int(char) if char.isdigit() else (ord(char) - 63) % 10


def ups_check(number: str) -> bool:
    """1Z + 6 shipper chars + 2 service + 7 package + check: mod 10 with letters mapped
    A=2, B=3… and every second character doubled."""
    body, check = number[2:-1], number[-1]
    if not check.isdigit():
        return False
    total = sum(_digits_value(c) * (2 if i % 2 else 1) for i, c in enumerate(body))
    return (10 - total % 10) % 10 == int(check)


def mod10_31(number: str) -> bool:
    """USPS IMpb / GS1 style: weights 3,1,3,1… from the digit left of the check digit."""
    digits, check = number[:-1], int(number[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10 == check


def fedex12_check(number: str) -> bool:
    """FedEx Express 12 digits: weights 1,3,7 repeating from the right over the first 11, mod 11."""
    digits, check = number[:11], int(number[11])
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(digits)))
    return total % 11 % 10 == check


def mod7_check(number: str) -> bool:
    """The 'seven divides remainder' rule: the check digit is the rest of the number mod 7.
    DHL Express (10 digits), CJ Logistics and Lotte (12 digits) use it."""
    return int(number[:-1]) % 7 == int(number[-1])


lotte_check = mod7_check  # Lotte: last digit = the first 11 digits, read as one number, mod 7


S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check(number: str) -> bool:
    """UPU S10: two letters, 8 serial digits, check digit, ISO country. The check digit is
    11 - (sum of the serial digits weighted 8,6,4,2,3,5,9,7) mod 11, where 10 becomes 0 and 11 becomes 5."""
    serial, check = number[2:10], int(number[10])
    remainder = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS)) % 11
    expected = {10: 0, 11: 5}.get(remainder, remainder)
    return expected == check


def _mock_check(number: str) -> bool:
    return mock_scenarios.is_mock_number(number)


@dataclass(frozen=True)
class Pattern:
    carrier: str  # underlying carrier key
    name: str
    regex: re.Pattern
    adapters: tuple[str, ...]  # Doorstep adapter slugs, preferred first
    check: Callable[[str], bool] | None = None
    url: str = ""  # public tracking page, {n} = tracking number ("": the company's own page)
    weight: float = 1.0  # scales the score when two carriers share a format
    company: str = ""  # carrier company id (tracking.carriers.companies), "" when unknown


PATTERNS: tuple[Pattern, ...] = (
    Pattern("mock", "Parcelway", re.compile(r"^DS[A-Z]{2}[DF]\d{15}$"), ("mock",), _mock_check,
            "https://mock-carrier.doorstep.local/track/{n}", company="mock"),
    Pattern("ups", "UPS", re.compile(r"^1Z[0-9A-Z]{16}$"), _AGGREGATORS, ups_check,
            "https://www.ups.com/track?tracknum={n}", company="ups"),
    Pattern("usps", "USPS", re.compile(r"^(9[1-5]\d{18,20}|420\d{5}9[1-5]\d{18,20})$"), _AGGREGATORS,
            lambda n: mod10_31(n[8:] if n.startswith("420") else n),
            "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}", company="usps"),
    Pattern("fedex", "FedEx", re.compile(r"^\d{12}$"), _AGGREGATORS, fedex12_check,
            "https://www.fedex.com/fedextrack/?trknbr={n}", company="fedex"),
    Pattern("fedex", "FedEx Ground", re.compile(r"^\d{15}$"), _AGGREGATORS, mod10_31,
            "https://www.fedex.com/fedextrack/?trknbr={n}", weight=0.9, company="fedex"),
    Pattern("dhl_express", "DHL Express", re.compile(r"^\d{10}$"), ("dhl", *_AGGREGATORS), mod7_check,
            "https://www.dhl.com/global-en/home/tracking.html?tracking-id={n}&submit=1", company="dhl"),
    Pattern("dhl_ecommerce", "DHL eCommerce", re.compile(r"^(GM|LX|RX|JVGL|JJD)[0-9A-Z]{10,26}$"), ("dhl", *_AGGREGATORS), None,
            "https://www.dhl.com/global-en/home/tracking.html?tracking-id={n}&submit=1", company="dhl"),
    # Korea Post's international items (EMS EE…KR, registered RR…KR, parcels CP…KR): UPU S10.
    Pattern("korea_post", "Korea Post (international)", re.compile(r"^[A-Z]{2}\d{9}KR$"), (*_AGGREGATORS, "trackerdelivery", "sweettracker"),
            s10_check, "https://service.epost.go.kr/trace.RetrieveEmsRigiTraceList.comm?POST_CODE={n}",
            company="kr.epost.ems"),
    Pattern("usps", "USPS (international)", re.compile(r"^[A-Z]{2}\d{9}US$"), _AGGREGATORS, s10_check,
            "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}", company="usps"),
    Pattern("upu_s10", "International post (UPU S10)", re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$"), _AGGREGATORS, s10_check,
            "", weight=0.9),
    # Korean domestic couriers. CJ Logistics and Lotte put the 7DR check digit on their 12-digit
    # numbers (older 10-digit CJ numbers have none); Hanjin (10, 12 or 14 digits), Logen (11) and
    # Korea Post domestic (13) publish no check digit, so their shape alone scores low.
    Pattern("cj_logistics", "CJ Logistics", re.compile(r"^\d{12}$"), _KR_COURIER, mod7_check, company="kr.cjlogistics"),
    Pattern("cj_logistics", "CJ Logistics", re.compile(r"^\d{10}$"), _KR_COURIER, None, weight=0.9,
            company="kr.cjlogistics"),
    Pattern("lotte", "Lotte Global Logistics", re.compile(r"^\d{12}$"), _KR_COURIER, lotte_check, weight=0.8,
            company="kr.lotte"),
    Pattern("hanjin", "Hanjin", re.compile(r"^(\d{10}|\d{12}|\d{14})$"), _KR_COURIER, None, company="kr.hanjin"),
    Pattern("logen", "Logen", re.compile(r"^\d{11}$"), _KR_COURIER, None, company="kr.logen"),
    Pattern("korea_post", "Korea Post (domestic parcel)", re.compile(r"^\d{13}$"), _KR_POST, None, company="kr.epost"),
)


@dataclass(frozen=True)
class Detection:
    carrier: str
    name: str
    score: float
    adapters: tuple[str, ...]
    url: str
    check_digit_verified: bool
    company: str = ""  # carrier company id (tracking.carriers.companies), "" when unknown


def normalize(tracking_number: str) -> str:
    return re.sub(r"[\s-]", "", tracking_number or "").upper()


def detect(tracking_number: str) -> list[Detection]:
    """Every pattern the number fits, best first."""
    number = normalize(tracking_number)
    found: list[Detection] = []
    for pattern in PATTERNS:
        if not pattern.regex.match(number):
            continue
        verified = bool(pattern.check and pattern.check(number))
        if pattern.check and not verified:
            score = 0.05  # right shape, wrong check digit: almost certainly a typo
        else:
            score = VERIFIED if verified else SHAPE_ONLY
        url = pattern.url.format(n=number) if pattern.url else companies.public_tracking_url(pattern.company, number)
        found.append(
            Detection(
                carrier=pattern.carrier,
                name=pattern.name,
                score=round(score * pattern.weight, 3),
                adapters=pattern.adapters,
                url=url,
                check_digit_verified=verified,
                company=pattern.company,
            )
        )
    found.sort(key=lambda d: d.score, reverse=True)
    return found


def detect_carriers(tracking_number: str) -> list[tuple[str, float]]:
    """Doorstep adapter slugs that could track this number, with a likelihood, best first.
    An aggregator listed second for a carrier ranks slightly below the first choice."""
    scores: dict[str, float] = {}
    for detection in detect(tracking_number):
        for rank, slug in enumerate(detection.adapters):
            score = round(detection.score * (1 - 0.05 * rank), 3)
            scores[slug] = max(scores.get(slug, 0.0), score)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def detect_companies(tracking_number: str) -> list[tuple[str, float]]:
    """Carrier company ids this number could belong to, with a likelihood, best first (the best
    pattern per company counts)."""
    scores: dict[str, float] = {}
    for detection in detect(tracking_number):
        if detection.company:
            scores[detection.company] = max(scores.get(detection.company, 0.0), detection.score)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def best_company(tracking_number: str, *, provider: str = "", verified_only: bool = False) -> str:
    """The likeliest company id for the number ("" when none fits), optionally only among the
    companies ``provider`` (an adapter slug) has a code for, and only on a verified check digit."""
    for detection in detect(tracking_number):
        if not detection.company or detection.score <= 0.05:
            continue
        if verified_only and not detection.check_digit_verified:
            continue
        if provider and not companies.provider_code(detection.company, provider):
            continue
        return detection.company
    return ""


def best_detection(tracking_number: str) -> Detection | None:
    found = [d for d in detect(tracking_number) if d.score > 0.05]
    return found[0] if found else None


def public_tracking_url(tracking_number: str) -> str:
    best = best_detection(tracking_number)
    return best.url if best else ""

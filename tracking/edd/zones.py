"""Postal codes → zones, the unit lanes are learned over, and input validation for them.

A zone is the country plus a postal prefix coarse enough to gather data and fine enough to
separate depots: Korea's 5-digit codes start with a 2-digit province/metro area code
(01–09 Seoul, 10–18 Gyeonggi, 63 Jeju…); US ZIP codes' first 3 digits name the sectional
centre facility that sorts them. Elsewhere the first 2 characters stand in.
"""
from __future__ import annotations

import re

_PATTERNS = {
    "KR": re.compile(r"^\d{5}$"),
    "US": re.compile(r"^\d{5}(\d{4})?$"),
    "JP": re.compile(r"^\d{7}$"),
}
_GENERIC = re.compile(r"^[A-Z0-9]{2,10}$")
_PREFIX_LEN = {"KR": 2, "US": 3, "JP": 3}
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class InvalidPostalCode(ValueError):
    pass


def normalize_country(country: str) -> str:
    value = (country or "").strip().upper()
    if not _COUNTRY.match(value):
        raise InvalidPostalCode("country must be a 2-letter ISO code")
    return value


def normalize_postal_code(postal_code: str, country: str) -> str:
    """Upper-cased, without spaces and dashes; raises InvalidPostalCode if it cannot be one."""
    country = normalize_country(country)
    value = re.sub(r"[\s-]", "", postal_code or "").upper()
    if not _PATTERNS.get(country, _GENERIC).match(value):
        raise InvalidPostalCode(f"not a valid postal code for {country}")
    return value


def zone_for(country: str, postal_code: str) -> str:
    """``KR-04``, ``US-100``… or just the country when the postal code is missing or malformed."""
    try:
        country = normalize_country(country)
    except InvalidPostalCode:
        return ""
    try:
        value = normalize_postal_code(postal_code, country)
    except InvalidPostalCode:
        return country
    return f"{country}-{value[: _PREFIX_LEN.get(country, 2)]}"


def country_of_zone(zone: str) -> str:
    return zone.split("-", 1)[0]

"""Carrier names as store platforms give them → Doorstep carrier company ids.

A shipment records the carrier *company* (``ups``, ``kr.cjlogistics``…) separately from the
adapter that tracks it (DESIGN.md, "Carrier company vs adapter"). Platforms hand us whatever the
merchant typed or picked: "UPS", "FedEx Ground", "CJ대한통운", "CJ 대한통운", "롯데택배",
"Lotte Global Logistics", "우체국택배"… ``company_id`` folds case, spaces, punctuation and the
generic words (택배, 택배사, logistics…) away and looks the rest up. Unknown names give "" and the
caller falls back to detecting the carrier from the tracking number's format
(tracking.carriers.detect).

Cafe24 identifies couriers by a per-platform ``shipping_company_code`` ("0001"…). Third-party
code tables disagree with each other, so this module ships none: the Cafe24 adapter resolves a
code through the mall's own carrier list (``GET /api/v2/admin/carriers``: code → name) or the name
Cafe24 sends next to the code, then through ``company_id``. A deployment that knows its codes may
pass them in ``StoreCredentials.extra["cafe24_carrier_codes"]`` ({"0006": "kr.cjlogistics"}).
"""
from __future__ import annotations

import re
import unicodedata

# company id -> names and aliases (any script, any case; folded before lookup)
COMPANIES: dict[str, tuple[str, ...]] = {
    "ups": ("UPS", "United Parcel Service", "UPS Ground", "UPS Express", "UPS Mail Innovations"),
    "usps": ("USPS", "United States Postal Service", "US Postal Service", "U.S. Postal Service"),
    "fedex": ("FedEx", "Fed Ex", "Federal Express", "FedEx Ground", "FedEx Express", "FedEx SmartPost"),
    "dhl": ("DHL", "DHL Express", "DHL eCommerce", "DHL eCommerce Solutions", "DHL Parcel", "DHLExpress"),
    "kr.cjlogistics": ("CJ대한통운", "대한통운", "CJ Logistics", "CJ Korea Express", "CJ GLS", "CJGLS",
                       "CJ 대한통운 택배"),
    "kr.hanjin": ("한진택배", "한진", "Hanjin", "Hanjin Express", "Hanjin Transportation"),
    "kr.lotte": ("롯데택배", "롯데", "롯데글로벌로지스", "Lotte", "Lotte Global Logistics", "Lotte Logistics",
                 "현대택배", "Hyundai Logistics"),  # Hyundai Logistics became Lotte Global Logistics
    "kr.epost": ("우체국택배", "우체국", "우체국 소포", "Korea Post", "KoreaPost", "ePost", "Korea Post Parcel"),
    "kr.logen": ("로젠택배", "로젠", "Logen", "iLogen", "Logen Logistics"),
    "kr.coupangls": ("쿠팡", "쿠팡로지스틱스", "쿠팡 로지스틱스 서비스", "로켓배송", "Coupang", "Coupang Logistics",
                     "Coupang Logistics Services", "CLS"),
    "kr.cupost": ("CU 편의점택배", "CU편의점택배", "CU Post", "CUpost"),
    "kr.cvsnet": ("GS Postbox", "GS편의점택배", "GS Postbox 택배", "CVSnet", "CVSnet 편의점택배"),
    "kr.daesin": ("대신택배", "Daesin"),
    "kr.kdexp": ("경동택배", "Kyungdong", "KD Express"),
    "kr.hdexp": ("합동택배", "Hapdong"),
    "kr.ilyanglogis": ("일양로지스", "Ilyang", "Ilyang Logis"),
    "kr.chunilps": ("천일택배", "Chunil"),
    "kr.kunyoung": ("건영택배", "Kunyoung"),
}

# Words that say "a courier" and nothing about which one.
_GENERIC = ("택배사", "택배", "logistics", "express", "parcel", "courier", "services", "service", "inc", "co", "ltd")
_FOLD_DROP = re.compile(r"[\s\-_.,/()&'·]+")


def fold(name: str) -> str:
    """Case-, width- and punctuation-insensitive key: "CJ 대한통운" == "cj대한통운"."""
    if not isinstance(name, str):
        return ""
    key = unicodedata.normalize("NFKC", name).casefold()
    return _FOLD_DROP.sub("", key)


def _strip_generic(key: str) -> str:
    changed = True
    while changed and key:
        changed = False
        for word in _GENERIC:
            if key.endswith(word) and len(key) > len(word):
                key, changed = key[: -len(word)], True
    return key


def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for company, names in COMPANIES.items():
        for name in (company, *names):
            key = fold(name)
            index.setdefault(key, company)
            index.setdefault(_strip_generic(key), company)
    return index


_INDEX = _index()


def company_id(name: str) -> str:
    """Doorstep carrier company id for a platform's carrier name, or "" when unknown."""
    key = fold(name)
    if not key or len(key) > 80:
        return ""
    return _INDEX.get(key) or _INDEX.get(_strip_generic(key), "")


def cafe24_company_id(code: str, name: str = "", *, mall_carriers: dict[str, str] | None = None,
                      overrides: dict[str, str] | None = None) -> str:
    """A Cafe24 ``shipping_company_code`` to a company id: an explicit override wins, then the name
    Cafe24 sent with the code, then the name the mall's own carrier list gives the code."""
    code = code.strip() if isinstance(code, str) else ""
    if overrides and code in overrides:
        return str(overrides[code])
    found = company_id(name)
    if found:
        return found
    if mall_carriers and code in mall_carriers:
        return company_id(mall_carriers[code])
    return ""

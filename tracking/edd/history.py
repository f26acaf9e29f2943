"""A generator of realistic shipment history, for backtesting the EDD and for demos.

What makes it realistic (and hard for a static table): every lane has its own transit distribution
(Seoul next day, Jeju two to four days; LA→LA one day, LA→New York five); carriers differ in speed
and reliability; days are counted on each country's business calendar, so weekends and KR/US
holidays (Chuseok, Seollal, Thanksgiving…) stretch calendar time; some carriers deliver on
Saturdays; carriers slow down in known periods (US peak season, the KR backlog after long holidays)
and in unannounced ones (a strike, a winter storm); a few parcels are outliers (misroutes, customs).

Deterministic for a given seed. Pure Python; nothing here touches the database.
"""
from __future__ import annotations

import random
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from tracking.edd import calendar as cal

# Transit business days after the ship date → probability, per destination zone group.
KR_GROUPS = {
    "seoul": (["01", "02", "03", "04", "05", "06", "07", "08"], {1: 0.88, 2: 0.10, 3: 0.02}),
    "gyeonggi": (["10", "11", "12", "13", "14", "16"], {1: 0.90, 2: 0.08, 3: 0.02}),
    "busan": (["46", "47", "48", "49"], {1: 0.60, 2: 0.35, 3: 0.05}),
    "gangwon": (["24", "25", "26"], {1: 0.35, 2: 0.55, 3: 0.10}),
    "jeolla": (["54", "55", "57", "58"], {1: 0.50, 2: 0.42, 3: 0.08}),
    "jeju": (["63"], {2: 0.55, 3: 0.35, 4: 0.10}),
}
US_GROUPS = {  # from a Los Angeles warehouse
    "la": (["900", "902", "913", "917"], {1: 0.80, 2: 0.18, 3: 0.02}),
    "bay": (["940", "941", "945"], {1: 0.30, 2: 0.60, 3: 0.10}),
    "phoenix": (["850", "852"], {1: 0.15, 2: 0.70, 3: 0.15}),
    "seattle": (["980", "981"], {2: 0.40, 3: 0.50, 4: 0.10}),
    "dallas": (["750", "752"], {2: 0.30, 3: 0.55, 4: 0.15}),
    "chicago": (["606", "604"], {3: 0.20, 4: 0.60, 5: 0.20}),
    "newyork": (["100", "112", "104"], {4: 0.30, 5: 0.55, 6: 0.15}),
    "miami": (["331", "330"], {4: 0.40, 5: 0.45, 6: 0.15}),
}
INTL_KR_US = {  # Korean warehouse to US addresses by express
    "us_west": (["900", "941", "981"], {2: 0.20, 3: 0.55, 4: 0.20, 5: 0.05}),
    "us_east": (["100", "606", "331"], {3: 0.35, 4: 0.45, 5: 0.15, 6: 0.05}),
}


@dataclass(frozen=True)
class CarrierProfile:
    """A synthetic carrier: its published table and how it really behaves."""

    slug: str
    service_level: str
    published: tuple[int, int]  # what the carrier table (the baseline) says
    shift: int = 0  # added to the lane's transit days (a faster service is negative)
    extra_day_prob: float = 0.05  # chance of one more day than the lane's draw
    saturday_delivery: float = 0.0  # chance a Monday delivery happens on the Saturday before
    peak_extra_prob: float = 0.0  # extra-day chance during the carrier's country peak season


CARRIERS = {
    "kr": [CarrierProfile("cj", "standard", (1, 3), extra_day_prob=0.03, saturday_delivery=0.4),
           CarrierProfile("hanjin", "standard", (1, 3), extra_day_prob=0.10),
           CarrierProfile("epost", "standard", (1, 4), extra_day_prob=0.15)],
    "us": [CarrierProfile("ups", "ground", (1, 5), extra_day_prob=0.04, peak_extra_prob=0.30),
           CarrierProfile("usps", "priority", (1, 3), shift=-1, extra_day_prob=0.12, saturday_delivery=0.6,
                          peak_extra_prob=0.45),
           CarrierProfile("fedex", "ground", (1, 5), extra_day_prob=0.06, peak_extra_prob=0.30)],
    "intl": [CarrierProfile("dhl", "express", (3, 6), extra_day_prob=0.05, peak_extra_prob=0.20)],
}
# Published tables for the baseline, keyed like tracking.edd.carrier_table.
PUBLISHED_TABLE = {
    f"{p.slug}:{p.service_level}:{'international' if market == 'intl' else 'domestic'}": p.published
    for market, profiles in CARRIERS.items() for p in profiles
}
ORIGINS = {"kr": ("KR", "10881", "Asia/Seoul"), "us": ("US", "90021", "America/Los_Angeles"),
           "intl": ("KR", "10881", "Asia/Seoul")}
MARKET_MIX = [("kr", 0.55), ("us", 0.35), ("intl", 0.10)]
# Unannounced slowdowns: (carrier, first ship date, last ship date, extra-day probability).
INCIDENTS = [("hanjin", date(2025, 12, 1), date(2025, 12, 12), 0.6),
             ("ups", date(2026, 1, 19), date(2026, 1, 28), 0.5),
             ("cj", date(2025, 7, 14), date(2025, 7, 18), 0.5)]
OUTLIER_SHARE = 0.02
CUSTOMS_HOLD_SHARE = 0.04


@dataclass(frozen=True)
class HistoricShipment:
    carrier: str
    service_level: str
    origin_country: str
    origin_postal_code: str
    destination_country: str
    destination_postal_code: str
    ordered_at: datetime
    shipped_at: datetime
    delivered_at: datetime


def _draw(rng: random.Random, distribution: dict[int, float]) -> int:
    days, weights = zip(*distribution.items())
    return rng.choices(days, weights)[0]


def _is_peak(day: date, country: str) -> bool:
    if country == "US":
        return (day.month == 11 and day.day >= 24) or (day.month == 12 and day.day <= 23)
    return False


def _after_long_holiday(day: date, country: str) -> bool:
    """Within three business days after a closed run of three or more days with a holiday in it
    (Chuseok, Seollal): carriers work through the backlog then."""
    probe = day
    for _ in range(3):
        probe -= timedelta(days=1)
        run, has_holiday = 0, False
        while not cal.is_business_day(probe, country):
            run += 1
            has_holiday = has_holiday or cal.is_holiday(probe, country)
            probe -= timedelta(days=1)
        if run >= 3 and has_holiday:
            return True
    return False


def generate_history(*, shipments: int = 20000, seed: int = 7, start: date = date(2025, 6, 2),
                     days: int = 270) -> list[HistoricShipment]:
    rng = random.Random(seed)
    markets, weights = zip(*MARKET_MIX)
    out = []
    for _ in range(shipments):
        market = rng.choices(markets, weights)[0]
        origin_country, origin_postal, origin_tz = ORIGINS[market]
        profile = rng.choice(CARRIERS[market])
        groups = {"kr": KR_GROUPS, "us": US_GROUPS, "intl": INTL_KR_US}[market]
        prefixes, distribution = groups[rng.choice(sorted(groups))]
        prefix = rng.choice(prefixes)
        dest_country = "KR" if market == "kr" else "US"
        dest_postal = prefix + "".join(rng.choice("0123456789") for _ in range(5 - len(prefix)))

        ordered_local = datetime.combine(start + timedelta(days=rng.randrange(days)), time(0),
                                         tzinfo=zoneinfo.ZoneInfo(origin_tz)) + timedelta(minutes=rng.randrange(1440))
        ship_day = ordered_local.date()
        if not cal.is_business_day(ship_day, origin_country) or ordered_local.hour >= 14:
            ship_day = cal.next_business_day(ship_day, origin_country)
        shipped_at = datetime.combine(ship_day, time(17, rng.randrange(60)), tzinfo=zoneinfo.ZoneInfo(origin_tz))

        transit = max(1, _draw(rng, distribution) + profile.shift)
        extra = profile.extra_day_prob
        if _is_peak(ship_day, dest_country):
            extra += profile.peak_extra_prob
        if _after_long_holiday(ship_day, origin_country):
            extra += 0.5
        for carrier, first, last, prob in INCIDENTS:
            if carrier == profile.slug and first <= ship_day <= last:
                extra += prob
        transit += sum(1 for _ in range(2) if rng.random() < extra / 2)
        if market == "intl" and rng.random() < CUSTOMS_HOLD_SHARE:
            transit += rng.randint(2, 5)
        if rng.random() < OUTLIER_SHARE:
            transit += rng.randint(3, 10)
        delivered_day = cal.add_business_days(ship_day, transit, dest_country)
        # A delivery due on a Monday may come on the Saturday before with carriers that work Saturdays.
        saturday = delivered_day - timedelta(days=2)
        if (delivered_day.weekday() == 0 and saturday > ship_day and rng.random() < profile.saturday_delivery):
            delivered_day = saturday
        dest_tz = zoneinfo.ZoneInfo(cal.COUNTRY_TIMEZONES.get(dest_country, "UTC"))
        if dest_country == "US":
            dest_tz = zoneinfo.ZoneInfo("America/Los_Angeles") if prefix[0] == "9" else dest_tz
        delivered_at = datetime.combine(delivered_day, time(rng.randint(9, 19), rng.randrange(60)), tzinfo=dest_tz)
        out.append(HistoricShipment(profile.slug, profile.service_level, origin_country, origin_postal, dest_country,
                                    dest_postal, ordered_local, shipped_at, delivered_at))
    out.sort(key=lambda s: s.shipped_at)
    return out

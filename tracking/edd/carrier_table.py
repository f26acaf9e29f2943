"""The static carrier table: published transit days per (carrier, service level, scope).

The carrier's adapter wins when it publishes transit times (Capability.TRANSIT_TIMES); otherwise
settings.DOORSTEP_EDD_TRANSIT_TABLE, then the defaults below. Keys are
``"<carrier>:<service_level>:<domestic|international>"`` with ``*`` as a wildcard for carrier or
service level; the most specific key wins.
"""
from __future__ import annotations

import logging
from typing import Mapping

from django.conf import settings

from tracking.carriers.base import Capability
from tracking.carriers.registry import UnknownCarrier, get_adapter
from tracking.edd.types import TransitRange, scope_of

log = logging.getLogger(__name__)

DEFAULT_TABLE: dict[str, tuple[int, int]] = {
    "*:express:domestic": (1, 2),
    "*:standard:domestic": (1, 3),
    "*:economy:domestic": (2, 5),
    "*:*:domestic": (1, 4),
    "*:express:international": (3, 6),
    "*:standard:international": (5, 10),
    "*:economy:international": (8, 20),
    "*:*:international": (5, 12),
}


def table_lookup(table: Mapping[str, tuple[int, int]], *, carrier: str, service_level: str,
                 scope: str) -> TransitRange | None:
    service = (service_level or "").lower() or "*"
    for key in (f"{carrier}:{service}:{scope}", f"{carrier}:*:{scope}", f"*:{service}:{scope}", f"*:*:{scope}"):
        if key in table:
            low, high = table[key]
            return TransitRange(int(low), int(high), source="table")
    return None


def _adapter_range(carrier: str, service_level: str, origin_country: str,
                   destination_country: str) -> TransitRange | None:
    try:
        adapter = get_adapter(carrier)
    except (UnknownCarrier, ImportError):
        return None
    if not adapter.supports(Capability.TRANSIT_TIMES):
        return None
    try:
        estimates = adapter.transit_estimates(origin_country=origin_country, destination_country=destination_country)
    except Exception:  # a carrier outage must not stop a product page from showing a date
        log.warning("transit_estimates failed for %s", carrier, exc_info=True)
        return None
    wanted = (service_level or "").lower()
    for estimate in estimates:
        if estimate.service_level.lower() == wanted:
            return TransitRange(estimate.min_business_days, estimate.max_business_days, source="adapter")
    return None


def carrier_transit_range(*, carrier: str, service_level: str, origin_country: str,
                          destination_country: str) -> TransitRange:
    found = _adapter_range(carrier, service_level, origin_country, destination_country)
    if found is not None:
        return found
    table = {**DEFAULT_TABLE, **getattr(settings, "DOORSTEP_EDD_TRANSIT_TABLE", {})}
    scope = scope_of(origin_country, destination_country)
    return table_lookup(table, carrier=carrier, service_level=service_level, scope=scope) or TransitRange(1, 5)

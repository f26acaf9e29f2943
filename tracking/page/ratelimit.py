"""Failure counters for the order lookup: more than DOORSTEP_LOOKUP_MAX_FAILURES wrong guesses per
client IP or per order number (across every lookup page and portal) inside
DOORSTEP_LOOKUP_WINDOW_SECONDS → 429. ``client_ip`` is the one client-address rule of every throttle
(DRF's included, tracking.apikit.throttling).

Counters live in the cache (Redis in production, so every web process shares them) and are
updated atomically with ``cache.add`` + ``cache.incr``: no read-modify-write race."""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """REMOTE_ADDR, or — behind DOORSTEP_TRUSTED_PROXY_HOPS reverse proxies — the address the
    nearest untrusted hop gave. Never trust X-Forwarded-For without proxies in front."""
    hops = settings.DOORSTEP_TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]
    return f"lookup-fail:{kind}:{digest}"


def lookup_keys(*, ip: str, number: str) -> list[str]:
    """The counters a lookup from ``ip`` for order ``number`` counts against: the client's, and the
    order number's — one per number whatever the page (/track/, /track/<store>/, the returns portal),
    so guesses spread over pages, stores' scopes or addresses share one allowance."""
    keys = [_key("ip", ip)]
    if number:
        keys.append(_key("order", number.strip().lstrip("#").upper()))
    return keys


def is_blocked(keys: list[str]) -> bool:
    limit = settings.DOORSTEP_LOOKUP_MAX_FAILURES
    counts = cache.get_many(keys)
    return any(int(count) >= limit for count in counts.values())


def record_failure(keys: list[str]) -> None:
    window = settings.DOORSTEP_LOOKUP_WINDOW_SECONDS
    for key in keys:
        cache.add(key, 0, timeout=window)  # starts the window; a no-op when the counter exists
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: this failure opens a new window
            cache.add(key, 1, timeout=window)

"""One rate limit per provider account, shared by every worker: a one-minute window counted in the
shared cache (Redis in production: INCR is atomic across processes and hosts). When the cache
cannot be reached, each process counts on its own (the limit then holds per process, and polling
goes on rather than stopping).

The limit applied is the account's own (CarrierAccount.poll_rate_limit_per_minute) capped by the
provider's published limit (settings.DOORSTEP_PROVIDER_RATE_LIMITS, per minute), so a merchant
cannot configure Doorstep into the provider's 429s."""
from __future__ import annotations

import logging
import threading
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

_local: dict[str, int] = {}
_local_lock = threading.Lock()


def provider_limit(slug: str) -> int | None:
    value = (getattr(settings, "DOORSTEP_PROVIDER_RATE_LIMITS", {}) or {}).get(slug)
    return int(value) if value else None


def effective_limit(slug: str, account_limit: int | None) -> int:
    """The account's limit capped by the provider's published one (either may be missing)."""
    limits = [v for v in (account_limit, provider_limit(slug)) if v]
    return max(min(limits), 1) if limits else 60


def _take_local(bucket: str, limit: int, window: int) -> bool:
    with _local_lock:
        for stale in [k for k in _local if not k.endswith(f":{window}")]:
            del _local[stale]
        _local[bucket] = _local.get(bucket, 0) + 1
        return _local[bucket] <= limit


def take(key: str, limit_per_minute: int, *, now: datetime | None = None) -> bool:
    """One call's worth from ``key``'s current minute; False when the minute's budget is spent."""
    now = now or timezone.now()
    window = int(now.timestamp() // 60)
    bucket = f"ratelimit:poll:{key}:{window}"
    try:
        cache.add(bucket, 0, 120)
        try:
            used = cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.add(bucket, 1, 120)
            used = 1
    except Exception:  # the shared cache (Redis) is unreachable: count in this process meanwhile
        logger.warning("rate limiter: shared cache unreachable, counting %s in-process", key, exc_info=True)
        return _take_local(bucket, limit_per_minute, window)
    if used is None:  # the Redis breaker is open (tracking.resilience): the cache reads as empty
        return _take_local(bucket, limit_per_minute, window)
    return used <= limit_per_minute

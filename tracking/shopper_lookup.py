"""Finding a shopper's order from what they type (order number + email or postal code), shared by
every shopper-facing lookup form (tracking page, returns portal).

* Equal answers: an unknown order and a wrong email/postal code both return None, after the same
  work (the candidate query always runs and every candidate is compared in constant time), so the
  form cannot be used to learn which order numbers exist.
* Rate limit: failures are counted per client IP and per order number in the cache (atomic
  ``add``/``incr``, shared across processes with Redis); past the limit the caller answers 429.
"""
from __future__ import annotations

import hmac
import re

from django.core.cache import cache

from .models import Order

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _normalise_postal(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def _matches(order: Order, answer: str) -> bool:
    answer = (answer or "").strip()
    email_ok = hmac.compare_digest(order.customer.email.lower().encode(), answer.lower().encode())
    postal = _normalise_postal(order.ship_postal_code)
    postal_ok = bool(postal) and hmac.compare_digest(postal.encode(), _normalise_postal(answer).encode())
    return email_ok or postal_ok


def order_lookup(*, number: str, answer: str, merchant=None) -> Order | None:
    """The one order whose number and email/postal code match, else None (also when ambiguous)."""
    number = (number or "").strip().lstrip("#")
    if not number or not (answer or "").strip():
        return None
    candidates = Order.objects.select_related("customer", "merchant").filter(number__in=[number, f"#{number}"])
    if merchant is not None:
        candidates = candidates.filter(merchant=merchant)
    matches = [order for order in candidates[:20] if _matches(order, answer)]
    return matches[0] if len(matches) == 1 else None


class LookupLimiter:
    """Counts failed lookups per IP and per order number; ``blocked`` is checked before looking up."""

    def __init__(self, scope: str, *, max_failures: int = MAX_FAILURES, window: int = WINDOW_SECONDS):
        self.scope = scope
        self.max_failures = max_failures
        self.window = window

    def _keys(self, ip: str, number: str) -> list[str]:
        number = (number or "").strip().lstrip("#").lower()[:64]
        return [f"lookup:{self.scope}:ip:{ip}", f"lookup:{self.scope}:order:{number}"]

    def blocked(self, *, ip: str, number: str) -> bool:
        return any((cache.get(key) or 0) >= self.max_failures for key in self._keys(ip, number))

    def fail(self, *, ip: str, number: str) -> None:
        for key in self._keys(ip, number):
            if not cache.add(key, 1, self.window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, self.window)


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")

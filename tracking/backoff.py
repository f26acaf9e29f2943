"""The one retry-delay rule: exponential backoff with "equal jitter".

Every retry in Doorstep (carrier and platform HTTP clients, payment gateways, Celery task retries,
outgoing webhooks, polling after failures) waits ``backoff_seconds(attempt, base=…, cap=…)``: the
ceiling doubles per attempt up to ``cap`` and the wait is drawn between half the ceiling and the
ceiling, so a fleet of workers that failed together does not retry in lockstep, and no retry comes
sooner than half of what the schedule promises. A server's ``Retry-After`` wins when given.
"""
from __future__ import annotations

import random


def backoff_seconds(attempt: int, *, base: float, cap: float, retry_after: float | None = None,
                    rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first retry). ``retry_after`` (what
    the server asked for) is honoured, bounded by ``cap``."""
    if retry_after is not None and retry_after >= 0:
        return min(float(retry_after), cap)
    ceiling = min(cap, base * (2 ** max(attempt, 0)))
    return (rng or random).uniform(ceiling / 2, ceiling)

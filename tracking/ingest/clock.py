"""Carrier clocks are not trusted blindly: an event dated more than DOORSTEP_EVENT_FUTURE_SLACK_HOURS
ahead of now, before the parcel's order was placed (minus DOORSTEP_EVENT_BEFORE_ORDER_SLACK_HOURS),
or before 2000 when the order is not known yet, is refused where the event is ingested — by webhook,
poll or when a waiting event joins its parcel. A refused event is never stored, so it can neither set
``delivered_at=2099`` nor fail the database (years 1 and 9999); the delivery itself is processed and
done (never retried), with the reason recorded on its log row."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

FLOOR = datetime(2000, 1, 1, tzinfo=UTC)  # nothing Doorstep tracks was shipped before this


@dataclass(frozen=True)
class Refused:
    occurred_at: datetime | None
    reason: str


def _aware(moment):
    if moment is None or not isinstance(moment, datetime):
        return None
    if timezone.is_naive(moment):
        return None
    return moment


def clock_problem(occurred_at, *, now: datetime | None = None, order_placed_at: datetime | None = None) -> str:
    """Why ``occurred_at`` cannot be an event time, or "" when it can."""
    moment = _aware(occurred_at)
    if moment is None:
        return "event time missing or without a time zone"
    now = now or timezone.now()
    ahead = timedelta(hours=settings.DOORSTEP_EVENT_FUTURE_SLACK_HOURS)
    try:
        if moment > now + ahead:
            return f"dated {moment.date().isoformat()}, more than {ahead} ahead of now"
        if moment < FLOOR:
            return f"dated {moment.date().isoformat()}, before {FLOOR.year}"
        if order_placed_at is not None:
            slack = timedelta(hours=settings.DOORSTEP_EVENT_BEFORE_ORDER_SLACK_HOURS)
            if moment < order_placed_at - slack:
                return f"dated {moment.date().isoformat()}, before the order was placed"
    except OverflowError:  # a bound past year 1 or 9999 cannot even be computed
        return "event time out of range"
    return ""


def events_screen(events: Iterable, *, now: datetime | None = None,
                  order_placed_at: datetime | None = None) -> tuple[list, list[Refused]]:
    """(events to keep, refused ones with their reasons) — anything with ``occurred_at``."""
    now = now or timezone.now()
    kept, refused = [], []
    for event in events:
        problem = clock_problem(event.occurred_at, now=now, order_placed_at=order_placed_at)
        if problem:
            refused.append(Refused(_aware(event.occurred_at), problem))
        else:
            kept.append(event)
    return kept, refused


def refused_summary(refused: list[Refused], limit: int = 200) -> str:
    if not refused:
        return ""
    reasons = sorted({r.reason for r in refused})
    return f"{len(refused)} event(s) refused: " + "; ".join(reasons)[:limit]

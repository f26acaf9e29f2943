"""When a message may go out, given a merchant's quiet hours in its own time zone."""
from __future__ import annotations

import datetime as dt
import zoneinfo


def next_allowed_time(now: dt.datetime, *, start: dt.time, end: dt.time, tz: str) -> dt.datetime:
    """``now`` if it is outside quiet hours, else the moment they end. Handles windows that cross
    midnight (21:00–08:00) and ones that don't (12:00–13:00); start == end means no quiet hours."""
    if start == end:
        return now
    local = now.astimezone(zoneinfo.ZoneInfo(tz))
    t = local.time()
    crosses_midnight = start > end
    quiet = (t >= start or t < end) if crosses_midnight else (start <= t < end)
    if not quiet:
        return now
    end_day = local.date()
    if crosses_midnight and t >= start:
        end_day += dt.timedelta(days=1)
    resume = dt.datetime.combine(end_day, end, tzinfo=local.tzinfo)
    return resume.astimezone(now.tzinfo)

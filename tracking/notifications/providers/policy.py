"""Transactional vs promotional text messages, and when each may go out.

Korean law (정보통신망법 §50) forbids sending advertising by text message between 21:00 and 08:00
without separate consent; 알림톡 may carry only transactional information (order, delivery, refund
notices) and never advertising. Transactional messages follow the merchant's own quiet hours only
(tracking.notifications.quiet_hours); promotional ones additionally never go out in the legal window.
"""
from __future__ import annotations

import datetime as dt
from typing import Literal

from tracking.notifications.quiet_hours import next_allowed_time

Category = Literal["transactional", "promotional"]
PROMOTIONAL_QUIET_START = dt.time(21)
PROMOTIONAL_QUIET_END = dt.time(8)
PROMOTIONAL_QUIET_TZ = "Asia/Seoul"


def category(kind: str, *, promotional: bool = False) -> Category:
    """The category of a message of ``kind``; a promotional 알림톡 is refused (ValueError)."""
    if promotional and kind == "alimtalk":
        raise ValueError("알림톡 may only carry transactional information, not advertising")
    return "promotional" if promotional else "transactional"


def earliest_send_time(at: dt.datetime, kind: str, *, promotional: bool = False) -> dt.datetime:
    """``at`` if a message of this kind/category may go out then, else the moment it may (08:00 KST).
    Only the legal window: combine with the merchant's quiet hours for the final time."""
    if category(kind, promotional=promotional) == "transactional":
        return at
    return next_allowed_time(at, start=PROMOTIONAL_QUIET_START, end=PROMOTIONAL_QUIET_END, tz=PROMOTIONAL_QUIET_TZ)


def may_send_at(at: dt.datetime, kind: str, *, promotional: bool = False) -> bool:
    return earliest_send_time(at, kind, promotional=promotional) == at

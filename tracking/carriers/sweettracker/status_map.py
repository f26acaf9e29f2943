"""Sweet Tracker progress ``level`` (1-6) -> canonical status, refined by the courier's ``kind`` text.

The level is coarse: a failed delivery, a parcel held at a convenience store or one on its way
back usually keeps level 3-5 and only its ``kind`` (미배달, 편의점 보관, 반송…) says so, so an
off-path state named in the text outranks the level. Level 6 (delivered) is final."""
from __future__ import annotations

from tracking.carriers import korean_text
from tracking.carriers import status as st

LEVELS: dict[int, tuple[str, str, str]] = {  # level -> (published name, canonical status, reason)
    1: ("배송준비중", st.INFO_RECEIVED, ""),
    2: ("집화완료", st.IN_TRANSIT, ""),
    3: ("배송중", st.IN_TRANSIT, ""),
    4: ("지점도착", st.IN_TRANSIT, ""),
    5: ("배송출발", st.OUT_FOR_DELIVERY, ""),
    6: ("배송완료", st.DELIVERED, ""),
}


def level_of(value) -> int:
    """Sweet Tracker sends levels as numbers, sometimes as strings; anything else is 0 (unknown)."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return 0


def canonical(level, kind: str = "") -> tuple[str, str]:
    level = level_of(level)
    if level == 6:
        return st.DELIVERED, ""
    found = korean_text.classify(kind)
    if level not in LEVELS:
        return found or (st.PENDING, "")
    _, status, reason = LEVELS[level]
    if found and found[0] in korean_text.OFF_PATH:
        return found
    if found and found[0] == status and found[1]:
        return found  # e.g. 배송중 with a weather delay
    return status, reason

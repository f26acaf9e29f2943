"""Korean carrier event texts -> canonical status and reason.

Korean couriers describe scans in a small shared vocabulary (접수, 집화처리, 간선상차, 배송출발,
배달완료, 미배달, 반송…) but few publish codes, so Korea Post's official API, Sweet Tracker's
``kind`` and tracker.delivery's UNKNOWN events are classified by these words. Each adapter keeps
its own exact table and uses this only to refine or to fall back. The first matching rule wins,
so the order below matters (반송 before 배달완료, 배달완료 before 미배달/부재, 접수대기 before 접수).
Pure Python.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracking.carriers import status as st


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    status: str
    reason: str = ""  # "" here: taken from reason_in(text) (with the rule's default below)
    default_reason: str = ""


def _rule(regex: str, status: str, reason: str = "", default_reason: str = "") -> Rule:
    return Rule(re.compile(regex, re.IGNORECASE), status, reason, default_reason)


# Reasons that ride along with a status (미배달(수취인 부재), 반송(수취거절), 통관보류…).
REASON_RULES: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(regex), reason)
    for regex, reason in (
        (r"거절|거부", "refused"),
        (r"주소|수취인\s*불명|이사|행선지|수취인\s*미상", "address_issue"),
        (r"부재|연락\s*(안\s*됨|두절|불가)|폐문|문\s*잠김", "recipient_unavailable"),
        (r"파손", "damaged"),
        (r"분실", "lost"),
        (r"통관|세관|관세", "customs"),
        (r"기상|폭설|폭우|호우|태풍|악천후", "weather"),
        (r"지연", "carrier_delay"),
    )
)

RULES: tuple[Rule, ...] = (
    _rule(r"취소", st.CANCELLED),
    _rule(r"반송", st.RETURNED_TO_SENDER),
    _rule(r"배달\s*완료|배송\s*완료|인도\s*완료|수령\s*완료", st.DELIVERED),
    _rule(r"미\s*배달|미\s*배송|배달\s*실패|배송\s*실패|부재|수취\s*거절", st.FAILED_ATTEMPT,
          default_reason="recipient_unavailable"),
    _rule(r"분실", st.EXCEPTION, "lost"),
    _rule(r"파손", st.EXCEPTION, "damaged"),
    _rule(r"(통관|세관).{0,6}(보류|지연|대기)|(보류|검사).{0,6}(통관|세관)", st.EXCEPTION, "customs"),
    _rule(r"사고|보류|반출\s*불가", st.EXCEPTION, default_reason="other"),
    _rule(r"보관|택배함|보관함|점포\s*도착|편의점.{0,4}도착|픽업\s*가능|수령\s*대기", st.AVAILABLE_FOR_PICKUP),
    _rule(r"배달\s*준비|배송\s*출발|배달\s*출발|배달\s*중|배송\s*예정\s*기사", st.OUT_FOR_DELIVERY),
    _rule(r"기상|폭설|폭우|호우|태풍|악천후", st.IN_TRANSIT, "weather"),
    _rule(r"지연", st.IN_TRANSIT, "carrier_delay"),
    _rule(r"운송장\s*(등록|출력|발행)|송장\s*(등록|출력)|상품\s*준비|배송\s*준비|집[화하]\s*예정|접수\s*대기|주문\s*접수|반품\s*접수",
          st.INFO_RECEIVED),
    _rule(r"접수|집[화하]|인수|발송|도착|상차|하차|간선|터미널|hub|허브|분류|이동|입고|출고|배송\s*중|통관",
          st.IN_TRANSIT),
)


def reason_in(text: str, default: str = "") -> str:
    """The canonical reason a Korean text states, or ``default``."""
    for pattern, reason in REASON_RULES:
        if pattern.search(text or ""):
            return reason
    return default


def classify(text: str) -> tuple[str, str] | None:
    """(status, reason) for a Korean event text, None when no rule knows it."""
    text = (text or "").strip()
    if not text:
        return None
    for rule in RULES:
        if rule.pattern.search(text):
            if rule.reason:
                return rule.status, rule.reason
            if rule.status in (st.FAILED_ATTEMPT, st.RETURNED_TO_SENDER, st.EXCEPTION):
                return rule.status, reason_in(text, rule.default_reason)
            return rule.status, ""
    return None


# States off the happy path: a courier's text saying one of these outranks its coarse stage code.
OFF_PATH = frozenset({st.FAILED_ATTEMPT, st.RETURNED_TO_SENDER, st.EXCEPTION, st.AVAILABLE_FOR_PICKUP, st.CANCELLED})

"""DHL Unified Tracking ``statusCode`` → canonical status, refined by the event text.

The Unified API documents only five status codes (pre-transit, transit, delivered, failure,
unknown). Out-for-delivery, failed attempts, pickup points, customs holds and returns arrive as
``transit``/``failure`` with descriptive text, so a small ordered table of phrases (English, as we
request ``language=en``) refines them. The first matching rule wins."""
from __future__ import annotations

import re
from dataclasses import dataclass

from tracking.carriers import status as st

STATUS_CODE_MAP: dict[str, tuple[str, str]] = {
    "pre-transit": (st.INFO_RECEIVED, ""),
    "transit": (st.IN_TRANSIT, ""),
    "delivered": (st.DELIVERED, ""),
    "failure": (st.EXCEPTION, "other"),
    "unknown": (st.PENDING, ""),
}


@dataclass(frozen=True)
class TextRule:
    pattern: re.Pattern
    status: str
    reason: str
    applies_to: frozenset[str] = frozenset({"transit", "failure", "unknown"})


def _rule(regex: str, status: str, reason: str = "", applies_to=("transit", "failure", "unknown")) -> TextRule:
    return TextRule(re.compile(regex, re.IGNORECASE), status, reason, frozenset(applies_to))


TEXT_RULES: tuple[TextRule, ...] = (
    _rule(r"returned to (the )?(shipper|sender)|return(ed)? to sender|being returned", st.RETURNED_TO_SENDER),
    _rule(r"refused", st.EXCEPTION, "refused"),
    _rule(r"damaged", st.EXCEPTION, "damaged"),
    _rule(r"\blost\b|cannot be located|missing", st.EXCEPTION, "lost"),
    _rule(r"(held|hold|delay\w*).{0,40}customs|customs.{0,40}(held|hold|delay|awaiting|duties|payment)", st.EXCEPTION, "customs"),
    _rule(r"(incorrect|insufficient|incomplete|wrong) address|address (is )?(incorrect|insufficient|unknown)|recipient moved", st.FAILED_ATTEMPT, "address_issue"),
    _rule(r"(unsuccessful|failed) delivery|delivery attempt|not at home|recipient (was )?not (available|present)|could not be delivered|closed on arrival", st.FAILED_ATTEMPT, "recipient_unavailable"),
    _rule(r"out for delivery|out with courier|with delivery courier|loaded onto the delivery vehicle|on the delivery vehicle", st.OUT_FOR_DELIVERY),
    _rule(r"ready for (pickup|collection)|available for (pickup|collection)|parcel ?(shop|locker|station)|packstation|service ?point", st.AVAILABLE_FOR_PICKUP),
    _rule(r"weather", st.IN_TRANSIT, "weather", ("transit",)),
    _rule(r"delay", st.IN_TRANSIT, "carrier_delay", ("transit",)),
)


def canonical(status_code: str, text: str = "") -> tuple[str, str]:
    code = (status_code or "").lower()
    base = STATUS_CODE_MAP.get(code, (st.PENDING, ""))
    if code in ("delivered", "pre-transit"):
        return base
    for rule in TEXT_RULES:
        if code in rule.applies_to and rule.pattern.search(text or ""):
            return rule.status, rule.reason
    return base

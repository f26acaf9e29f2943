"""Korea Post ``processSttus`` (처리현황) -> canonical status and reason.

The domestic trace API publishes no codes: each scan is a short Korean word, the detail text
(``detailDc``) says why when it matters (미배달 - 수취인부재, 반송 - 주소불명). The exact words
below are the ones Korea Post prints; anything else goes through the shared Korean classifier, and
a scan nobody can classify still means the item is moving (every row is a physical scan)."""
from __future__ import annotations

from tracking.carriers import korean_text
from tracking.carriers import status as st

PROCESS_STATUS: dict[str, tuple[str, str]] = {
    "접수": (st.IN_TRANSIT, ""),  # accepted at the counter or picked up: in the network
    "발송": (st.IN_TRANSIT, ""),  # left a post office or mail centre
    "도착": (st.IN_TRANSIT, ""),  # arrived at one
    "배달준비": (st.OUT_FOR_DELIVERY, ""),  # with the carrier for today's round
    "배달완료": (st.DELIVERED, ""),
    "미배달": (st.FAILED_ATTEMPT, "recipient_unavailable"),  # reason refined from the detail
    "반송": (st.RETURNED_TO_SENDER, ""),
    "보관": (st.AVAILABLE_FOR_PICKUP, ""),  # held at the delivery office after a failed round
}


def canonical(process: str, detail: str = "") -> tuple[str, str]:
    process = (process or "").strip()
    key = process.split("(")[0].replace(" ", "")
    words = f"{process} {detail or ''}"
    if key in PROCESS_STATUS:
        status, reason = PROCESS_STATUS[key]
        if status in (st.FAILED_ATTEMPT, st.RETURNED_TO_SENDER):
            reason = korean_text.reason_in(words, reason)
        return status, reason
    return korean_text.classify(words) or (st.IN_TRANSIT, "")

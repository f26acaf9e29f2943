"""Sample data for rendering every shopper email (JSON-safe contexts as the senders build them), and a
helper that reads a page's visible text."""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from tests.support.i18n import shopper_msgids

_TODAY = date(2026, 12, 5)


def email_contexts(*, base_url: str = "http://testserver") -> dict[str, dict]:
    """One context per templates/notifications/<kind>, with every key its template reads."""
    window = {"window_start": (_TODAY + timedelta(days=2)).isoformat(),
              "window_end": (_TODAY + timedelta(days=4)).isoformat()}
    parcel = {"tracking_number": "DSITD299399430106172", "carrier_name": "Hangang Express",
              "carrier_url": "https://carrier.example/track", "reason": "", **window}
    ret = {"rma": "R-69LP-NU3C", "return_url": f"{base_url}/returns/r/x/", "method": "drop_off",
           "currency": "KRW", "refund_amount": "39543", "credit_total": "43497", "rejection_reason": ""}
    scores = [{"score": n, "url": f"{base_url}/f/s/{n}/"} for n in range(11)]
    return {
        "shipment_shipped": parcel,
        "shipment_out_for_delivery": parcel,
        "shipment_failed_attempt": parcel,
        "shipment_delivered": {**parcel, "delivered_at": "2026-12-05T10:00:00+09:00"},
        "shipment_delayed": {**parcel, "delay_reason": "weather", "delay_kind": "late",
                             "promised_date": _TODAY.isoformat(), "likely_date": window["window_end"]},
        "shipment_exception": {**parcel, "exception": "lost", "follow_up_date": window["window_end"]},
        "shipment_exception_update": {**parcel, "exception": "customs", "resolved": False,
                                      "follow_up_date": window["window_end"]},
        "return_requested": {**ret, "resolution": "refund"},
        "return_approved": {**ret, "resolution": "refund"},
        "return_rejected": {**ret, "resolution": "refund", "rejection_reason": "사용 흔적"},
        "return_received": {**ret, "resolution": "store_credit"},
        "return_resolved": {**ret, "resolution": "refund"},
        "return_closed": {**ret, "resolution": "refund"},
        "nps_survey": {"score_links": scores, "survey_url": f"{base_url}/f/survey/x/",
                       "expires_on": (_TODAY + timedelta(days=14)).isoformat()},
        "nps_thanks": {"kind": "store_credit", "amount": "5000", "currency": "KRW", "coupon_code": ""},
    }


_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|<[^>]+>|\{\{.*?\}\}")


def visible_text(html: str) -> str:
    return " ".join(unescape(_TAGS.sub(" ", html)).split())


def english_fragments(min_length: int = 14) -> set[str]:
    """Pieces of shopper msgids long enough that finding one on a Korean page means it was not translated."""
    fragments = set()
    for msg in shopper_msgids():
        for piece in _PLACEHOLDER.split(msg.msgid):
            piece = " ".join(piece.split()).strip(" .,:;·()")
            if len(piece) >= min_length and " " in piece and re.search(r"[A-Za-z]{3}", piece):
                fragments.add(piece)
    return fragments


def english_left(text: str, fragments: set[str]) -> list[str]:
    return sorted(f for f in fragments if f in text)

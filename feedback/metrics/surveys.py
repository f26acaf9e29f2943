"""NPS, CSAT and response rate, overall and grouped.

Population for NPS/CSAT: the merchant's responses with ``answered_at`` in ``[start, end)`` (the time of
the first answer; later changes update the score but keep the response in the period it was first
given). A changed answer counts once, with its latest values.
"""
from __future__ import annotations

import zoneinfo

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from tracking.models import Merchant

from feedback.models import Survey, SurveyResponse
from feedback.models.surveys import DETRACTOR_MAX, PROMOTER_MIN
from feedback.metrics._common import pct

PROMOTER = Q(score__gte=PROMOTER_MIN)
DETRACTOR = Q(score__lte=DETRACTOR_MAX)
RATINGS = ("delivery_rating", "product_rating", "packaging_rating")
SATISFIED_MIN = 4


def _responses(merchant: Merchant, start, end):
    return SurveyResponse.objects.filter(merchant=merchant, answered_at__gte=start, answered_at__lt=end)


def _nps_counts():
    return {"responses": Count("id"), "promoters": Count("id", filter=PROMOTER),
            "detractors": Count("id", filter=DETRACTOR)}


def _with_nps(row: dict) -> dict:
    """NPS = % promoters (9–10) − % detractors (0–6) of all responses, from −100 to +100.
    Computed from the counts (not from two rounded percentages) so it is exact to one decimal."""
    n = row["responses"]
    row["passives"] = n - row["promoters"] - row["detractors"]
    row["nps"] = pct(row["promoters"] - row["detractors"], n)
    return row


def nps(merchant: Merchant, start, end) -> dict:
    """{"responses", "promoters", "passives", "detractors", "nps"} for the period (nps None if no responses)."""
    return _with_nps(_responses(merchant, start, end).aggregate(**_nps_counts()))


def nps_total(rows: list[dict]) -> dict:
    """The overall NPS from any complete grouping's rows (each response is in exactly one group),
    so the dashboard need not scan the responses once more."""
    keys = ("responses", "promoters", "detractors")
    return _with_nps({k: sum(r[k] for r in rows) for k in keys})


def _grouped(merchant, start, end, key: str, expression=None) -> list[dict]:
    qs = _responses(merchant, start, end)
    if expression is not None:
        qs = qs.annotate(**{key: expression})
    rows = qs.values(key).annotate(**_nps_counts()).order_by(key)
    return [_with_nps(dict(row)) for row in rows]


def nps_by_week(merchant: Merchant, start, end) -> list[dict]:
    """NPS per ISO week (Monday start, merchant's time zone) of answered_at. Key ``week`` (a date)."""
    tz = zoneinfo.ZoneInfo(merchant.timezone)
    rows = _grouped(merchant, start, end, "week", TruncWeek("answered_at", tzinfo=tz))
    for row in rows:
        week = row["week"]
        row["week"] = week.astimezone(tz).date() if hasattr(week, "astimezone") else week
    return rows


def nps_by_carrier(merchant: Merchant, start, end) -> list[dict]:
    """NPS per carrier of the parcel that completed the order (Survey.carrier). Key ``carrier``."""
    return [{"carrier": r.pop("survey__carrier"), **r} for r in _grouped(merchant, start, end, "survey__carrier")]


def nps_by_lane(merchant: Merchant, start, end) -> list[dict]:
    """NPS per lane "origin country→destination country" of that parcel. Key ``lane``."""
    return [{"lane": r.pop("survey__lane"), **r} for r in _grouped(merchant, start, end, "survey__lane")]


def nps_by_delivery(merchant: Merchant, start, end) -> list[dict]:
    """NPS for on-time vs late deliveries (feedback.delivery's definition, copied onto the survey at
    scheduling). Key ``delivery``: "on_time", "late" or "unknown" (no promised/estimated date)."""
    labels = {True: "on_time", False: "late", None: "unknown"}
    rows = _grouped(merchant, start, end, "survey__on_time")
    out = [{"delivery": labels[r.pop("survey__on_time")], **r} for r in rows]
    order = list(labels.values())
    return sorted(out, key=lambda r: order.index(r["delivery"]))


def score_distribution(merchant: Merchant, start, end) -> list[dict]:
    """How many responses gave each score 0..10 (all eleven rows, zeros included)."""
    counts = dict(_responses(merchant, start, end).values_list("score").annotate(n=Count("id")).order_by())
    return [{"score": s, "responses": counts.get(s, 0)} for s in range(11)]


def csat(merchant: Merchant, start, end) -> dict:
    """CSAT = % of ratings that are 4 or 5, among the 1–5 ratings given (unanswered ratings excluded).

    Per dimension (delivery, product, packaging) and ``overall`` = all ratings of all three pooled.
    Returns {"delivery": {"rated", "satisfied", "csat"}, …, "overall": {…}}.
    """
    aggregates = {}
    for field in RATINGS:
        aggregates[f"{field}__rated"] = Count("id", filter=Q(**{f"{field}__isnull": False}))
        aggregates[f"{field}__satisfied"] = Count("id", filter=Q(**{f"{field}__gte": SATISFIED_MIN}))
    counts = _responses(merchant, start, end).aggregate(**aggregates)
    out = {}
    for field in RATINGS:
        rated, satisfied = counts[f"{field}__rated"], counts[f"{field}__satisfied"]
        out[field.removesuffix("_rating")] = {"rated": rated, "satisfied": satisfied, "csat": pct(satisfied, rated)}
    rated = sum(v["rated"] for v in out.values())
    satisfied = sum(v["satisfied"] for v in out.values())
    out["overall"] = {"rated": rated, "satisfied": satisfied, "csat": pct(satisfied, rated)}
    return out


def response_rate(merchant: Merchant, start, end) -> dict:
    """Response rate = surveys sent in the period that have a response (whenever answered) / surveys
    sent in the period × 100. Surveys answered on the tracking page before their email was due are
    never "sent" and are not in this rate. Returns {"sent", "answered", "rate"}."""
    counts = Survey.objects.filter(merchant=merchant, sent_at__gte=start, sent_at__lt=end).aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(response__isnull=False)))
    return {**counts, "rate": pct(counts["answered"], counts["sent"])}


def latest_comments(merchant: Merchant, start, end, limit: int = 20) -> list[dict]:
    """The newest non-empty reasons in the period (raw text: templates escape it)."""
    rows = (_responses(merchant, start, end).exclude(reason="").order_by("-answered_at", "-id")
            .values("answered_at", "score", "reason", "survey__order__number", "survey__carrier")[:limit])
    return [{"answered_at": r["answered_at"], "score": r["score"], "order": r["survey__order__number"],
             "carrier": r["survey__carrier"], "reason": r["reason"]} for r in rows]

"""Feedback, retention and delivery metrics for one merchant and one period.

Every function takes ``merchant`` and a half-open period ``[start, end)`` of aware datetimes and is
computed by the database (aggregate queries; no Python loop over orders or responses). Percentages
are floats rounded to one decimal for display, or None when the denominator is zero ("no data" is
not 0 %). Exact definitions are in each function's docstring; tests check them against small
hand-computed tables.
"""
from feedback.metrics.customers import CustomerMetrics, customer_metrics
from feedback.metrics.delivery import delivery_by_carrier, delivery_summary, delivery_total, return_rate
from feedback.metrics.surveys import (
    csat,
    latest_comments,
    nps,
    nps_by_carrier,
    nps_by_delivery,
    nps_by_lane,
    nps_by_week,
    nps_total,
    response_rate,
    score_distribution,
)

__all__ = [
    "CustomerMetrics",
    "csat",
    "customer_metrics",
    "delivery_by_carrier",
    "delivery_summary",
    "delivery_total",
    "latest_comments",
    "nps",
    "nps_by_carrier",
    "nps_by_delivery",
    "nps_by_lane",
    "nps_by_week",
    "nps_total",
    "response_rate",
    "return_rate",
    "score_distribution",
]

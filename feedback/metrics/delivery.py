"""Delivery performance and returns, from tracking's data (feedback never reads the returns app).

* Population for on-time / EDD: the merchant's outbound parcels (``is_return=False``) delivered in the
  period (``delivered_at`` in ``[start, end)``).
* On-time delivery rate = parcels delivered on or before their reference date / parcels that have a
  reference date × 100 (reference = promised, else carrier, else predicted delivery date; delivery day
  in the merchant's time zone — see feedback.delivery).
* EDD accuracy (inside-window rate) = parcels delivered inside the window shown at ship time / parcels
  that had such a window × 100.
* Return rate = orders placed in the period that have at least one return parcel
  (``Shipment.is_return=True``) / orders placed in the period × 100.
"""
from __future__ import annotations

from django.db.models import Count

from tracking.models import Merchant, Order, Shipment

from feedback import delivery
from feedback.metrics._common import pct


def _delivered(merchant: Merchant, start, end):
    return (Shipment.objects.filter(merchant=merchant, is_return=False, delivered_at__gte=start,
                                    delivered_at__lt=end)
            .annotate(**delivery.shipment_aliases(merchant.timezone)))


_COUNTS = {
    "delivered": Count("id"),
    "on_time_known": Count("id", filter=delivery.ON_TIME_KNOWN),
    "on_time": Count("id", filter=delivery.ON_TIME),
    "edd_known": Count("id", filter=delivery.EDD_KNOWN),
    "edd_hit": Count("id", filter=delivery.EDD_HIT),
}


def _rates(row: dict) -> dict:
    row["on_time_rate"] = pct(row["on_time"], row["on_time_known"])
    row["edd_accuracy"] = pct(row["edd_hit"], row["edd_known"])
    return row


def delivery_summary(merchant: Merchant, start, end) -> dict:
    """{"delivered", "on_time_known", "on_time", "on_time_rate", "edd_known", "edd_hit", "edd_accuracy"}."""
    return _rates(_delivered(merchant, start, end).aggregate(**_COUNTS))


def delivery_by_carrier(merchant: Merchant, start, end) -> list[dict]:
    """The same counts and rates per carrier slug (key ``carrier``)."""
    rows = _delivered(merchant, start, end).values("carrier").annotate(**_COUNTS).order_by("carrier")
    return [_rates(dict(r)) for r in rows]


def delivery_total(rows: list[dict]) -> dict:
    """delivery_summary from delivery_by_carrier's rows (every parcel has exactly one carrier)."""
    return _rates({k: sum(r[k] for r in rows) for k in _COUNTS})


def return_rate(merchant: Merchant, start, end) -> dict:
    """{"orders", "returned", "rate"} for orders placed in the period."""
    orders = Order.objects.filter(merchant=merchant, placed_at__gte=start, placed_at__lt=end).count()
    # Distinct orders reached from the (few) return parcels: cheaper than an EXISTS per order.
    returned = (Shipment.objects.filter(merchant=merchant, is_return=True, order__placed_at__gte=start,
                                        order__placed_at__lt=end)
                .aggregate(n=Count("order_id", distinct=True))["n"])
    return {"orders": orders, "returned": returned, "rate": pct(returned, orders)}

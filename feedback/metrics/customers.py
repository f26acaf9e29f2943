"""Customer retention, churn, repeat purchase and lifetime value.

Definitions (W = the merchant's ``SurveySettings.active_window_days``; period = [start, end)):

* A customer *exists* from their first order (``min(placed_at)``), not from when the row was made.
* A customer is *active at instant t* if they placed an order in ``[t − W, t)``.
* Everything about retention is measured on the start cohort: S = customers active at ``start``;
  retained = those of S still active at ``end``; lost = those of S not active at ``end``
  (retained + lost = S).
* Retention rate CRR = retained / S × 100; churn rate = 100 − CRR = lost / S × 100. Both lie in
  [0, 100] and add up to exactly 100 (churn is computed from the rounded CRR, so the two figures
  shown add up too).
* The textbook formula CRR = (E − N) / S gives the same number when E = customers active at ``end``
  and N = customers active at ``end`` who were not active at ``start`` (first-time buyers and lapsed
  customers who came back): E − N is then exactly "retained". Counting only first-time buyers as N
  (the usual reading) lets E − N go negative — new buyers who already lapsed again are in N but
  not in E — or above S, so Doorstep uses the cohort form and reports E and N alongside it.
  ``first_time`` = customers whose first order falls in ``[start, end)``.
* Repeat-purchase rate = customers with ≥ 2 orders in the period / customers with ≥ 1 order in the
  period × 100.
* AOV (average order value) = sum(Order.total) / number of orders placed in the period, over the
  orders in the merchant's currency (orders in other currencies are left out, never converted).
* Purchase frequency = orders in the period (any currency) / distinct customers who ordered in the
  period (orders per customer per period).
* Average customer lifespan, in periods = 1 / (churn rate / 100): with a constant churn of c per
  period a customer stays on average 1/c periods. Unknown (None) when churn is 0 or S is 0.
* CLV = AOV × purchase frequency × lifespan — money per customer in the merchant's currency,
  as a Decimal rounded to the currency's minor unit.

All of it comes from ONE query: orders up to ``end`` grouped by customer inside a subquery, summed
outside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Min, Q, Sum, Value, When

from tracking.models import Merchant, Order
from tracking.money import quantize

from feedback.selectors import survey_settings_for
from feedback.metrics._common import pct


@dataclass(frozen=True)
class CustomerMetrics:
    window_days: int
    active_at_start: int  # S
    active_at_end: int  # E
    new_customers: int  # N: active at end, not at start (first-time buyers and returning lapsed customers)
    retained: int  # of S, still active at end  (= E − N)
    lost: int  # of S, not active at end  (= S − retained)
    first_time: int  # first order inside the period
    retention_rate: float | None
    churn_rate: float | None
    buyers: int
    repeat_buyers: int
    repeat_purchase_rate: float | None
    orders: int
    revenue: Decimal
    currency: str
    aov: Decimal | None
    purchase_frequency: float | None
    lifespan_periods: float | None
    clv: Decimal | None


def _flag(condition: Q):
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def customer_metrics(merchant: Merchant, start, end, *, window_days: int | None = None) -> CustomerMetrics:
    window = timedelta(days=window_days or survey_settings_for(merchant).active_window_days)
    in_period = Q(placed_at__gte=start, placed_at__lt=end)
    same_currency = Q(currency=merchant.currency)
    per_customer = (
        Order.objects.filter(merchant=merchant, placed_at__lt=end)
        .values("customer_id")
        .annotate(
            first_order=Min("placed_at"),
            n_start=Count("id", filter=Q(placed_at__gte=start - window, placed_at__lt=start)),
            n_end=Count("id", filter=Q(placed_at__gte=end - window, placed_at__lt=end)),
            n_period=Count("id", filter=in_period),
            n_period_money=Count("id", filter=in_period & same_currency),
            revenue_period=Sum("total", filter=in_period & same_currency),
        )
        .annotate(
            is_s=_flag(Q(n_start__gt=0)),
            is_e=_flag(Q(n_end__gt=0)),
            is_n=_flag(Q(n_start=0, n_end__gt=0)),
            is_retained=_flag(Q(n_start__gt=0, n_end__gt=0)),
            is_lost=_flag(Q(n_start__gt=0, n_end=0)),
            is_first_time=_flag(Q(first_order__gte=start)),
            is_buyer=_flag(Q(n_period__gt=0)),
            is_repeat=_flag(Q(n_period__gt=1)),
        )
    )
    totals = per_customer.aggregate(
        S=Sum("is_s"), E=Sum("is_e"), N=Sum("is_n"), retained=Sum("is_retained"), lost=Sum("is_lost"),
        first_time=Sum("is_first_time"), buyers=Sum("is_buyer"),
        repeat=Sum("is_repeat"), orders=Sum("n_period"), priced_orders=Sum("n_period_money"),
        revenue=Sum("revenue_period"),
    )
    S, E, N, retained, lost, first_time = (totals[k] or 0 for k in ("S", "E", "N", "retained", "lost", "first_time"))
    buyers, repeat, orders, priced = (totals[k] or 0 for k in ("buyers", "repeat", "orders", "priced_orders"))
    revenue = totals["revenue"] or Decimal("0")
    retention = pct(retained, S)
    churn = None if retention is None else round(100.0 - retention, 1)
    aov = quantize(revenue / priced, merchant.currency) if priced else None
    frequency = round(orders / buyers, 3) if buyers else None
    lifespan = round(100.0 / churn, 3) if churn else None
    clv = None
    if aov is not None and frequency is not None and lifespan is not None:
        # Decimal all the way: frequency and lifespan are ratios of counts, exact as Decimal fractions.
        clv = quantize(revenue / priced * (Decimal(orders) / Decimal(buyers)) * (Decimal(S) / Decimal(lost)),
                       merchant.currency)
    return CustomerMetrics(
        window_days=window.days, active_at_start=S, active_at_end=E, new_customers=N, retained=retained, lost=lost,
        first_time=first_time, retention_rate=retention, churn_rate=churn, buyers=buyers, repeat_buyers=repeat,
        repeat_purchase_rate=pct(repeat, buyers), orders=orders, revenue=revenue, currency=merchant.currency,
        aov=aov, purchase_frequency=frequency, lifespan_periods=lifespan, clv=clv,
    )

"""Staff reports: database aggregates over one merchant's returns, over a staff member's merchants, or
over all (a superuser's overview)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Iterable

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from tracking.models import OrderLine

from returns.models import Refund, ReturnLine, ReturnRequest, ReturnStatus

# Claims (lost, damaged…) are the carrier's or the warehouse's doing, not returns: not counted here.
COUNTED = ~Q(return_request__status=ReturnStatus.REJECTED) & Q(return_request__kind="return")


def _rate(returned, sold) -> Decimal:
    return (Decimal(returned or 0) * 100 / Decimal(sold)).quantize(Decimal("0.1")) if sold else Decimal("0")


def _merchants(path: str, merchant_id, merchant_ids) -> Q:
    scope = Q(**{path: merchant_id}) if merchant_id else Q()
    if merchant_ids is not None:
        scope &= Q(**{f"{path}__in": merchant_ids})
    return scope


def return_report(*, merchant_id: int | None = None, merchant_ids: Iterable[int] | None = None,
                  days: int = 90) -> dict:
    """One merchant (``merchant_id``), or the merchants in ``merchant_ids``, or (neither) every merchant."""
    since = timezone.now() - timedelta(days=days)
    scope = Q(order__placed_at__gte=since) & _merchants("order__merchant_id", merchant_id, merchant_ids)
    sold_lines = OrderLine.objects.filter(scope).exclude(order__source="exchange")
    rline_scope = Q(order_line__order__placed_at__gte=since) & COUNTED & _merchants(
        "return_request__merchant_id", merchant_id, merchant_ids)
    returned_lines = ReturnLine.objects.filter(rline_scope)

    sold_by_product = {r["variant__product_id"]: r for r in sold_lines.values(
        "variant__product_id", "variant__product__title", "variant__product__category").annotate(sold=Sum("quantity"))}
    returned_by_product = dict(returned_lines.values_list("order_line__variant__product_id").annotate(q=Sum("quantity")))
    by_product = sorted(
        ({"title": row["variant__product__title"], "category": row["variant__product__category"], "sold": row["sold"],
          "returned": returned_by_product.get(pid, 0), "rate": _rate(returned_by_product.get(pid, 0), row["sold"])}
         for pid, row in sold_by_product.items()),
        key=lambda r: (-r["rate"], r["title"]))

    sold_by_cat = dict(sold_lines.values_list("variant__product__category").annotate(q=Sum("quantity")))
    returned_by_cat = dict(returned_lines.values_list("order_line__variant__product__category").annotate(q=Sum("quantity")))
    by_category = sorted(({"category": c, "sold": s, "returned": returned_by_cat.get(c, 0),
                           "rate": _rate(returned_by_cat.get(c, 0), s)} for c, s in sold_by_cat.items()),
                         key=lambda r: -r["rate"])
    total_returned = sum(returned_by_cat.values())
    by_reason = [
        {**row, "share": _rate(row["units"], total_returned)}
        for row in returned_lines.values("return_request__reason_code", "return_request__reason_label")
        .annotate(returns=Count("return_request", distinct=True), units=Sum("quantity")).order_by("-units")
    ]

    returns = ReturnRequest.objects.filter(Q(created_at__gte=since, kind="return")
                                           & _merchants("merchant_id", merchant_id, merchant_ids))
    refunds = Refund.objects.filter(Q(created_at__gte=since, status=Refund.Status.SUCCEEDED,
                                      return_request__kind="return")
                                    & _merchants("merchant_id", merchant_id, merchant_ids))
    money = refunds.aggregate(
        refunded=Sum("amount", filter=Q(kind=Refund.Kind.PAYMENT)),
        credited=Sum("amount", filter=Q(kind=Refund.Kind.STORE_CREDIT)),
    )
    exchanged = returns.filter(status=ReturnStatus.EXCHANGED).aggregate(v=Sum("items_total"))["v"] or Decimal("0")
    duration = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    timing = returns.filter(resolved_at__isnull=False).aggregate(avg=Avg(duration), n=Count("id"))
    refunded = money["refunded"] or Decimal("0")
    credited = money["credited"] or Decimal("0")
    kept = credited + exchanged
    return {
        "days": days,
        "by_product": by_product,
        "by_category": by_category,
        "by_reason": by_reason,
        "refunded": refunded,
        "credited": credited,
        "exchanged": exchanged,
        "kept": kept,
        "kept_share": _rate(kept, kept + refunded) if (kept + refunded) else Decimal("0"),
        "avg_to_resolution": timing["avg"],
        "resolved_count": timing["n"],
        "currency_mixed": not merchant_id and (merchant_ids is None or len(set(merchant_ids)) > 1),
    }

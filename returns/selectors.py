"""Reads shared by the shopper pages, admin and API. Every query is scoped to one merchant."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from tracking.carriers import status as st
from tracking.models import Customer, Order, OrderLine, ProductVariant, ShipmentLine

from returns.policy import engine
from returns.models import (
    RefundTiming,
    ReturnLine,
    ReturnPolicy,
    ReturnRequest,
    ReturnStatus,
    StoreCreditEntry,
)

# Statuses whose quantities no longer count as "already returned".
RELEASED = (ReturnStatus.REJECTED,)


def rules_from_policy(policy: ReturnPolicy) -> engine.Rules:
    return engine.Rules(
        window_days=policy.window_days,
        max_items_per_return=policy.max_items_per_return,
        restocking_fee_percent=policy.restocking_fee_percent,
        return_shipping_fee=policy.return_shipping_fee,
        store_credit_bonus_percent=policy.store_credit_bonus_percent,
        auto_approve=policy.auto_approve,
        auto_approve_max_order_value=policy.auto_approve_max_order_value,
        auto_approve_max_return_rate=policy.auto_approve_max_return_rate,
        categories={
            rule.category: engine.CategoryOverride(
                returnable=rule.returnable, window_days=rule.window_days,
                restocking_fee_percent=rule.restocking_fee_percent, return_shipping_fee=rule.return_shipping_fee,
            )
            for rule in policy.category_rules.all()
        },
        reasons={
            reason.code: engine.ReasonRule(
                code=reason.code, waive_restocking_fee=reason.waive_restocking_fee,
                waive_shipping_fee=reason.waive_shipping_fee, photo_required=reason.photo_required,
            )
            for reason in policy.reasons.filter(is_active=True)
        },
    )


def returned_quantities(order: Order, *, exclude_return_id: int | None = None) -> dict[int, int]:
    lines = ReturnLine.objects.filter(return_request__order=order).exclude(return_request__status__in=RELEASED)
    if exclude_return_id:
        lines = lines.exclude(return_request_id=exclude_return_id)
    rows = lines.values("order_line_id").annotate(q=Sum("quantity"))
    return {row["order_line_id"]: row["q"] for row in rows}


def order_facts(order: Order, *, lines: list[OrderLine] | None = None) -> engine.OrderFacts:
    """What the policy engine needs to know about an order, from its lines (``lines`` when the
    caller already read them), parcels and returns."""
    if lines is None:
        lines = list(order.lines.select_related("variant__product"))
    outbound = list(order.shipments.filter(is_return=False))
    returned = returned_quantities(order)
    delivered_qty: dict[int, int] = {}
    delivered_at = None
    tracked = bool(outbound)
    if outbound:
        delivered = [s for s in outbound if s.status == st.DELIVERED]
        delivered_at = max((s.delivered_at for s in delivered if s.delivered_at), default=None)
        has_lines = ShipmentLine.objects.filter(shipment__in=outbound).exists()
        if has_lines:
            for row in (ShipmentLine.objects.filter(shipment__in=delivered).values("order_line_id")
                        .annotate(q=Sum("quantity"))):
                delivered_qty[row["order_line_id"]] = row["q"]
        elif len(delivered) == len(outbound):
            delivered_qty = {line.pk: line.quantity for line in lines}
        else:
            delivered_at = None  # some parcels without line detail are still on their way
    else:
        delivered_qty = {line.pk: line.quantity for line in lines}
    return engine.OrderFacts(
        placed_at=order.placed_at,
        total=order.total,
        currency=order.currency,
        delivery_tracked=tracked,
        delivered_at=delivered_at,
        lines=tuple(
            engine.LineFacts(
                order_line_id=line.pk,
                category=line.variant.product.category,
                unit_price=line.unit_price,
                ordered_quantity=line.quantity,
                delivered_quantity=delivered_qty.get(line.pk, 0),
                returned_quantity=returned.get(line.pk, 0),
                variant_returnable=line.variant.returnable,
                final_sale=line.variant.final_sale,
            )
            for line in lines
        ),
    )


@dataclass(frozen=True)
class LineView:
    line: OrderLine
    verdict: engine.LineVerdict

    @property
    def why_not(self) -> str:
        return engine.describe(self.verdict.code, self.verdict.params)


def order_eligibility(order: Order, policy: ReturnPolicy, *, now=None):
    """(rules, facts, verdicts by order line id, [LineView]) for the order's lines."""
    rules = rules_from_policy(policy)
    lines = list(order.lines.select_related("variant__product"))
    facts = order_facts(order, lines=lines)
    verdicts = engine.evaluate_lines(rules, facts, now=now or timezone.now())
    views = [LineView(line, verdicts[line.pk]) for line in lines]
    return rules, facts, verdicts, views


def customer_return_rate(customer: Customer, *, exclude_order: Order | None = None) -> Decimal:
    """Percent of the items this customer ordered from the merchant that they sent back (before now)."""
    orders = Order.objects.filter(merchant_id=customer.merchant_id, customer=customer)
    ordered = OrderLine.objects.filter(order__in=orders).aggregate(q=Sum("quantity"))["q"] or 0
    returned_lines = ReturnLine.objects.filter(
        return_request__merchant_id=customer.merchant_id, return_request__customer=customer
    ).exclude(return_request__status__in=RELEASED).exclude(return_request__kind="claim")  # claims: not the shopper's doing
    if exclude_order is not None:
        returned_lines = returned_lines.exclude(return_request__order=exclude_order)
    returned = returned_lines.aggregate(q=Sum("quantity"))["q"] or 0
    if not ordered:
        return Decimal("0")
    return (Decimal(returned) * 100 / Decimal(ordered)).quantize(Decimal("0.01"))


def exchange_options(line: OrderLine) -> list[ProductVariant]:
    """Other variants of the same product, in stock, in the order's currency."""
    return list(
        ProductVariant.objects.filter(merchant_id=line.order.merchant_id, product_id=line.variant.product_id,
                                      currency=line.order.currency, stock__gt=0)
        .exclude(pk=line.variant_id).order_by("price", "sku")
    )


def store_credit_balance(customer: Customer) -> Decimal:
    sums = {row["kind"]: row["total"] for row in StoreCreditEntry.objects.filter(
        merchant_id=customer.merchant_id, account__customer=customer).values("kind").annotate(total=Sum("amount"))}
    issued = sums.get(StoreCreditEntry.Kind.ISSUED) or Decimal("0")
    spent = (sums.get(StoreCreditEntry.Kind.SPENT) or Decimal("0")) + (sums.get(StoreCreditEntry.Kind.EXPIRED)
                                                                       or Decimal("0"))
    return issued - spent


def customer_returns(customer: Customer):
    return ReturnRequest.objects.filter(merchant_id=customer.merchant_id, customer=customer).order_by("-created_at")


def _add_business_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def expected_refund_date(rr: ReturnRequest, policy: ReturnPolicy) -> date | None:
    """When the shopper should see their money: the moment the merchant's timing releases it, plus
    the card network's delay. Credit arrives instantly when released. None once there is nothing to pay."""
    if rr.status in (ReturnStatus.REJECTED, ReturnStatus.CLOSED) or rr.refund_amount <= 0:
        return None
    succeeded = rr.refunds.filter(status="succeeded").order_by("completed_at").first()
    arrival = 0 if rr.resolution != "refund" else settings.DOORSTEP_REFUND_ARRIVAL_DAYS
    if succeeded is not None and succeeded.completed_at:
        return _add_business_days(timezone.localdate(succeeded.completed_at), arrival)
    if rr.kind == "claim":  # no parcel to wait for: the money goes once the claim is approved
        return _add_business_days(timezone.localdate(), arrival) if rr.status == ReturnStatus.APPROVED else None
    # Not released yet: expected release = the stage the policy waits for, estimated from now.
    today = timezone.localdate()
    transit = 3 if rr.status in (ReturnStatus.REQUESTED, ReturnStatus.APPROVED) else 0
    wait = {RefundTiming.FIRST_SCAN: 1 if rr.status in (ReturnStatus.REQUESTED, ReturnStatus.APPROVED) else 0,
            RefundTiming.ON_RECEIPT: transit,
            RefundTiming.AFTER_INSPECTION: transit + (0 if rr.status == ReturnStatus.INSPECTED else 2)}[
        policy.refund_timing]
    return _add_business_days(today, wait + arrival)


def return_has_photos(rr: ReturnRequest) -> bool:
    return rr.photos.exists()


def returns_for_merchant(merchant_id: int):
    return ReturnRequest.objects.filter(merchant_id=merchant_id)


def lookup_return_for_order(order: Order):
    return ReturnRequest.objects.filter(merchant_id=order.merchant_id, order=order).filter(~Q(status="rejected"))

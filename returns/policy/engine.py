"""The return-policy engine: pure functions over plain dataclasses (no database, no clock).

``evaluate_lines`` says, per order line, whether it can be returned and — if not — why.
``quote`` prices a chosen return (fees, waivers, refund or credit, exchange difference).
``decide_approval`` chooses auto-approval or manual review and says why.
Every verdict carries machine codes plus params, so it is stored as JSON on the return and rendered
in the shopper's language later (``describe``).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Mapping

from django.utils.translation import gettext as _

from tracking.money import quantize

# Why a line cannot be returned.
FINAL_SALE = "final_sale"
NOT_RETURNABLE = "not_returnable"
CATEGORY_NOT_RETURNABLE = "category_not_returnable"
NOT_DELIVERED = "not_delivered"
OUTSIDE_WINDOW = "outside_window"
ALREADY_RETURNED = "already_returned"

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class CategoryOverride:
    returnable: bool = True
    window_days: int | None = None
    restocking_fee_percent: Decimal | None = None
    return_shipping_fee: Decimal | None = None


@dataclass(frozen=True)
class ReasonRule:
    code: str
    waive_restocking_fee: bool = False
    waive_shipping_fee: bool = False
    photo_required: bool = False


@dataclass(frozen=True)
class Rules:
    window_days: int = 30
    max_items_per_return: int = 10
    restocking_fee_percent: Decimal = Decimal("0")
    return_shipping_fee: Decimal = Decimal("0")
    store_credit_bonus_percent: Decimal = Decimal("0")
    auto_approve: bool = True
    auto_approve_max_order_value: Decimal = Decimal("0")
    auto_approve_max_return_rate: Decimal = Decimal("0")
    categories: Mapping[str, CategoryOverride] = field(default_factory=dict)
    reasons: Mapping[str, ReasonRule] = field(default_factory=dict)


@dataclass(frozen=True)
class LineFacts:
    order_line_id: int
    category: str
    unit_price: Decimal
    ordered_quantity: int
    delivered_quantity: int  # equals ordered when delivery is not tracked
    returned_quantity: int  # already in other (non-rejected) returns
    variant_returnable: bool = True
    final_sale: bool = False


@dataclass(frozen=True)
class OrderFacts:
    placed_at: datetime
    total: Decimal
    currency: str
    delivery_tracked: bool  # the order has outbound shipments we follow
    delivered_at: datetime | None  # latest delivery of the order's parcels, if any delivered
    lines: tuple[LineFacts, ...]


@dataclass(frozen=True)
class LineVerdict:
    order_line_id: int
    eligible: bool
    max_quantity: int
    code: str = ""  # why not, when not eligible
    params: dict = field(default_factory=dict)
    window_ends: str = ""  # ISO datetime
    restocking_fee_percent: Decimal = Decimal("0")
    return_shipping_fee: Decimal = Decimal("0")

    def as_json(self) -> dict:
        data = asdict(self)
        data["restocking_fee_percent"] = str(self.restocking_fee_percent)
        data["return_shipping_fee"] = str(self.return_shipping_fee)
        return data


def _category(rules: Rules, category: str) -> CategoryOverride:
    return rules.categories.get(category) or CategoryOverride()


def evaluate_lines(rules: Rules, order: OrderFacts, *, now: datetime) -> dict[int, LineVerdict]:
    verdicts = {}
    for line in order.lines:
        override = _category(rules, line.category)
        window = override.window_days if override.window_days is not None else rules.window_days
        restocking = (override.restocking_fee_percent if override.restocking_fee_percent is not None
                      else rules.restocking_fee_percent)
        shipping = (override.return_shipping_fee if override.return_shipping_fee is not None
                    else rules.return_shipping_fee)
        start = order.delivered_at if order.delivery_tracked else order.placed_at
        window_ends = start + timedelta(days=window) if start is not None else None
        remaining = min(line.delivered_quantity, line.ordered_quantity) - line.returned_quantity
        code, params = "", {}
        if line.final_sale:
            code = FINAL_SALE
        elif not line.variant_returnable:
            code = NOT_RETURNABLE
        elif not override.returnable:
            code, params = CATEGORY_NOT_RETURNABLE, {"category": line.category}
        elif line.returned_quantity > 0 and remaining <= 0:
            code = ALREADY_RETURNED
        elif line.delivered_quantity <= 0 or window_ends is None:
            code = NOT_DELIVERED
        elif now > window_ends:
            code, params = OUTSIDE_WINDOW, {"days": window, "ended": window_ends.date().isoformat()}
        verdicts[line.order_line_id] = LineVerdict(
            order_line_id=line.order_line_id,
            eligible=not code,
            max_quantity=max(remaining, 0) if not code else 0,
            code=code,
            params=params,
            window_ends=window_ends.isoformat() if window_ends else "",
            restocking_fee_percent=restocking,
            return_shipping_fee=shipping,
        )
    return verdicts


def describe(code: str, params: Mapping | None = None) -> str:
    """The shopper-facing explanation of a verdict code, in the active language."""
    params = params or {}
    messages = {
        FINAL_SALE: _("Final sale items can't be returned."),
        NOT_RETURNABLE: _("This item can't be returned."),
        CATEGORY_NOT_RETURNABLE: _("Items in this category can't be returned."),
        NOT_DELIVERED: _("Not delivered yet: you can return it once it arrives."),
        OUTSIDE_WINDOW: _("The %(days)s-day return window ended on %(ended)s.") % {
            "days": params.get("days", ""), "ended": params.get("ended", "")},
        ALREADY_RETURNED: _("Already returned."),
    }
    return messages.get(code, code)


# --- Pricing a return ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ChosenLine:
    order_line_id: int
    quantity: int
    exchange_unit_price: Decimal | None = None  # set for exchanges


@dataclass(frozen=True)
class Quote:
    currency: str
    items_total: Decimal
    restocking_fee: Decimal
    shipping_fee: Decimal
    refund_amount: Decimal  # to the payment method, or credit before the bonus
    credit_bonus: Decimal
    exchange_difference: Decimal  # >0 shopper pays, <0 owed to the shopper
    waived: tuple[str, ...] = ()

    @property
    def credit_total(self) -> Decimal:
        return self.refund_amount + self.credit_bonus

    def as_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}


class QuoteError(ValueError):
    """The chosen lines break the policy. ``code`` says which rule."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def quote(rules: Rules, order: OrderFacts, verdicts: Mapping[int, LineVerdict], chosen: list[ChosenLine], *,
          reason_code: str, resolution: str) -> Quote:
    """Price a return. Raises QuoteError when a chosen line is not returnable or over its quantity."""
    if not chosen:
        raise QuoteError("empty", _("Choose at least one item to return."))
    if reason_code not in rules.reasons:
        raise QuoteError("reason", _("Choose a reason from the list."))
    total_items = sum(c.quantity for c in chosen)
    if total_items > rules.max_items_per_return:
        raise QuoteError("max_items", _("You can return at most %(n)s items at once.") % {
            "n": rules.max_items_per_return})
    facts = {line.order_line_id: line for line in order.lines}
    currency = order.currency
    items_total = restocking = Decimal("0")
    shipping = Decimal("0")
    difference = Decimal("0")
    for choice in chosen:
        verdict = verdicts.get(choice.order_line_id)
        if verdict is None or choice.order_line_id not in facts:
            raise QuoteError("foreign_line", _("That item is not part of this order."))
        if not verdict.eligible:
            raise QuoteError("not_eligible", describe(verdict.code, verdict.params))
        if choice.quantity <= 0 or choice.quantity > verdict.max_quantity:
            raise QuoteError("quantity", _("You can return at most %(n)s of this item.") % {
                "n": verdict.max_quantity})
        line_total = facts[choice.order_line_id].unit_price * choice.quantity
        items_total += line_total
        restocking += line_total * verdict.restocking_fee_percent / HUNDRED
        # One parcel: the dearest shipping fee among the lines applies once.
        shipping = max(shipping, verdict.return_shipping_fee)
        if resolution == "exchange":
            if choice.exchange_unit_price is None:
                raise QuoteError("exchange_variant", _("Choose the replacement for each item."))
            difference += (choice.exchange_unit_price - facts[choice.order_line_id].unit_price) * choice.quantity
    reason = rules.reasons[reason_code]
    waived = []
    if reason.waive_restocking_fee or resolution == "exchange":
        waived.append("restocking_fee")
        restocking = Decimal("0")
    if reason.waive_shipping_fee or resolution == "exchange":
        waived.append("shipping_fee")
        shipping = Decimal("0")
    restocking = quantize(restocking, currency)
    shipping = quantize(shipping, currency)
    if resolution == "exchange":
        refund_amount = quantize(max(-difference, Decimal("0")), currency)
        bonus = Decimal("0")
    else:
        refund_amount = quantize(max(items_total - restocking - shipping, Decimal("0")), currency)
        bonus = (quantize(refund_amount * rules.store_credit_bonus_percent / HUNDRED, currency)
                 if resolution == "store_credit" else Decimal("0"))
    return Quote(currency=currency, items_total=quantize(items_total, currency), restocking_fee=restocking,
                 shipping_fee=shipping, refund_amount=refund_amount, credit_bonus=bonus,
                 exchange_difference=quantize(difference, currency), waived=tuple(waived))


# --- Approval --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Approval:
    auto: bool
    reasons: tuple[str, ...]  # codes: auto_approve_off, order_value_over, return_rate_over, within_limits

    def as_json(self) -> dict:
        return {"auto": self.auto, "reasons": list(self.reasons)}


def decide_approval(rules: Rules, *, order_total: Decimal, customer_return_rate: Decimal) -> Approval:
    """Auto-approve when the order value is under X AND the customer's return rate is under Y."""
    if not rules.auto_approve:
        return Approval(False, ("auto_approve_off",))
    reasons = []
    if order_total >= rules.auto_approve_max_order_value:
        reasons.append("order_value_over")
    if customer_return_rate >= rules.auto_approve_max_return_rate:
        reasons.append("return_rate_over")
    if reasons:
        return Approval(False, tuple(reasons))
    return Approval(True, ("within_limits",))

"""Table tests for the pure policy engine (no database)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from returns.policy import engine

NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
REASONS = {
    "changed_mind": engine.ReasonRule("changed_mind"),
    "damaged": engine.ReasonRule("damaged", waive_restocking_fee=True, waive_shipping_fee=True, photo_required=True),
}


def rules(**kw):
    base = dict(window_days=30, max_items_per_return=5, restocking_fee_percent=Decimal("10"),
                return_shipping_fee=Decimal("3000"), store_credit_bonus_percent=Decimal("10"),
                auto_approve_max_order_value=Decimal("100000"), auto_approve_max_return_rate=Decimal("30"),
                reasons=REASONS)
    base.update(kw)
    return engine.Rules(**base)


def line(i=1, **kw):
    base = dict(order_line_id=i, category="apparel", unit_price=Decimal("20000"), ordered_quantity=2,
                delivered_quantity=2, returned_quantity=0)
    base.update(kw)
    return engine.LineFacts(**base)


def order(*lines, delivered_days=5, tracked=True, placed_days=10):
    return engine.OrderFacts(placed_at=NOW - timedelta(days=placed_days), total=Decimal("40000"), currency="KRW",
                             delivery_tracked=tracked,
                             delivered_at=NOW - timedelta(days=delivered_days) if delivered_days is not None else None,
                             lines=tuple(lines) or (line(),))


@pytest.mark.parametrize("facts, rule_kw, expected_code, expected_max", [
    (order(line()), {}, "", 2),
    (order(line(final_sale=True)), {}, engine.FINAL_SALE, 0),
    (order(line(variant_returnable=False)), {}, engine.NOT_RETURNABLE, 0),
    (order(line(category="underwear")), {"categories": {"underwear": engine.CategoryOverride(returnable=False)}},
     engine.CATEGORY_NOT_RETURNABLE, 0),
    (order(line(), delivered_days=31), {}, engine.OUTSIDE_WINDOW, 0),
    (order(line(), delivered_days=29), {}, "", 2),
    (order(line(category="shoes"), delivered_days=40), {"categories": {"shoes": engine.CategoryOverride(window_days=60)}},
     "", 2),
    (order(line(delivered_quantity=0), delivered_days=None), {}, engine.NOT_DELIVERED, 0),
    (order(line(returned_quantity=2)), {}, engine.ALREADY_RETURNED, 0),
    (order(line(returned_quantity=1)), {}, "", 1),
    (order(line(delivered_quantity=1)), {}, "", 1),  # split shipment: only what arrived
    # Delivery not tracked: the window runs from the order date.
    (order(line(), tracked=False, delivered_days=None, placed_days=31), {}, engine.OUTSIDE_WINDOW, 0),
    (order(line(), tracked=False, delivered_days=None, placed_days=20), {}, "", 2),
])
def test_line_eligibility(facts, rule_kw, expected_code, expected_max):
    verdict = engine.evaluate_lines(rules(**rule_kw), facts, now=NOW)[1]
    assert verdict.code == expected_code
    assert verdict.eligible is (expected_code == "")
    assert verdict.max_quantity == expected_max
    assert engine.describe(verdict.code, verdict.params) if verdict.code else True


def _quote(chosen, reason="changed_mind", resolution="refund", r=None, facts=None):
    r = r or rules()
    facts = facts or order(line(1), line(2, unit_price=Decimal("10000"), ordered_quantity=1, delivered_quantity=1))
    verdicts = engine.evaluate_lines(r, facts, now=NOW)
    return engine.quote(r, facts, verdicts, chosen, reason_code=reason, resolution=resolution)


@pytest.mark.parametrize("reason, resolution, refund, bonus, restocking, shipping", [
    ("changed_mind", "refund", Decimal("33000"), Decimal("0"), Decimal("4000"), Decimal("3000")),
    ("changed_mind", "store_credit", Decimal("33000"), Decimal("3300"), Decimal("4000"), Decimal("3000")),
    ("damaged", "refund", Decimal("40000"), Decimal("0"), Decimal("0"), Decimal("0")),  # fees waived
])
def test_quote_fees_and_bonus(reason, resolution, refund, bonus, restocking, shipping):
    q = _quote([engine.ChosenLine(1, 2)], reason=reason, resolution=resolution)
    assert (q.refund_amount, q.credit_bonus, q.restocking_fee, q.shipping_fee) == (refund, bonus, restocking, shipping)


def test_exchange_difference_both_ways():
    dearer = _quote([engine.ChosenLine(1, 1, Decimal("25000"))], resolution="exchange")
    assert dearer.exchange_difference == Decimal("5000") and dearer.refund_amount == 0
    cheaper = _quote([engine.ChosenLine(1, 2, Decimal("15000"))], resolution="exchange")
    assert cheaper.exchange_difference == Decimal("-10000") and cheaper.refund_amount == Decimal("10000")
    assert cheaper.restocking_fee == 0 and cheaper.shipping_fee == 0


@pytest.mark.parametrize("chosen, code", [
    ([], "empty"),
    ([engine.ChosenLine(1, 3)], "quantity"),  # more than delivered
    ([engine.ChosenLine(1, 0)], "quantity"),
    ([engine.ChosenLine(99, 1)], "foreign_line"),  # an item from another order
    ([engine.ChosenLine(1, 2), engine.ChosenLine(2, 1)], None),
])
def test_quote_refusals(chosen, code):
    if code is None:
        assert _quote(chosen).items_total == Decimal("50000")
        return
    with pytest.raises(engine.QuoteError) as exc:
        _quote(chosen)
    assert exc.value.code == code


def test_max_items_and_unknown_reason_and_window():
    with pytest.raises(engine.QuoteError) as exc:
        _quote([engine.ChosenLine(1, 2), engine.ChosenLine(2, 1)], r=rules(max_items_per_return=2))
    assert exc.value.code == "max_items"
    with pytest.raises(engine.QuoteError) as exc:
        _quote([engine.ChosenLine(1, 1)], reason="nope")
    assert exc.value.code == "reason"
    with pytest.raises(engine.QuoteError) as exc:
        _quote([engine.ChosenLine(1, 1)], facts=order(line(1), delivered_days=45))
    assert exc.value.code == "not_eligible"


@pytest.mark.parametrize("enabled, total, rate, auto, reasons", [
    (True, Decimal("50000"), Decimal("0"), True, ("within_limits",)),
    (True, Decimal("150000"), Decimal("0"), False, ("order_value_over",)),
    (True, Decimal("50000"), Decimal("45"), False, ("return_rate_over",)),
    (True, Decimal("150000"), Decimal("45"), False, ("order_value_over", "return_rate_over")),
    (False, Decimal("1"), Decimal("0"), False, ("auto_approve_off",)),
])
def test_auto_approval(enabled, total, rate, auto, reasons):
    decision = engine.decide_approval(rules(auto_approve=enabled), order_total=total, customer_return_rate=rate)
    assert decision.auto is auto and decision.reasons == reasons

"""Services: bad input is refused with nothing written; the parcel's scans move the return; exchanges;
tenant isolation; notifications."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from returns.errors import ReturnError
from returns.models import ReturnEvent, ReturnLine, ReturnRequest, ReturnStatus, StoreCreditEntry
from returns.selectors import store_credit_balance
from returns.services import (
    LineInspection,
    RequestedLine,
    return_approve,
    return_inspect,
    return_mark_received,
    return_reject,
)
from returns.services.tracking_sync import return_sync_shipment
from tests.factories import ProductVariantFactory
from tracking.carriers import status as st
from tracking.models import Order
from tracking.services.shipments import NewEvent, shipment_add_events

from tests.support.returns import ask, make_order

pytestmark = pytest.mark.django_db


def _nothing_written():
    return ReturnRequest.objects.count() == 0 and ReturnLine.objects.count() == 0 and ReturnEvent.objects.count() == 0


@pytest.mark.parametrize("lines_of, code", [
    (lambda o, other: [RequestedLine(o.lines.first().pk, 5)], "quantity"),  # above delivered
    (lambda o, other: [RequestedLine(other.lines.first().pk, 1)], "foreign_line"),  # item from another order
    (lambda o, other: [], "empty"),
])
def test_bad_lines_are_refused(order, merchant, lines_of, code):
    other = make_order(merchant)
    with pytest.raises(ReturnError) as exc:
        ask(order, lines=lines_of(order, other))
    assert exc.value.code == code
    assert _nothing_written()


def test_already_returned_quantity_is_refused(order):
    line = order.lines.get(quantity=2)
    ask(order, lines=[RequestedLine(line.pk, 2)], key="a")
    with pytest.raises(ReturnError) as exc:
        ask(order, lines=[RequestedLine(line.pk, 1)], key="b")
    assert exc.value.code == "not_eligible"


def test_rejected_return_frees_the_quantity(order, admin_user, policy):
    policy.auto_approve = False
    policy.save()
    line = order.lines.get(quantity=2)
    rr = ask(order, lines=[RequestedLine(line.pk, 2)], key="a")
    assert rr.status == ReturnStatus.REQUESTED
    return_reject(rr=rr, by=admin_user, reason="Worn")
    assert ask(order, lines=[RequestedLine(line.pk, 2)], key="b").pk != rr.pk


def test_window_passed_is_refused(merchant, policy):
    old = make_order(merchant, delivered_days_ago=31)
    with pytest.raises(ReturnError) as exc:
        ask(old)
    assert exc.value.code == "not_eligible" and "window" in exc.value.message
    assert _nothing_written()


def test_photo_required_for_damaged(order):
    with pytest.raises(ReturnError) as exc:
        ask(order, reason="damaged")
    assert exc.value.code == "photo_required"
    assert _nothing_written()


def test_same_idempotency_key_returns_the_first_return(order):
    first = ask(order, key="same")
    again = ask(order, key="same")
    assert first.pk == again.pk and ReturnRequest.objects.count() == 1


def test_reject_needs_a_reason_and_notifies(order, admin_user, policy, django_capture_on_commit_callbacks):
    policy.auto_approve = False
    policy.save()
    rr = ask(order)
    with pytest.raises(ReturnError):
        return_reject(rr=rr, by=admin_user, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        return_reject(rr=rr, by=admin_user, reason="Outside our policy")
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REJECTED and rr.rejection_reason == "Outside our policy"
    assert any("Outside our policy" in m.body for m in mail.outbox)


def test_manual_review_when_order_value_too_high(merchant, policy):
    big = make_order(merchant, total=Decimal("500000"), lines=((Decimal("500000"), 1),))
    rr = ask(big)
    assert rr.status == ReturnStatus.REQUESTED
    assert rr.decision["approval"] == {"auto": False, "reasons": ["order_value_over"]}
    assert not rr.shipment_id


def test_carrier_scans_move_the_return(order, admin_user, policy, django_capture_on_commit_callbacks):
    policy.refund_timing = "first_scan"
    policy.save()
    rr = ask(order)
    shipment = rr.shipment
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=shipment, events=[NewEvent(now, st.IN_TRANSIT, carrier_code="MK-DROP")],
                            source="webhook")
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.IN_TRANSIT
    assert rr.refunds.count() == 1  # first-scan timing: the money left with the first scan
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=shipment, events=[NewEvent(now + timedelta(days=1), st.DELIVERED)],
                            source="webhook")
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.RECEIVED
    # A replayed status changes nothing.
    return_sync_shipment(shipment_id=shipment.pk, new_status=st.DELIVERED)
    assert ReturnEvent.objects.filter(return_request=rr, to_status="received").count() == 1


def test_store_credit_with_bonus(order, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rr = ask(order, resolution="store_credit")
        return_mark_received(rr=rr, by=admin_user)
        return_inspect(rr=rr, by=admin_user, results=[LineInspection(line.pk, "accepted") for line in rr.lines.all()])
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.CREDITED
    assert store_credit_balance(order.customer) == Decimal("55000")
    assert StoreCreditEntry.objects.get().kind == "issued"


def test_partial_inspection_scales_the_refund(order, admin_user, django_capture_on_commit_callbacks):
    rr = ask(order)
    big, small = rr.lines.order_by("-unit_price")
    return_mark_received(rr=rr, by=admin_user)
    with pytest.raises(ReturnError):  # partial needs a note
        return_inspect(rr=rr, by=admin_user, results=[LineInspection(big.pk, "accepted"),
                                                 LineInspection(small.pk, "partial", 1)])
    with django_capture_on_commit_callbacks(execute=True):
        return_inspect(rr=rr, by=admin_user, results=[LineInspection(big.pk, "accepted", condition="new"),
                                                 LineInspection(small.pk, "partial", 1, "used", "one worn")])
    rr.refresh_from_db()
    assert rr.refund_amount == Decimal("37500") and rr.status == ReturnStatus.REFUNDED


def test_everything_rejected_closes_without_money(order, admin_user):
    rr = ask(order)
    return_mark_received(rr=rr, by=admin_user)
    return_inspect(rr=rr, by=admin_user, results=[LineInspection(line.pk, "rejected", note="x") for line in rr.lines.all()])
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.CLOSED and rr.refunds.count() == 0


def test_exchange_reserves_stock_and_creates_replacement(merchant, policy, admin_user, django_capture_on_commit_callbacks):
    order = make_order(merchant, lines=((Decimal("25000"), 1),), total=Decimal("25000"))
    line = order.lines.get()
    bigger = ProductVariantFactory(product=line.variant.product, title="L", price=Decimal("25000"), stock=1)
    rr = ask(order, lines=[RequestedLine(line.pk, 1, bigger.pk)], resolution="exchange")
    bigger.refresh_from_db()
    assert bigger.stock == 0
    # Nobody else can take the last one: the reservation left no stock for another exchange.
    second = make_order(merchant, lines=((Decimal("25000"), 1),), total=Decimal("25000"))
    second_line = second.lines.get()
    from tracking.models import OrderLine
    OrderLine.objects.filter(pk=second_line.pk).update(variant=line.variant)
    with pytest.raises(ReturnError) as exc:
        ask(second, lines=[RequestedLine(second_line.pk, 1, bigger.pk)], resolution="exchange", key="other")
    assert exc.value.code == "out_of_stock"
    with django_capture_on_commit_callbacks(execute=True):
        return_mark_received(rr=rr, by=admin_user)
        return_inspect(rr=rr, by=admin_user, results=[LineInspection(rr.lines.get().pk, "accepted")])
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.EXCHANGED
    replacement = rr.exchange_order
    assert replacement.source == Order.Source.EXCHANGE and replacement.total == 0
    assert replacement.shipments.get().is_return is False
    assert replacement.lines.get().variant == bigger


def test_exchange_out_of_stock_is_refused(merchant, policy):
    order = make_order(merchant, lines=((Decimal("25000"), 1),), total=Decimal("25000"))
    line = order.lines.get()
    empty = ProductVariantFactory(product=line.variant.product, price=Decimal("25000"), stock=0)
    with pytest.raises(ReturnError):
        ask(order, lines=[RequestedLine(line.pk, 1, empty.pk)], resolution="exchange")
    assert _nothing_written()


def test_tenant_isolation_exchange_variant_and_photos(merchant, other_merchant, policy):
    order = make_order(merchant, lines=((Decimal("25000"), 1),), total=Decimal("25000"))
    foreign = ProductVariantFactory(product__merchant=other_merchant, price=Decimal("1"), stock=5)
    with pytest.raises(ReturnError) as exc:
        ask(order, lines=[RequestedLine(order.lines.get().pk, 1, foreign.pk)], resolution="exchange")
    assert exc.value.code == "exchange_variant"


def test_tenant_isolation_other_merchants_order_line(merchant, other_merchant, policy):
    order = make_order(merchant)
    foreign_order = make_order(other_merchant)
    with pytest.raises(ReturnError) as exc:
        ask(order, lines=[RequestedLine(foreign_order.lines.first().pk, 1)])
    assert exc.value.code == "foreign_line"


def test_approve_twice_is_refused(order, admin_user):
    rr = ask(order)
    from returns.states import InvalidTransition

    with pytest.raises(InvalidTransition):
        return_approve(rr=rr, by=admin_user)

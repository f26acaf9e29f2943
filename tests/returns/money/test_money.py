"""Money safety: refunds + credits never exceed what was paid; one refund per return; retries never
pay twice. The concurrency test needs PostgreSQL (SQLite serialises writers anyway)."""
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F

from returns.errors import AlreadyRefunded, InsufficientCredit, RefundExceedsPaid, ReturnError
from returns.models import Refund, RefundLedger, ReturnRequest, StoreCreditEntry
from returns.payments.mock import MockGateway
from returns.selectors import store_credit_balance
from returns.services import (
    RequestedLine,
    refund_execute,
    return_credit,
    return_mark_received,
    return_refund,
    store_credit_account,
    store_credit_redeem,
)
from returns.tasks import execute_refund

from tests.support.returns import ask, make_order


@pytest.mark.django_db
def test_refund_larger_than_paid_is_refused_and_nothing_written(order, admin_user):
    rr = ask(order)
    with pytest.raises(RefundExceedsPaid):
        return_refund(rr=rr, by=admin_user, amount=Decimal("50000.01"))
    assert Refund.objects.count() == 0
    assert not RefundLedger.objects.filter(order=order, refunded_total__gt=0).exists()


@pytest.mark.django_db
def test_refunds_and_credits_together_cannot_pass_paid(merchant, policy, admin_user):
    order = make_order(merchant)
    line_a, line_b = order.lines.order_by("unit_price")
    first = ask(order, lines=[RequestedLine(line_b.pk, 1)], key="a")  # 25,000
    second = ask(order, lines=[RequestedLine(line_a.pk, 2)], key="b", resolution="store_credit")  # 25,000
    return_refund(rr=first, by=admin_user, amount=Decimal("30000"))
    with pytest.raises(RefundExceedsPaid):
        return_credit(rr=second, by=admin_user)
    return_credit(rr=second, by=admin_user, amount=Decimal("20000"))
    assert RefundLedger.objects.get(order=order).refunded_total == Decimal("50000")


@pytest.mark.django_db
def test_database_guard_refuses_over_refund_even_without_the_check(order):
    ledger = RefundLedger.objects.create(merchant=order.merchant, order=order, currency="KRW", paid_total=order.total)
    with pytest.raises(IntegrityError), transaction.atomic():
        RefundLedger.objects.filter(pk=ledger.pk).update(refunded_total=F("paid_total") + 1)


@pytest.mark.django_db
def test_second_refund_for_the_same_return_is_refused(order, admin_user):
    rr = ask(order)
    return_refund(rr=rr, by=admin_user)
    with pytest.raises(AlreadyRefunded):
        return_refund(rr=rr, by=admin_user)
    assert Refund.objects.count() == 1


@pytest.mark.django_db
def test_retried_task_never_refunds_twice(order, admin_user, django_capture_on_commit_callbacks):
    rr = ask(order)
    with django_capture_on_commit_callbacks(execute=True):
        refund = return_refund(rr=rr, by=admin_user)
    # The worker died after the gateway answered but before we recorded it: the row is still pending.
    Refund.objects.filter(pk=refund.pk).update(status="pending", gateway_reference="")
    execute_refund.delay(refund.pk)
    execute_refund.delay(refund.pk)
    assert len(MockGateway.issued()) == 1  # the gateway deduped on our idempotency key
    refund.refresh_from_db()
    assert refund.status == "succeeded" and refund.attempts == 2


@pytest.mark.django_db
def test_gateway_outage_keeps_refund_pending_then_succeeds(merchant, policy, admin_user):
    order = make_order(merchant)
    order.payment_reference = "down_pi_1"
    order.save()
    rr = ask(order)
    refund = return_refund(rr=rr, by=admin_user)
    from returns.payments.base import GatewayUnavailable

    with pytest.raises(GatewayUnavailable):
        refund_execute(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.status == "pending" and "down" in refund.error
    order.payment_reference = "pi_ok"
    order.save()
    assert refund_execute(refund_id=refund.pk).status == "succeeded"


@pytest.mark.django_db
def test_declined_refund_gives_the_amount_back_to_the_ledger(merchant, policy, admin_user):
    order = make_order(merchant)
    order.payment_reference = "fail_pi_1"
    order.save()
    rr = ask(order)
    refund = return_refund(rr=rr, by=admin_user)
    assert refund_execute(refund_id=refund.pk).status == "failed"
    assert RefundLedger.objects.get(order=order).refunded_total == 0
    # A corrected refund can go out, with a fresh idempotency key.
    order.payment_reference = "pi_ok"
    order.save()
    again = return_refund(rr=rr, by=admin_user)
    assert again.idempotency_key != refund.idempotency_key


@pytest.mark.django_db
def test_order_without_payment_cannot_be_refunded_to_card(merchant, policy, admin_user):
    order = make_order(merchant, gateway="")
    rr = ask(order, resolution="store_credit")
    with pytest.raises(ReturnError) as exc:
        return_refund(rr=rr, by=admin_user)
    assert exc.value.code == "no_payment"


@pytest.mark.django_db
def test_store_credit_ledger_and_redeem(order, other_merchant, admin_user):
    rr = ask(order, resolution="store_credit")
    return_credit(rr=rr, by=admin_user)
    account = store_credit_account(customer=order.customer)
    assert store_credit_balance(order.customer) == Decimal("55000")
    spend = store_credit_redeem(merchant=order.merchant, code=account.code, amount=Decimal("20000"),
                                reference="web-1", idempotency_key="k1")
    again = store_credit_redeem(merchant=order.merchant, code=account.code, amount=Decimal("20000"),
                                reference="web-1", idempotency_key="k1")
    assert spend.pk == again.pk
    assert store_credit_balance(order.customer) == Decimal("35000")
    with pytest.raises(InsufficientCredit):
        store_credit_redeem(merchant=order.merchant, code=account.code, amount=Decimal("35000.01"),
                            reference="web-2", idempotency_key="k2")
    with pytest.raises(ReturnError):  # another merchant cannot spend this code
        store_credit_redeem(merchant=other_merchant, code=account.code, amount=Decimal("1"),
                            reference="x", idempotency_key="k3")
    entry = StoreCreditEntry.objects.first()
    entry.note = "edited"
    with pytest.raises(ValueError):
        entry.save()


@pytest.mark.django_db
def test_timing_on_receipt_pays_when_received(order, admin_user, policy, django_capture_on_commit_callbacks):
    policy.refund_timing = "on_receipt"
    policy.save()
    rr = ask(order)
    assert rr.refunds.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        return_mark_received(rr=rr, by=admin_user)
    assert rr.refunds.get().status == "succeeded"
    rr.refresh_from_db()
    assert rr.status == "received"  # still to be inspected; the money simply did not wait


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_for_one_return_exactly_one_succeeds(merchant, policy, admin_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL)")
    order = make_order(merchant)
    rr = ask(order)
    barrier = threading.Barrier(8)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            return_refund(rr=ReturnRequest.objects.get(pk=rr.pk), by="system")
            outcomes.append("ok")
        except (AlreadyRefunded, RefundExceedsPaid) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert Refund.objects.filter(return_request=rr).count() == 1
    assert RefundLedger.objects.get(order=order).refunded_total == Decimal("50000")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_of_different_returns_never_pass_paid(merchant, policy):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL)")
    order = make_order(merchant, lines=((Decimal("10000"), 1),) * 5, total=Decimal("30000"))
    returns = [ask(order, lines=[RequestedLine(line.pk, 1)], key=f"k{i}") for i, line in enumerate(order.lines.all())]
    barrier = threading.Barrier(len(returns))
    outcomes = []

    def attempt(rr):
        try:
            barrier.wait()
            return_refund(rr=rr, by="system")
            outcomes.append("ok")
        except RefundExceedsPaid:
            outcomes.append("exceeds")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(rr,)) for rr in returns]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3 and outcomes.count("exceeds") == 2
    assert RefundLedger.objects.get(order=order).refunded_total == Decimal("30000")

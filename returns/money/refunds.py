"""Refunds and the per-order ledger that keeps them within what was paid.

Order of operations (so a crash or retry at any point neither loses nor doubles money):
1. In one transaction, holding row locks on the return and then the order's ledger: check, charge the
   ledger with an F() update (its CheckConstraint refuses going past the paid total), and write the
   Refund row with a unique idempotency key derived from the return. A second request for the same
   return collides on that key (or sees the first one under the lock) and is refused.
2. After commit, a task calls the gateway with that idempotency key. A retried task repeats the same
   call; the gateway answers with the first refund instead of making a second one.
3. A definitive gateway refusal marks the row failed and gives the amount back to the ledger.
4. Before calling, the caller claims the row (``attempted_at``, committed at once); one call at a time.
   If the worker dies mid-call, or the task message is lost with the broker, the row stays pending:
   ``refunds_sweep_stuck`` (a beat job) resumes it after settings.DOORSTEP_MONEY_STUCK_AFTER with the
   SAME idempotency key, so a gateway that already refunded answers with that refund.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from tracking.backoff import backoff_seconds
from tracking.models import Order

from returns.errors import AlreadyRefunded, RefundExceedsPaid, ReturnError
from returns.models import Refund, RefundLedger, ReturnRequest
from returns.payments.base import GatewayError, RefundRequestData
from returns.payments.registry import UnknownGateway, gateway_for_merchant
from returns.services.transitions import actor_name, log_note
from returns.services.webhooks import return_webhook_emit

logger = logging.getLogger(__name__)


def ledger_for_update(order: Order) -> RefundLedger:
    """The order's ledger row, created on first use, locked until the caller's transaction ends."""
    RefundLedger.objects.get_or_create(
        order=order, defaults={"merchant_id": order.merchant_id, "currency": order.currency,
                               "paid_total": order.total})
    return RefundLedger.objects.select_for_update().get(order=order)


def ledger_charge(*, order: Order, amount: Decimal) -> RefundLedger:
    """Add ``amount`` to what was given back for ``order``. Caller holds the transaction."""
    if amount <= 0:
        raise ReturnError("Nothing to refund.", code="zero_amount")
    ledger = ledger_for_update(order)
    if ledger.refunded_total + amount > ledger.paid_total:
        raise RefundExceedsPaid()
    try:
        with transaction.atomic():
            RefundLedger.objects.filter(pk=ledger.pk).update(refunded_total=F("refunded_total") + amount)
    except IntegrityError as exc:  # the database guard, should the check above ever be bypassed
        raise RefundExceedsPaid() from exc
    ledger.refresh_from_db()
    return ledger


def ledger_release(*, order: Order, amount: Decimal) -> None:
    ledger = ledger_for_update(order)
    RefundLedger.objects.filter(pk=ledger.pk).update(refunded_total=F("refunded_total") - amount)


def refund_key(rr: ReturnRequest, kind: str) -> str:
    """Derived from our return and how many refunds of it failed before: a retry of the same refund
    reuses the key; a new refund after a definitive failure gets a fresh one."""
    failed = Refund.objects.filter(return_request=rr, kind=kind, status=Refund.Status.FAILED).count()
    return f"doorstep-return-{rr.pk}-{kind}-{failed + 1}"


def has_live_refund(rr: ReturnRequest, kind: str) -> bool:
    return Refund.objects.filter(return_request=rr, kind=kind).exclude(status=Refund.Status.FAILED).exists()


@transaction.atomic
def return_refund(*, rr: ReturnRequest, by, amount: Decimal | None = None) -> Refund:
    """Record a refund to the original payment for ``rr`` and send it after commit.

    Raises AlreadyRefunded if this return already has one, RefundExceedsPaid past the order's total.
    """
    locked = ReturnRequest.objects.select_for_update().get(pk=rr.pk)
    amount = locked.refund_amount if amount is None else amount
    if has_live_refund(locked, Refund.Kind.PAYMENT):
        raise AlreadyRefunded()
    if not locked.order.payment_gateway or not locked.order.payment_reference:
        raise ReturnError("This order has no payment to refund to; issue store credit instead.", code="no_payment")
    ledger_charge(order=locked.order, amount=amount)
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                merchant_id=locked.merchant_id, order_id=locked.order_id, return_request=locked,
                kind=Refund.Kind.PAYMENT, amount=amount, currency=locked.currency,
                idempotency_key=refund_key(locked, Refund.Kind.PAYMENT), gateway=locked.order.payment_gateway,
                requested_by=actor_name(by),
            )
    except IntegrityError as exc:
        raise AlreadyRefunded() from exc
    log_note(locked, by=by, note=f"Refund of {amount} {locked.currency} requested.")
    from returns.tasks import execute_refund

    execute_refund.delay_on_commit(refund.pk)
    return refund


def refund_execute(*, refund_id: int) -> Refund:
    """Send a pending refund to its gateway. Safe to call again: it only acts on pending rows and the
    gateway dedupes on the idempotency key. Retryable gateway errors propagate (the task retries)."""
    refund = Refund.objects.select_related("order", "return_request").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    try:
        gateway = gateway_for_merchant(refund.gateway, merchant_id=refund.merchant_id)
    except UnknownGateway:
        return _refund_failed(refund, f"unknown payment gateway {refund.gateway!r}")
    from returns.money.refund_accounts import refund_account_for

    if not _refund_claim(refund):
        return refund  # another worker's call is in flight (or the row is no longer pending)
    try:
        result = gateway.refund(RefundRequestData(
            payment_reference=refund.order.payment_reference, amount=refund.amount, currency=refund.currency,
            idempotency_key=refund.idempotency_key,
            metadata={"rma": refund.return_request.rma, "order": refund.order.number},
            refund_account=refund_account_for(refund), known_refundable=_refundable_before(refund),
        ))
    except GatewayError as exc:
        if exc.retryable:
            # Retried with the same Idempotency-Key (the task, or the money sweep): never refunded twice.
            wait = backoff_seconds(refund.attempts, base=30, cap=3600, retry_after=exc.retry_after)
            Refund.objects.filter(pk=refund.pk).update(
                error=str(exc)[:2000], error_code=exc.code[:64], attempted_at=None,
                next_attempt_at=timezone.now() + timedelta(seconds=wait))
            raise
        why = f"{exc.code}: {exc}" if exc.code else str(exc)
        if exc.code in ALREADY_REFUNDED_CODES:
            # The money already went back (an earlier attempt whose answer was lost, or by hand in the
            # gateway's dashboard): never offer it again from the ledger; staff check the dashboard.
            return _refund_failed(refund, why + " (already refunded at the gateway: ledger kept charged)",
                                  code=exc.code, release=False)
        return _refund_failed(refund, why, code=exc.code)
    except BaseException:
        # Not a gateway answer (a bug, a time limit): the call is over; the sweeper may resume it.
        Refund.objects.filter(pk=refund.pk).update(attempted_at=None)
        raise
    if result.status == "failed":
        return _refund_failed(refund, result.failure_reason or "failed at the gateway")
    return _refund_succeeded(refund, result.reference)


def _stuck_after() -> timedelta:
    return timedelta(seconds=settings.DOORSTEP_MONEY_STUCK_AFTER)


def _refund_claim(refund: Refund) -> bool:
    """Mark the gateway call in flight, unless another one is (claimed less than the stuck time ago).
    One UPDATE, committed before the call: a worker killed mid-call leaves the claim behind."""
    now = timezone.now()
    claimed = Refund.objects.filter(
        Q(attempted_at__isnull=True) | Q(attempted_at__lt=now - _stuck_after()),
        pk=refund.pk, status=Refund.Status.PENDING,
    ).update(attempts=F("attempts") + 1, attempted_at=now, next_attempt_at=None)
    if claimed:
        refund.attempts += 1
    return bool(claimed)


def refunds_stuck(*, now=None):
    """Pending refunds to the original payment nobody is working on: a call started longer ago than
    DOORSTEP_MONEY_STUCK_AFTER (the worker died mid-call), or never started that long after the refund
    was recorded (the task was lost with the broker) and not waiting out a retry backoff."""
    now = now or timezone.now()
    cutoff = now - _stuck_after()
    never_started = (Q(attempted_at__isnull=True, created_at__lt=cutoff)
                     & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)))
    return (Refund.objects.filter(kind=Refund.Kind.PAYMENT, status=Refund.Status.PENDING,
                                  attempts__lt=settings.DOORSTEP_MONEY_MAX_ATTEMPTS)
            .filter(never_started | Q(attempted_at__lt=cutoff)).order_by("created_at", "id"))


def refunds_sweep_stuck(*, now=None, limit: int = 200) -> list[int]:
    """Hand every stuck refund back to a worker (the same task, hence the same idempotency key).
    Returns their ids. Resuming twice is harmless: only one call at a time can claim the row, and
    only a pending row is sent."""
    from returns.tasks import execute_refund

    ids = list(refunds_stuck(now=now).values_list("pk", flat=True)[:limit])
    for pk in ids:
        logger.warning("refund %s was stuck in flight; resuming it with its idempotency key", pk)
        execute_refund.delay(pk)
    return ids

# Toss codes meaning "this payment was already cancelled/refunded": the money left before. (Stripe's
# charge_already_refunded keeps its documented behaviour: the ledger is released.)
ALREADY_REFUNDED_CODES = frozenset({"ALREADY_CANCELED_PAYMENT", "ALREADY_REFUND_PAYMENT"})


def _refundable_before(refund: Refund) -> Decimal | None:
    """What the order's ledger says was still refundable before this refund (the ledger already
    holds it), so the gateway adapter refuses a larger cancel before any call."""
    ledger = RefundLedger.objects.filter(order_id=refund.order_id).first()
    if ledger is None:
        return None
    return ledger.paid_total - ledger.refunded_total + refund.amount


@transaction.atomic
def _refund_succeeded(refund: Refund, reference: str) -> Refund:
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    if locked.status != Refund.Status.PENDING:
        return locked
    locked.status = Refund.Status.SUCCEEDED
    locked.gateway_reference = reference
    locked.completed_at = timezone.now()
    locked.error = ""
    locked.attempted_at = None
    locked.save(update_fields=["status", "gateway_reference", "completed_at", "error", "attempted_at"])
    rr = ReturnRequest.objects.select_for_update().get(pk=locked.return_request_id)
    log_note(rr, by="system", note=f"Refund {reference} of {locked.amount} {locked.currency} sent.")
    return_webhook_emit(rr=rr, event_type="return.refunded", refund={
        "kind": locked.kind, "amount": str(locked.amount), "currency": locked.currency, "reference": reference})
    from returns.services.workflow import return_finish_if_ready

    return_finish_if_ready(rr=rr)
    return locked


@transaction.atomic
def _refund_failed(refund: Refund, why: str, *, code: str = "", release: bool = True) -> Refund:
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    if locked.status != Refund.Status.PENDING:
        return locked
    locked.status = Refund.Status.FAILED
    locked.error = why[:2000]
    locked.error_code = (code or "")[:64]
    locked.completed_at = timezone.now()
    locked.attempted_at = None
    locked.save(update_fields=["status", "error", "error_code", "completed_at", "attempted_at"])
    if release:
        # The money never left: give the amount back to the ledger so a corrected refund can go out.
        ledger_release(order=locked.order, amount=locked.amount)
    rr = ReturnRequest.objects.select_for_update().get(pk=locked.return_request_id)
    log_note(rr, by="system", note=f"Refund failed: {why}")
    logger.warning("refund %s failed: %s", locked.pk, why)
    return locked

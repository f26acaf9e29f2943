"""Store credit: a ledger of issued / spent / expired entries per customer; the balance is their sum."""
from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracking.models import Customer, Merchant

from returns.errors import AlreadyRefunded, InsufficientCredit, ReturnError
from returns.models import Refund, ReturnRequest, StoreCreditAccount, StoreCreditEntry
from returns.selectors import store_credit_balance
from returns.money.refunds import has_live_refund, ledger_charge, refund_key
from returns.services.transitions import actor_name, log_note
from returns.services.webhooks import return_webhook_emit


def store_credit_account(*, customer: Customer) -> StoreCreditAccount:
    account, _ = StoreCreditAccount.objects.get_or_create(
        customer=customer, defaults={"merchant_id": customer.merchant_id, "currency": customer.merchant.currency})
    return account


@transaction.atomic
def return_credit(*, rr: ReturnRequest, by, amount: Decimal | None = None, with_bonus: bool = True) -> Refund:
    """Issue store credit for ``rr``: the refund-equivalent amount is charged to the order's ledger
    (so refunds + credits never pass what was paid), the merchant's bonus is added on top."""
    locked = ReturnRequest.objects.select_for_update().get(pk=rr.pk)
    base = locked.refund_amount if amount is None else amount
    if has_live_refund(locked, Refund.Kind.STORE_CREDIT):
        raise AlreadyRefunded()
    ledger_charge(order=locked.order, amount=base)
    bonus = locked.credit_bonus if (with_bonus and amount is None) else Decimal("0")
    key = refund_key(locked, Refund.Kind.STORE_CREDIT)
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                merchant_id=locked.merchant_id, order_id=locked.order_id, return_request=locked,
                kind=Refund.Kind.STORE_CREDIT, amount=base, currency=locked.currency, idempotency_key=key,
                gateway="store_credit", status=Refund.Status.SUCCEEDED, completed_at=timezone.now(),
                requested_by=actor_name(by),
            )
    except IntegrityError as exc:
        raise AlreadyRefunded() from exc
    account = store_credit_account(customer=locked.customer)
    StoreCreditEntry.objects.create(
        merchant_id=locked.merchant_id, account=account, kind=StoreCreditEntry.Kind.ISSUED, amount=base + bonus,
        currency=locked.currency, return_request=locked, idempotency_key=key, created_by=actor_name(by),
        note=f"Return {locked.rma}" + (f" (incl. {bonus} bonus)" if bonus else ""),
    )
    log_note(locked, by=by, note=f"Store credit {base + bonus} {locked.currency} issued to {account.code}.")
    return_webhook_emit(rr=locked, event_type="return.refunded", refund={
        "kind": "store_credit", "amount": str(base), "bonus": str(bonus), "currency": locked.currency,
        "reference": account.code})
    from returns.services.workflow import return_finish_if_ready

    return_finish_if_ready(rr=locked)
    return refund


@transaction.atomic
def store_credit_grant(*, customer: Customer, amount: Decimal, currency: str, reference: str,
                       note: str, by: str = "system") -> StoreCreditEntry:
    """Issue credit that no return paid for (a goodwill or thank-you credit). ``reference`` is the
    idempotency key: granting twice for the same reference returns the first entry."""
    if amount <= 0:
        raise ReturnError("Amount must be positive.", code="amount")
    key = f"grant:{reference}"[:80]
    existing = StoreCreditEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    account = store_credit_account(customer=customer)
    if currency != account.currency:
        raise ReturnError("Credit must be in the account's currency.", code="currency")
    try:
        with transaction.atomic():
            return StoreCreditEntry.objects.create(
                merchant_id=customer.merchant_id, account=account, kind=StoreCreditEntry.Kind.ISSUED, amount=amount,
                currency=currency, idempotency_key=key, created_by=by, note=note[:200])
    except IntegrityError:
        return StoreCreditEntry.objects.get(idempotency_key=key)


@transaction.atomic
def store_credit_redeem(*, merchant: Merchant, code: str, amount: Decimal, reference: str,
                        idempotency_key: str, by: str = "api") -> StoreCreditEntry:
    """Spend credit at the store. The account row is locked so two redemptions cannot spend the same
    balance; the same idempotency key returns the first entry instead of spending twice."""
    if amount <= 0:
        raise ReturnError("Amount must be positive.", code="amount")
    account = StoreCreditAccount.objects.select_for_update().filter(merchant=merchant, code=code.strip().upper()).first()
    if account is None:
        raise ReturnError("Unknown store credit code.", code="unknown_code")
    key = f"redeem-{merchant.pk}-{idempotency_key}"[:80]
    existing = StoreCreditEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.account_id != account.pk:
            raise ReturnError("This idempotency key was used for another code.", code="idempotency_key")
        return existing
    if store_credit_balance(account.customer) < amount:
        raise InsufficientCredit()
    return StoreCreditEntry.objects.create(
        merchant=merchant, account=account, kind=StoreCreditEntry.Kind.SPENT, amount=amount,
        currency=account.currency, reference=reference[:128], idempotency_key=key, created_by=by,
    )

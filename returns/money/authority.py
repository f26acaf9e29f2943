"""Who may move money for a return, and a lead's approval above a staff member's limit.

Rules, checked by ``return_release_money`` whenever a staff user (not the merchant's own policy acting
as "system" on a carrier scan, nor the shopper) would send money:

1. the user holds the permission for that kind of money: ``returns.issue_refund`` (to the original
   payment) or ``returns.issue_store_credit``; the "Support lead" group holds both, agents neither;
2. the user is a member of the return's merchant (superusers: every merchant, no limit);
3. if the membership has a ``money_limit`` and the amount is above it, the money is held: a
   ``MoneyApproval`` is recorded (one pending per return and kind) and ``MoneyNeedsApproval`` raised.
   A lead of that merchant or a superuser — not the requester — approves it from the admin
   (Money approvals), which issues the money as the approver, within the approver's own limit.

The ledger rules (returns.money.refunds) are unchanged: an approval only lets a request through the
door; the ledger still refuses anything past what was paid.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracking.staff.selectors import is_lead_of, membership_for

# Imported by returns.services.workflow: this module imports the services inside functions only.

from returns.errors import ReturnError
from returns.models import MoneyApproval, Refund, Resolution, ReturnRequest

PERMISSIONS = {
    Refund.Kind.PAYMENT: "returns.issue_refund",
    Refund.Kind.STORE_CREDIT: "returns.issue_store_credit",
}
# Claims (returns that need no parcel) are approved with this one; declared here so roles carry it.
APPROVE_CLAIM = "returns.approve_claim"

LABELS = {Refund.Kind.PAYMENT: "A refund", Refund.Kind.STORE_CREDIT: "Store credit"}


class MoneyHeld(ReturnError):
    """Money a staff user asked for was not sent. Nothing moved."""

    def __init__(self, message: str, *, code: str, kind: str = "", amount: Decimal | None = None):
        super().__init__(message, code=code)
        self.kind = kind
        self.amount = amount
        self.approval: MoneyApproval | None = None


class MoneyNotPermitted(MoneyHeld):
    def __init__(self, message: str, **kwargs):
        super().__init__(message, code="money_permission", **kwargs)


class MoneyNeedsApproval(MoneyHeld):
    def __init__(self, message: str, **kwargs):
        super().__init__(message, code="needs_approval", **kwargs)


@dataclass(frozen=True)
class PendingMoney:
    kind: str
    amount: Decimal
    currency: str


def pending_money(rr: ReturnRequest) -> PendingMoney | None:
    """What ``return_release_money`` would send for ``rr`` now (kind and value given to the shopper),
    or None if nothing (already sent, or an exchange without a difference to pay)."""
    from returns.money.refunds import has_live_refund  # the services import this module

    if rr.resolution == Resolution.REFUND:
        kind, amount = Refund.Kind.PAYMENT, rr.refund_amount
    elif rr.resolution == Resolution.STORE_CREDIT:
        kind, amount = Refund.Kind.STORE_CREDIT, rr.refund_amount + rr.credit_bonus
    elif rr.refund_amount > 0:
        kind = Refund.Kind.STORE_CREDIT if rr.difference_as_credit else Refund.Kind.PAYMENT
        amount = rr.refund_amount
    else:
        return None
    if has_live_refund(rr, kind):
        return None
    return PendingMoney(kind=kind, amount=amount, currency=rr.currency)


def _is_staff_actor(by) -> bool:
    return not isinstance(by, str)


def money_check(*, rr: ReturnRequest, by, money: PendingMoney) -> None:
    """Raise MoneyNotPermitted or MoneyNeedsApproval unless ``by`` may send ``money`` for ``rr`` now."""
    if not _is_staff_actor(by):
        return  # the merchant's policy (carrier scan) or the shopper: no staff decision involved
    label = LABELS[money.kind]
    held = {"kind": money.kind, "amount": money.amount}
    permission = PERMISSIONS[money.kind]
    if not by.has_perm(permission):
        raise MoneyNotPermitted(
            f"{label} needs the “{permission}” permission, which you do not have (Support leads hold it). "
            f"Nothing was sent.", **held)
    if by.is_active and by.is_superuser:
        return
    membership = membership_for(by, rr.merchant_id)
    if membership is None:
        raise MoneyNotPermitted("You are not a member of this return's merchant. Nothing was sent.", **held)
    if membership.money_limit is not None and money.amount > membership.money_limit:
        raise MoneyNeedsApproval(
            f"{label} of {money.amount} {money.currency} is above your limit of {membership.money_limit} "
            f"{money.currency}: it needs a lead's approval. Nothing was sent; the request is waiting in "
            f"Money approvals.", **held)


@transaction.atomic
def money_approval_request(*, rr: ReturnRequest, by, kind: str, amount: Decimal) -> MoneyApproval:
    """Record (or refresh) the pending request for a lead to approve. One pending per return and kind."""
    from returns.services.transitions import actor_name, log_note

    approval = MoneyApproval.objects.select_for_update().filter(
        return_request=rr, kind=kind, status=MoneyApproval.Status.PENDING).first()
    if approval is None:
        try:
            with transaction.atomic():
                approval = MoneyApproval.objects.create(
                    merchant_id=rr.merchant_id, return_request=rr, kind=kind, amount=amount, currency=rr.currency,
                    requested_by=by)
        except IntegrityError:  # asked twice at the same moment: the first request stands
            return MoneyApproval.objects.get(return_request=rr, kind=kind, status=MoneyApproval.Status.PENDING)
        log_note(rr, by=by, note=f"{LABELS[kind]} of {amount} {rr.currency} is above {actor_name(by)}'s limit: "
                                 f"waiting for a lead's approval.")
    elif approval.amount != amount:
        approval.amount = amount
        approval.save(update_fields=["amount"])
    return approval


def money_approvals_settle(*, rr: ReturnRequest) -> None:
    """Money for ``rr`` went out: pending requests for kinds no longer owed are superseded."""
    pending = MoneyApproval.objects.filter(return_request=rr, status=MoneyApproval.Status.PENDING)
    still_owed = pending_money(rr)
    if still_owed is not None:
        pending = pending.exclude(kind=still_owed.kind)
    pending.update(status=MoneyApproval.Status.SUPERSEDED, decided_at=timezone.now())


def _lock_pending(approval: MoneyApproval, by) -> MoneyApproval:
    locked = MoneyApproval.objects.select_for_update().get(pk=approval.pk)
    if locked.status != MoneyApproval.Status.PENDING:
        raise ReturnError(f"This request was already decided ({locked.get_status_display().lower()}).",
                          code="approval_decided")
    if not is_lead_of(by, locked.merchant_id):
        raise MoneyNotPermitted("Only a lead of this merchant or a superuser can decide money requests.")
    if locked.requested_by_id is not None and locked.requested_by_id == by.pk:
        raise MoneyNotPermitted("Someone other than the person who asked must decide this request.")
    return locked


@transaction.atomic
def money_approval_approve(*, approval: MoneyApproval, by, note: str = "") -> MoneyApproval:
    """A lead approves: the money is issued now, as the lead (whose own permission and limit apply)."""
    from returns.services.transitions import log_note
    from returns.services.workflow import return_release_money

    locked = _lock_pending(approval, by)
    rr = ReturnRequest.objects.select_for_update().get(pk=locked.return_request_id)
    money = pending_money(rr)
    if money is None or money.kind != locked.kind:  # sent meanwhile by someone allowed to
        locked.status, locked.decided_at = MoneyApproval.Status.SUPERSEDED, timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        return locked
    try:
        money_check(rr=rr, by=by, money=money)
    except MoneyNeedsApproval:
        raise MoneyNotPermitted(
            f"{LABELS[money.kind]} of {money.amount} {money.currency} is above your own limit too: a superuser "
            f"or a lead with a higher limit must approve it.", kind=money.kind, amount=money.amount) from None
    locked.amount = money.amount
    locked.status = MoneyApproval.Status.APPROVED
    locked.decided_by, locked.decided_at, locked.note = by, timezone.now(), note[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "note", "amount"])
    requester = locked.requested_by.get_username() if locked.requested_by else "a staff member"
    log_note(rr, by=by, note=f"{LABELS[locked.kind]} of {locked.amount} {locked.currency} approved "
                             f"(asked by {requester}).")
    return_release_money(rr=rr, by=by)
    return locked


@transaction.atomic
def money_approval_reject(*, approval: MoneyApproval, by, note: str = "") -> MoneyApproval:
    from returns.services.transitions import log_note

    locked = _lock_pending(approval, by)
    locked.status = MoneyApproval.Status.REJECTED
    locked.decided_by, locked.decided_at, locked.note = by, timezone.now(), note[:500]
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    log_note(locked.return_request, by=by,
             note=f"{LABELS[locked.kind]} of {locked.amount} {locked.currency} refused by a lead"
                  + (f": {note}" if note else "."))
    return locked

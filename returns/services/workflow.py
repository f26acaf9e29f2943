"""A return's life: request → approve/reject → in transit → received → inspected → refunded /
credited / exchanged / closed. Each service locks the return row, applies one allowed transition
(returns.states), logs it (ReturnEvent) and tells the shopper. Money moves at the merchant's chosen
moment (first scan, receipt or inspection) through refunds/credit/exchanges."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracking.money import quantize
from tracking.models import Order, ProductVariant

from returns import co2
from returns.policy import engine
from returns.errors import ReturnError
from returns.models import (
    Refund,
    RefundTiming,
    Resolution,
    ReturnEvent,
    ReturnLine,
    ReturnMethod,
    ReturnPhoto,
    ReturnRequest,
    ReturnStatus,
)
from returns.selectors import customer_return_rate, order_eligibility
from returns.states import TERMINAL
from returns.money.authority import (
    MoneyHeld,
    MoneyNeedsApproval,
    money_approval_request,
    money_approvals_settle,
    money_check,
    pending_money,
)
from returns.money.credit import return_credit
from returns.services.exchanges import exchange_release_stock, return_exchange, stock_reserve
from returns.services.logistics import method_options, return_label_create, validate_pickup_date
from returns.services.notify import return_notify
from returns.policy.services import return_policy_ensure
from returns.money.refunds import has_live_refund, return_refund
from returns.services.transitions import apply_transition, log_note
from returns.services.webhooks import return_webhook_emit

logger = logging.getLogger(__name__)

# The state a request ends in once its resolution is settled.
FINAL_STATUS = {Resolution.REFUND: ReturnStatus.REFUNDED, Resolution.STORE_CREDIT: ReturnStatus.CREDITED,
                Resolution.EXCHANGE: ReturnStatus.EXCHANGED, Resolution.REPLACEMENT: ReturnStatus.EXCHANGED}

INSPECTION_CONDITIONS = ("new", "like_new", "used", "damaged", "missing_parts")


@dataclass(frozen=True)
class RequestedLine:
    order_line_id: int
    quantity: int
    exchange_variant_id: int | None = None


# --- Asking ------------------------------------------------------------------------------------------
@transaction.atomic
def return_request(
    *,
    order: Order,
    lines: list[RequestedLine],
    reason_code: str,
    resolution: str,
    method: str,
    idempotency_key: str,
    comment: str = "",
    pickup_date: date | None = None,
    photos: list[ReturnPhoto] | tuple = (),
    difference_as_credit: bool = False,
    locale: str = "",
    now=None,
) -> tuple[ReturnRequest, bool]:
    """Create a return from the shopper's choices. Returns (return, created).

    The same idempotency key returns the first return (a double submit creates one). Everything is
    validated against the policy under a lock on the order, so two drafts cannot both return the
    same item; any refusal raises ReturnError and writes nothing.
    """
    if not idempotency_key:
        raise ReturnError(_("This form has expired; please start again."), code="idempotency_key")
    existing = ReturnRequest.objects.filter(merchant_id=order.merchant_id, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, False
    order = Order.objects.select_for_update().select_related("merchant", "customer").get(pk=order.pk)
    policy = return_policy_ensure(merchant=order.merchant)
    rules, facts, verdicts, _views = order_eligibility(order, policy, now=now)
    if resolution not in Resolution.values:
        raise ReturnError(_("Choose how you want to be refunded."), code="resolution")
    if resolution == Resolution.EXCHANGE and not policy.exchanges_enabled:
        raise ReturnError(_("This store does not offer exchanges."), code="resolution")
    if len({line.order_line_id for line in lines}) != len(lines):
        raise ReturnError(_("Each item can appear only once."), code="duplicate_line")

    # Exchanges: the replacement must be another in-stock variant of the same product.
    order_lines = {line.pk: line for line in order.lines.select_related("variant")}
    chosen, replacements = [], {}
    for line in lines:
        price = None
        if resolution == Resolution.EXCHANGE:
            original = order_lines.get(line.order_line_id)
            variant = ProductVariant.objects.filter(
                pk=line.exchange_variant_id, merchant_id=order.merchant_id,
                product_id=original.variant.product_id if original else None, currency=order.currency,
            ).exclude(pk=original.variant_id if original else None).first() if line.exchange_variant_id else None
            if variant is None:
                raise ReturnError(_("Choose the replacement for each item."), code="exchange_variant")
            replacements[line.order_line_id] = variant
            price = variant.price
        chosen.append(engine.ChosenLine(line.order_line_id, line.quantity, price))
    try:
        priced = engine.quote(rules, facts, verdicts, chosen, reason_code=reason_code, resolution=resolution)
    except engine.QuoteError as exc:
        raise ReturnError(str(exc), code=exc.code) from exc

    reason = policy.reasons.get(code=reason_code)
    photos = list(photos)
    if reason.photo_required and not photos:
        raise ReturnError(_("Please add at least one photo for this reason."), code="photo_required")
    if any(p.merchant_id != order.merchant_id or p.return_request_id for p in photos):
        raise ReturnError(_("That photo belongs to another return."), code="photo")
    if method not in {o.method for o in method_options(policy, order)}:
        raise ReturnError(_("Choose a return method from the list."), code="method")
    if method == ReturnMethod.PICKUP:
        pickup_date = validate_pickup_date(pickup_date)
    else:
        pickup_date = None

    rate = customer_return_rate(order.customer)
    approval = engine.decide_approval(rules, order_total=order.total, customer_return_rate=rate)
    decision = {
        "evaluated_at": (now or timezone.now()).isoformat(),
        "lines": {str(k): v.as_json() for k, v in verdicts.items()},
        "quote": priced.as_json(),
        "approval": approval.as_json(),
        "customer_return_rate": str(rate),
        "policy": {"window_days": rules.window_days, "refund_timing": policy.refund_timing,
                   "bonus_percent": str(rules.store_credit_bonus_percent),
                   "auto_approve_max_order_value": str(rules.auto_approve_max_order_value),
                   "auto_approve_max_return_rate": str(rules.auto_approve_max_return_rate)},
    }
    try:
        with transaction.atomic():
            rr = ReturnRequest.objects.create(
                merchant=order.merchant, order=order, customer=order.customer, idempotency_key=idempotency_key,
                resolution=resolution, method=method, pickup_date=pickup_date, reason_code=reason_code,
                reason_label=reason.label, comment=comment[:2000], locale=locale[:5], currency=order.currency,
                items_total=priced.items_total, restocking_fee=priced.restocking_fee,
                shipping_fee=priced.shipping_fee, exchange_difference=priced.exchange_difference,
                difference_as_credit=difference_as_credit and resolution == Resolution.EXCHANGE,
                refund_amount=priced.refund_amount, credit_bonus=priced.credit_bonus,
                co2_grams=co2.estimate_grams(method, origin_country=order.ship_country,
                                             destination_country=policy.warehouse_country),
                decision=decision,
            )
    except IntegrityError:  # the same form submitted twice at the same moment
        return ReturnRequest.objects.get(merchant_id=order.merchant_id, idempotency_key=idempotency_key), False
    ReturnLine.objects.bulk_create(
        ReturnLine(return_request=rr, order_line_id=c.order_line_id, quantity=c.quantity,
                   unit_price=order_lines[c.order_line_id].unit_price,
                   exchange_variant=replacements.get(c.order_line_id), exchange_unit_price=c.exchange_unit_price)
        for c in chosen
    )
    for c in chosen:
        if c.order_line_id in replacements:
            stock_reserve(variant=replacements[c.order_line_id], quantity=c.quantity)
    ReturnPhoto.objects.filter(pk__in=[p.pk for p in photos]).update(return_request=rr)
    ReturnEvent.objects.create(return_request=rr, from_status="", to_status=ReturnStatus.REQUESTED,
                               actor=ReturnEvent.Actor.SHOPPER, note=comment[:500])
    return_notify(rr, "return_requested")
    return_webhook_emit(rr=rr, event_type="return.requested")
    if approval.auto:
        try:
            with transaction.atomic():
                return_approve(rr=rr, by="system", note="Auto-approved: order value and return rate within limits.")
        except ReturnError as exc:
            # The carrier refused the label: staff review it instead of the shopper seeing an error.
            rr.refresh_from_db()
            rr.decision["approval"]["error"] = exc.message
            rr.save(update_fields=["decision", "updated_at"])
            log_note(rr, by="system", note=f"Auto-approval failed, left for review: {exc.message}")
    rr.refresh_from_db()
    return rr, True


# --- Staff decisions ---------------------------------------------------------------------------------
def _lock(rr: ReturnRequest) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update().select_related("merchant", "order", "customer").get(pk=rr.pk)


@transaction.atomic
def return_approve(*, rr: ReturnRequest, by, note: str = "") -> ReturnRequest:
    """Approve and book the parcel's way back (label / QR / pickup). A carrier refusal undoes the approval."""
    locked = _lock(rr)
    apply_transition(locked, ReturnStatus.APPROVED, by=by, note=note)
    return_label_create(rr=locked, policy=return_policy_ensure(merchant=locked.merchant))
    return_notify(locked, "return_approved")
    return_webhook_emit(rr=locked, event_type="return.approved")
    return locked


@transaction.atomic
def return_reject(*, rr: ReturnRequest, by, reason: str) -> ReturnRequest:
    if not (reason or "").strip():
        raise ReturnError(_("Give the shopper a reason for the rejection."), code="reason_required")
    locked = _lock(rr)
    apply_transition(locked, ReturnStatus.REJECTED, by=by, note=reason)
    locked.rejection_reason = reason.strip()
    locked.save(update_fields=["rejection_reason", "updated_at"])
    if locked.resolution in (Resolution.EXCHANGE, Resolution.REPLACEMENT):
        exchange_release_stock(rr=locked, by=by)
    if locked.is_claim:  # its items may be reported again: the tracking page offers it again
        from tracking.page.versions import order_page_changed

        order_page_changed(order_id=locked.order_id)
    return_notify(locked, "return_rejected")
    return_webhook_emit(rr=locked, event_type="return.rejected")
    return locked


@transaction.atomic
def return_close(*, rr: ReturnRequest, by, note: str) -> ReturnRequest:
    """Close an approved return that never came back (or an inspected one with nothing to pay)."""
    if not (note or "").strip():
        raise ReturnError(_("Say why the return is closed."), code="reason_required")
    locked = _lock(rr)
    apply_transition(locked, ReturnStatus.CLOSED, by=by, note=note)
    if locked.resolution in (Resolution.EXCHANGE, Resolution.REPLACEMENT) and not locked.exchange_order_id:
        exchange_release_stock(rr=locked, by=by)
    return locked


# --- The parcel's journey ----------------------------------------------------------------------------
@transaction.atomic
def return_mark_in_transit(*, rr: ReturnRequest, by="system", note: str = "") -> ReturnRequest:
    locked = _lock(rr)
    apply_transition(locked, ReturnStatus.IN_TRANSIT, by=by, note=note or "First carrier scan.")
    if locked.merchant.return_policy.refund_timing == RefundTiming.FIRST_SCAN:
        _release_quietly(locked, by=by)
    return locked


@transaction.atomic
def return_mark_received(*, rr: ReturnRequest, by, note: str = "") -> ReturnRequest:
    locked = _lock(rr)
    apply_transition(locked, ReturnStatus.RECEIVED, by=by, note=note or "Parcel received at the warehouse.")
    if locked.merchant.return_policy.refund_timing in (RefundTiming.FIRST_SCAN, RefundTiming.ON_RECEIPT):
        _release_quietly(locked, by=by)
    return_notify(locked, "return_received")
    return_webhook_emit(rr=locked, event_type="return.received")
    return locked


@dataclass(frozen=True)
class LineInspection:
    line_id: int
    result: str  # accepted | rejected | partial
    accepted_quantity: int | None = None  # for partial
    condition: str = ""
    note: str = ""


@transaction.atomic
def return_inspect(*, rr: ReturnRequest, by, results: list[LineInspection]) -> ReturnRequest:
    """Record the inspection of every line, then pay (if the policy waits for inspection) and finish.

    Partial acceptance scales the refund/credit by the accepted share of the goods' value. Nothing
    accepted closes the return without payment. If the inspector may not send the money (permission,
    or a limit that needs a lead's approval) the inspection still stands, the money waits, and the
    returned object carries the reason as ``money_held`` (a MoneyHeld) for the caller to show.
    """
    locked = _lock(rr)
    lines = {line.pk: line for line in locked.lines.all()}
    by_line = {r.line_id: r for r in results}
    if set(by_line) != set(lines):
        raise ReturnError("Inspect every line of the return (and only those).", code="inspection_lines")
    for line_id, result in by_line.items():
        line = lines[line_id]
        if result.result == ReturnLine.Inspection.ACCEPTED:
            accepted = line.quantity
        elif result.result == ReturnLine.Inspection.REJECTED:
            accepted = 0
        elif result.result == ReturnLine.Inspection.PARTIAL:
            accepted = result.accepted_quantity
            if accepted is None or not 0 < accepted < line.quantity:
                raise ReturnError(f"Partial acceptance of {line} needs a quantity between 1 and {line.quantity - 1}.",
                                  code="inspection_quantity")
            if not result.note.strip():
                raise ReturnError("Explain a partial acceptance in the note.", code="inspection_note")
        else:
            raise ReturnError(f"Unknown inspection result {result.result!r}.", code="inspection_result")
        if result.condition and result.condition not in INSPECTION_CONDITIONS:
            raise ReturnError(f"Unknown condition {result.condition!r}.", code="inspection_condition")
        line.inspection, line.accepted_quantity = result.result, accepted
        line.condition, line.inspection_note = result.condition, result.note[:2000]
        line.save(update_fields=["inspection", "accepted_quantity", "condition", "inspection_note"])
    summary = ", ".join(f"{lines[i].order_line.sku}: {r.result} {lines[i].accepted_quantity}/{lines[i].quantity}"
                        for i, r in by_line.items())
    apply_transition(locked, ReturnStatus.INSPECTED, by=by, note=summary)

    accepted_value = sum((line.unit_price * line.accepted_quantity for line in lines.values()), Decimal("0"))
    fully = accepted_value == locked.items_total
    released = _money_released(locked)
    if accepted_value == 0 or (locked.resolution == Resolution.EXCHANGE and not fully):
        if released:
            log_note(locked, by=by, note="Items rejected after money was already released: follow up by hand.")
        else:
            apply_transition(locked, ReturnStatus.CLOSED, by=by, note="Nothing accepted for the resolution.")
            if locked.resolution == Resolution.EXCHANGE:
                exchange_release_stock(rr=locked, by=by)
            return_notify(locked, "return_closed")
            return locked
    if not released and not fully and locked.items_total > 0:
        share = accepted_value / locked.items_total
        locked.refund_amount = quantize(locked.refund_amount * share, locked.currency)
        locked.credit_bonus = quantize(locked.credit_bonus * share, locked.currency)
        locked.save(update_fields=["refund_amount", "credit_bonus", "updated_at"])
    if not released:
        try:
            return_release_money(rr=locked, by=by)
        except MoneyHeld as exc:
            # The inspection stands; the money waits (in the "to refund" queue) for someone allowed to
            # send it, or for the lead's approval that was just requested.
            log_note(locked, by=by, note=f"Money held after inspection: {exc.message}")
            locked.money_held = exc
    return_finish_if_ready(rr=locked)
    return locked


# --- Money -------------------------------------------------------------------------------------------
def _money_released(rr: ReturnRequest) -> bool:
    if rr.resolution == Resolution.REFUND:
        return has_live_refund(rr, Refund.Kind.PAYMENT)
    if rr.resolution == Resolution.STORE_CREDIT:
        return has_live_refund(rr, Refund.Kind.STORE_CREDIT)
    return bool(rr.exchange_order_id)


def _money_done(rr: ReturnRequest) -> bool:
    def succeeded(kind):
        return rr.refunds.filter(kind=kind, status=Refund.Status.SUCCEEDED).exists()

    if rr.resolution == Resolution.REFUND:
        return succeeded(Refund.Kind.PAYMENT)
    if rr.resolution == Resolution.STORE_CREDIT:
        return succeeded(Refund.Kind.STORE_CREDIT)
    if not rr.exchange_order_id:
        return False
    if rr.refund_amount > 0:
        return succeeded(Refund.Kind.STORE_CREDIT if rr.difference_as_credit else Refund.Kind.PAYMENT)
    return True


def return_release_money(*, rr: ReturnRequest, by) -> None:
    """Refund, credit or ship the exchange — whichever the shopper chose — unless already done.

    A staff user needs the permission for that kind of money, and above their membership's limit a
    lead's approval (returns.money.authority): MoneyNotPermitted or MoneyNeedsApproval is raised and
    nothing moves; for the latter the request is recorded for a lead first."""
    try:
        _release_money(rr=rr, by=by)
    except MoneyNeedsApproval as exc:
        exc.approval = money_approval_request(rr=rr, by=by, kind=exc.kind, amount=exc.amount)
        raise


@transaction.atomic
def _release_money(*, rr: ReturnRequest, by) -> None:
    locked = _lock(rr)
    if locked.status in (ReturnStatus.REQUESTED, ReturnStatus.REJECTED, ReturnStatus.CLOSED):
        raise ReturnError("This return is not approved.", code="not_approved")
    money = pending_money(locked)
    if money is not None:
        money_check(rr=locked, by=by, money=money)
    if locked.resolution == Resolution.REFUND:
        if not has_live_refund(locked, Refund.Kind.PAYMENT):
            return_refund(rr=locked, by=by)
    elif locked.resolution == Resolution.STORE_CREDIT:
        if not has_live_refund(locked, Refund.Kind.STORE_CREDIT):
            return_credit(rr=locked, by=by)
    else:
        return_exchange(rr=locked, by=by)
        if locked.refund_amount > 0:
            kind = Refund.Kind.STORE_CREDIT if locked.difference_as_credit else Refund.Kind.PAYMENT
            if not has_live_refund(locked, kind):
                if locked.difference_as_credit:
                    return_credit(rr=locked, by=by, amount=locked.refund_amount)
                else:
                    return_refund(rr=locked, by=by)
    if money is not None:
        money_approvals_settle(rr=locked)


def _release_quietly(rr: ReturnRequest, *, by) -> None:
    """Automatic release (on a carrier scan or a receipt): a refusal is logged for staff instead of
    undoing the scan. The release rolls back on its own; a lead's approval it asked for stays."""
    try:
        return_release_money(rr=rr, by=by)
    except ReturnError as exc:
        log_note(rr, by="system", note=f"Automatic refund held: {exc.message}")


@transaction.atomic
def return_finish_if_ready(*, rr: ReturnRequest) -> ReturnRequest:
    """Inspected (a claim: approved) and paid → the final state for the resolution (refunded /
    credited / exchanged)."""
    locked = _lock(rr)
    ready = ReturnStatus.APPROVED if locked.is_claim else ReturnStatus.INSPECTED
    if locked.status != ready or not _money_done(locked):
        return locked
    target = FINAL_STATUS[locked.resolution]
    apply_transition(locked, target, by="system")
    return_notify(locked, "return_resolved")
    return locked


def is_open(rr: ReturnRequest) -> bool:
    return rr.status not in TERMINAL


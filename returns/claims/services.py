"""Claims' writes: the shopper reports a problem (claim_submit), staff or the policy approve it
(claim_approve); rejection and closing are the returns workflow's own (return_reject, return_close).

A claim is a ReturnRequest of kind "claim", method "none": no label, no parcel back. Once approved,
the money goes through the same door as a return's — ``return_release_money`` (permissions, a
lead's approval above a limit, the per-order ledger) — and a replacement through the exchange
service (a replacement order and its outbound shipment). Every refusal raises ReturnError in the
shopper's language and writes nothing.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from returns.claims import rules
from returns.claims.models import ClaimPolicy
from returns.errors import ReturnError
from returns.files.photos import PhotoRejected, clean_photo
from returns.models import (
    ClaimType,
    RequestKind,
    Resolution,
    ReturnEvent,
    ReturnLine,
    ReturnMethod,
    ReturnPhoto,
    ReturnRequest,
    ReturnStatus,
)
from returns.money.authority import (
    APPROVE_CLAIM,
    MoneyHeld,
    MoneyNeedsApproval,
    MoneyNotPermitted,
)
from returns.policy.services import return_policy_ensure
from returns.services.exchanges import stock_reserve
from returns.services.notify import return_notify
from returns.services.transitions import apply_transition, log_note
from returns.services.webhooks import return_webhook_emit
from tracking.models import Order, Shipment
from tracking.page.presenters import format_day, merchant_zone
from tracking.page.versions import order_page_changed
from tracking.staff.selectors import membership_for

logger = logging.getLogger(__name__)

# Quantities of these claims no longer count as reported (the shopper may report again).
RELEASED = (ReturnStatus.REJECTED,)


@dataclass(frozen=True)
class ClaimedLine:
    order_line_id: int
    quantity: int


@dataclass(frozen=True)
class ClaimableLine:
    order_line: object  # tracking.models.OrderLine
    shipped: int
    claimed: int
    returned: int = 0  # in a return of the order (not rejected): not claimed as well

    @property
    def remaining(self) -> int:
        return max(0, self.shipped - self.claimed - self.returned)


def claim_policy_ensure(*, merchant) -> ClaimPolicy:
    policy, _created = ClaimPolicy.objects.get_or_create(merchant=merchant)
    return policy


def claim_policy_for(merchant) -> ClaimPolicy:
    """The merchant's policy, or the defaults without writing one (for pages that only read)."""
    return ClaimPolicy.objects.filter(merchant=merchant).first() or ClaimPolicy(merchant=merchant)


def resolutions_allowed(policy: ClaimPolicy) -> list[tuple[str, str]]:
    """(code, label in the active language) of the resolutions the merchant's policy offers."""
    choices = []
    if policy.allow_replacement:
        choices.append((Resolution.REPLACEMENT, _("Send the items again")))
    if policy.allow_refund:
        choices.append((Resolution.REFUND, _("Refund to my original payment")))
    if policy.allow_store_credit:
        choices.append((Resolution.STORE_CREDIT, _("Store credit")))
    return choices


def claim_type_label(code: str) -> str:
    """The claim type in the active language, from its code."""
    return str(ClaimType(code).label) if code in ClaimType.values else code


def claimable_lines(shipment: Shipment) -> list[ClaimableLine]:
    """What was in the parcel and how much of each line is already claimed (rejected claims aside).
    A parcel without line detail carries its whole order when it is the order's only parcel."""
    shipped = {row["order_line_id"]: row["q"] for row in
               shipment.lines.values("order_line_id").annotate(q=Sum("quantity"))}
    order_lines = {line.pk: line for line in shipment.order.lines.all()}
    if not shipped and not shipment.order.shipments.filter(is_return=False).exclude(pk=shipment.pk).exists():
        shipped = {pk: line.quantity for pk, line in order_lines.items()}
    claimed = {row["order_line_id"]: row["q"] for row in
               ReturnLine.objects.filter(return_request__claim_shipment=shipment,
                                         return_request__kind=RequestKind.CLAIM)
               .exclude(return_request__status__in=RELEASED)
               .values("order_line_id").annotate(q=Sum("quantity"))}
    returned = {row["order_line_id"]: row["q"] for row in
                ReturnLine.objects.filter(return_request__order_id=shipment.order_id,
                                          return_request__kind=RequestKind.RETURN,
                                          order_line_id__in=list(shipped))
                .exclude(return_request__status__in=RELEASED)
                .values("order_line_id").annotate(q=Sum("quantity"))}
    return [ClaimableLine(order_lines[pk], qty, claimed.get(pk, 0), returned.get(pk, 0))
            for pk, qty in sorted(shipped.items()) if pk in order_lines]


@dataclass(frozen=True)
class Claimability:
    types: tuple[str, ...]
    closed_on: str = ""  # the last day to report, when the window has closed (formatted)
    lines: tuple[ClaimableLine, ...] = ()

    @property
    def open(self) -> bool:
        return bool(self.types) and not self.closed_on and any(line.remaining for line in self.lines)


def claimability(*, shipment: Shipment, policy: ClaimPolicy, now: datetime | None = None,
                 with_lines: bool = True) -> Claimability:
    now = now or timezone.now()
    facts = rules.ParcelFacts.of(shipment)
    types = rules.claim_types(facts, lost_after_days=policy.lost_after_days, now=now)
    closed_on = ""
    if types and rules.window_closed(facts, window_days=policy.window_days, now=now):
        end = rules.window_start(facts) + timedelta(days=policy.window_days)
        closed_on = format_day(timezone.localtime(end, merchant_zone(shipment.merchant)).date())
    lines = tuple(claimable_lines(shipment)) if with_lines and types else ()
    return Claimability(types=types, closed_on=closed_on, lines=lines)


# --- The shopper reports a problem -------------------------------------------------------------------
def _clean_photos(photos) -> list:
    if len(photos) > settings.DOORSTEP_RETURN_PHOTO_MAX_COUNT:
        raise ReturnError(_("You can add at most %(n)s photos.") % {"n": settings.DOORSTEP_RETURN_PHOTO_MAX_COUNT},
                          code="photo")
    limit = settings.DOORSTEP_RETURN_PHOTO_MAX_BYTES
    cleaned = []
    for upload in photos:
        name = str(getattr(upload, "name", "") or _("Photo"))[:80]
        try:
            cleaned.append(clean_photo(upload.read(limit + 1), max_bytes=limit))
        except PhotoRejected as exc:
            raise ReturnError(f"{name}: {exc}", code="photo") from exc
    return cleaned


@transaction.atomic
def claim_submit(
    *,
    order: Order,
    shipment: Shipment,
    claim_type: str,
    lines: list[ClaimedLine],
    resolution: str,
    idempotency_key: str,
    note: str = "",
    photos=(),
    locale: str = "",
    now: datetime | None = None,
) -> tuple[ReturnRequest, bool]:
    """Record the shopper's claim. Returns (claim, created); the same idempotency key returns the
    first claim. Refusals raise ReturnError (in the active language) and nothing is written."""
    now = now or timezone.now()
    if not idempotency_key:
        raise ReturnError(_("This form has expired; please start again."), code="idempotency_key")
    existing = ReturnRequest.objects.filter(merchant_id=order.merchant_id, idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.order_id != order.pk:
            raise ReturnError(_("This form has expired; please start again."), code="idempotency_key")
        return existing, False
    # The order's lock serialises claims (and returns) of one order: two tabs cannot claim an item twice.
    order = Order.objects.select_for_update().select_related("merchant", "customer").get(pk=order.pk)
    if shipment.order_id != order.pk or shipment.is_return:
        raise ReturnError(_("That parcel is not part of this order."), code="shipment")
    shipment = Shipment.objects.select_related("merchant", "order").get(pk=shipment.pk)
    policy = claim_policy_ensure(merchant=order.merchant)
    state = claimability(shipment=shipment, policy=policy, now=now)
    if not state.types:
        raise ReturnError(_("You can report a problem once the parcel is delivered, or if it is lost. It is "
                            "still on its way."), code="not_claimable")
    if claim_type not in state.types:
        raise ReturnError(_("Choose one of the problems listed for this parcel."), code="claim_type")
    if state.closed_on:
        raise ReturnError(_("The time to report a problem with this parcel ended on %(day)s.") % {
            "day": state.closed_on}, code="window_closed")
    if resolution not in dict(resolutions_allowed(policy)):
        raise ReturnError(_("Choose what you would like from the list."), code="resolution")
    chosen = [line for line in lines if line.quantity]
    if not chosen:
        raise ReturnError(_("Choose at least one item."), code="no_items")
    if len({line.order_line_id for line in chosen}) != len(chosen):
        raise ReturnError(_("Each item can appear only once."), code="duplicate_line")
    by_line = {c.order_line.pk: c for c in state.lines}
    for line in chosen:
        claimable = by_line.get(line.order_line_id)
        if claimable is None:
            raise ReturnError(_("That item was not in this parcel."), code="line")
        if line.quantity < 0 or line.quantity > claimable.shipped:
            raise ReturnError(_("You can report at most %(n)s × %(item)s: that is how many were in this parcel.")
                              % {"n": claimable.shipped, "item": claimable.order_line.title}, code="quantity")
        if line.quantity > claimable.remaining and line.quantity <= claimable.shipped - claimable.claimed:
            raise ReturnError(_("%(item)s is already part of a return.")
                              % {"item": claimable.order_line.title}, code="already_returned")
        if line.quantity > claimable.remaining:
            raise ReturnError(_("You already reported a problem with %(item)s.")
                              % {"item": claimable.order_line.title}, code="already_claimed")
    if claim_type == rules.DAMAGED and policy.photo_required_for_damaged and not photos:
        raise ReturnError(_("Please add at least one photo of the damage."), code="photo_required")
    cleaned = _clean_photos(list(photos))

    items_total = sum((by_line[line.order_line_id].order_line.unit_price * line.quantity for line in chosen),
                      Decimal(0))
    carrier_lost = rules.carrier_says_lost(rules.ParcelFacts.of(shipment))
    auto, why = False, []
    if claim_type == rules.LOST and carrier_lost and policy.auto_approve_carrier_lost:
        auto, why = True, ["the carrier confirmed the parcel lost"]
    elif policy.auto_approve_max_value and items_total <= policy.auto_approve_max_value:
        auto, why = True, [f"value {items_total} within the limit {policy.auto_approve_max_value}"]
    if not auto:
        why = ["value above the auto-approval limit" if policy.auto_approve_max_value else
               "no auto-approval rule applies"]
    try:
        with transaction.atomic():
            rr = ReturnRequest.objects.create(
                merchant=order.merchant, order=order, customer=order.customer, idempotency_key=idempotency_key,
                kind=RequestKind.CLAIM, claim_type=claim_type, claim_shipment=shipment, resolution=resolution,
                method=ReturnMethod.NONE, reason_code=claim_type, reason_label=claim_type_label(claim_type),
                comment=note[:2000], locale=locale[:5], currency=order.currency, items_total=items_total,
                refund_amount=Decimal(0) if resolution == Resolution.REPLACEMENT else items_total,
                decision={"evaluated_at": now.isoformat(),
                          "claim": {"type": claim_type, "carrier_says_lost": carrier_lost,
                                    "parcel_status": shipment.status, "tracking_number": shipment.tracking_number},
                          "approval": {"auto": auto, "reasons": why},
                          "policy": {"window_days": policy.window_days,
                                     "auto_approve_max_value": str(policy.auto_approve_max_value),
                                     "auto_approve_carrier_lost": policy.auto_approve_carrier_lost}},
            )
    except IntegrityError:  # the same form submitted twice at the same moment
        return ReturnRequest.objects.get(merchant_id=order.merchant_id, idempotency_key=idempotency_key), False
    replacement = resolution == Resolution.REPLACEMENT
    for line in chosen:
        order_line = by_line[line.order_line_id].order_line
        ReturnLine.objects.create(
            return_request=rr, order_line=order_line, quantity=line.quantity, unit_price=order_line.unit_price,
            exchange_variant=order_line.variant if replacement else None,
            exchange_unit_price=order_line.unit_price if replacement else None)
        if replacement:
            stock_reserve(variant=order_line.variant, quantity=line.quantity)
    for clean in cleaned:
        name = default_storage.save(f"returns/photos/{secrets.token_hex(16)}.jpg", ContentFile(clean.content))
        ReturnPhoto.objects.create(merchant=order.merchant, return_request=rr, file=name, width=clean.width,
                                   height=clean.height, size=len(clean.content))
    ReturnEvent.objects.create(return_request=rr, from_status="", to_status=ReturnStatus.REQUESTED,
                               actor=ReturnEvent.Actor.SHOPPER, note=note[:500])
    if not auto:  # approved at once: the approval (or settlement) email is the one to send
        return_notify(rr, "return_requested")
    return_webhook_emit(rr=rr, event_type="return.requested")
    # The tracking page offers "Report a problem" only while something is left to report.
    order_page_changed(order_id=order.pk)
    if auto:
        claim_approve(rr=rr, by="system", note="Auto-approved: " + "; ".join(why) + ".")
    rr.refresh_from_db()
    return rr, True


# --- Staff (or the policy) decide --------------------------------------------------------------------
def _check_approver(rr: ReturnRequest, by) -> None:
    if isinstance(by, str):
        return  # the merchant's own policy (auto-approval)
    if not by.has_perm(APPROVE_CLAIM):
        raise MoneyNotPermitted(f"Approving a claim needs the “{APPROVE_CLAIM}” permission, which you do not "
                                f"have (Support leads hold it). Nothing changed.")
    if by.is_active and by.is_superuser:
        return
    membership = membership_for(by, rr.merchant_id)
    if membership is None:
        raise MoneyNotPermitted("You are not a member of this claim's merchant. Nothing changed.")
    if (rr.resolution == Resolution.REPLACEMENT and membership.money_limit is not None
            and rr.items_total > membership.money_limit):
        # A replacement moves goods, not money, so there is no refund to hold for a lead: a lead (or a
        # superuser) with a high enough limit approves it instead.
        raise MoneyNeedsApproval(
            f"A replacement worth {rr.items_total} {rr.currency} is above your limit of {membership.money_limit} "
            f"{rr.currency}: a lead with a higher limit must approve this claim. Nothing changed.",
            kind="replacement", amount=rr.items_total)


@transaction.atomic
def claim_approve(*, rr: ReturnRequest, by, note: str = "") -> ReturnRequest:
    """Approve a claim and settle it: refund or credit through return_release_money (the approver's
    money permission and limit apply; above the limit a lead's approval is requested and the claim
    waits, approved, in Money approvals), or ship the replacement. A refusal of the money leaves the
    claim approved with the reason on ``money_held``; a missing approve_claim permission changes nothing."""
    from returns.services.workflow import return_finish_if_ready, return_release_money

    locked = ReturnRequest.objects.select_for_update().select_related("merchant", "order", "customer").get(pk=rr.pk)
    if not locked.is_claim:
        raise ReturnError("This is a return, not a claim.", code="not_a_claim")
    _check_approver(locked, by)
    apply_transition(locked, ReturnStatus.APPROVED, by=by, note=note)
    if locked.resolution == Resolution.REPLACEMENT:
        return_policy_ensure(merchant=locked.merchant)  # the replacement ships from its warehouse, by its carrier
    return_webhook_emit(rr=locked, event_type="return.approved")
    held = None
    try:
        return_release_money(rr=locked, by=by)
    except MoneyHeld as exc:
        log_note(locked, by=by, note=f"Money held after approval: {exc.message}")
        held = exc
    except ReturnError as exc:  # e.g. the carrier refused the replacement's label: staff retry from admin
        log_note(locked, by="system", note=f"Could not settle the claim yet: {exc.message}")
        held = exc
    finished = locked if held is not None else return_finish_if_ready(rr=locked)
    if finished.status == ReturnStatus.APPROVED:
        # Settled at once (credit, replacement) the shopper gets the "settled" email instead.
        return_notify(finished, "return_approved")
    finished.money_held = held
    return finished

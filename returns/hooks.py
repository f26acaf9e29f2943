"""What returns answers on the extension points of tracking.extensions (registered in
ReturnsConfig.ready), so neither tracking nor feedback imports returns, and returns never imports
feedback."""
from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from returns.models import ReturnRequest
from returns.states import TERMINAL


def order_links(order, token: str) -> list[tuple[str, str]]:
    """The tracking page's "Start a return", with the order's own signed token."""
    return [(_("Start a return"), reverse("returns:order", args=[token]))]


def order_has_open_return(order_id: int) -> bool:
    """For the post-purchase offer: an order with a return still in progress is not the moment."""
    return ReturnRequest.objects.filter(order_id=order_id).exclude(status__in=TERMINAL).exists()


def open_return_blocks_survey(order, survey_settings) -> str:
    """SURVEY_HOLDS: hold the NPS survey
    while the shopper has a return in progress, when the merchant asks to."""
    if not getattr(survey_settings, "hold_while_return", True):
        return ""
    open_return = (ReturnRequest.objects.filter(customer_id=order.customer_id)
                   .exclude(status__in=TERMINAL).exists())
    return "open_return_request" if open_return else ""


def grant_store_credit(*, customer, amount: Decimal, currency: str, reference: str, note: str) -> str:
    """STORE_CREDIT: credit a customer's balance outside a return, e.g.
    feedback's thank-you incentive. Idempotent on ``reference``; returns the customer's credit code."""
    from returns.money.credit import store_credit_grant

    return store_credit_grant(customer=customer, amount=amount, currency=currency, reference=reference,
                              note=note).account.code


def platform_refund_record(*, order, amount: Decimal, currency: str, reference: str) -> None:
    """A refund made in the connected store (tracking.stores): count it in the order's ledger, so a
    Doorstep refund can never give back more than the shopper paid in total. Capped at what was paid
    (the store may have refunded shipping or a gift card Doorstep never counted)."""
    from django.db.models import F
    from django.db.models.functions import Least

    from returns.models import RefundLedger
    from returns.money.refunds import ledger_for_update

    if amount <= 0:
        return
    ledger = ledger_for_update(order)
    RefundLedger.objects.filter(pk=ledger.pk).update(refunded_total=Least(F("refunded_total") + amount,
                                                                          F("paid_total")))

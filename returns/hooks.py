"""What returns tells the rest of Doorstep, through hooks the other areas expose (tracking's
registries and feedback's settings), so neither imports returns and returns never imports feedback."""
from __future__ import annotations

from decimal import Decimal

from returns.models import ReturnRequest
from returns.states import TERMINAL


def order_has_open_return(order_id: int) -> bool:
    """For the post-purchase offer: an order with a return still in progress is not the moment."""
    return ReturnRequest.objects.filter(order_id=order_id).exclude(status__in=TERMINAL).exists()


def open_return_blocks_survey(order, survey_settings) -> str:
    """Feedback's survey blocker (listed in settings.DOORSTEP_SURVEY_BLOCKERS): hold the NPS survey
    while the shopper has a return in progress, when the merchant asks to."""
    if not getattr(survey_settings, "hold_while_return", True):
        return ""
    open_return = (ReturnRequest.objects.filter(customer_id=order.customer_id)
                   .exclude(status__in=TERMINAL).exists())
    return "open_return_request" if open_return else ""


def grant_store_credit(*, customer, amount: Decimal, currency: str, reference: str, note: str) -> str:
    """Credit a customer's balance outside a return (settings.DOORSTEP_STORE_CREDIT_GRANTER), e.g.
    feedback's thank-you incentive. Idempotent on ``reference``; returns the customer's credit code."""
    from returns.money.credit import store_credit_grant

    return store_credit_grant(customer=customer, amount=amount, currency=currency, reference=reference,
                              note=note).account.code

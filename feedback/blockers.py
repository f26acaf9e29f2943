"""Reasons to hold a survey back.

A blocker is a callable ``(order, survey_settings) -> str`` returning a short reason to wait
("" = no objection). The built-ins read tracking data only. Other apps (returns, which knows about
open return requests) register theirs on tracking.extensions.SURVEY_HOLDS, so the dependency stays
one-way: feedback never imports returns, and returns never imports feedback.
"""
from __future__ import annotations

from tracking import extensions
from tracking.carriers import status as st
from tracking.models import Order, Shipment

from feedback.models import SurveySettings


def open_exception(order: Order, conf: SurveySettings) -> str:
    """One of the customer's parcels (this order or another) is stuck in an exception."""
    if not conf.hold_while_exception:
        return ""
    found = Shipment.objects.filter(order__customer_id=order.customer_id, is_return=False,
                                    status=st.EXCEPTION).exists()
    return "open_exception" if found else ""


def open_return_shipment(order: Order, conf: SurveySettings) -> str:
    """A return parcel of the customer is still travelling back (not yet in a terminal state)."""
    if not conf.hold_while_return:
        return ""
    found = (Shipment.objects.filter(order__customer_id=order.customer_id, is_return=True)
             .exclude(status__in=st.TERMINAL).exists())
    return "open_return" if found else ""


def parcels_in_transit(order: Order, conf: SurveySettings) -> str:
    """Wait for every parcel of a multi-parcel order, so the shopper rates the whole delivery."""
    found = (Shipment.objects.filter(order=order, is_return=False)
             .exclude(status__in=st.TERMINAL).exists())
    return "parcels_in_transit" if found else ""


BUILT_IN = (parcels_in_transit, open_exception, open_return_shipment)


def survey_blockers():
    return BUILT_IN + tuple(blocker for _, blocker in extensions.SURVEY_HOLDS.implementations())


def hold_reason(order: Order, conf: SurveySettings) -> str:
    """The first objection to sending the survey for ``order`` now, or ""."""
    for blocker in survey_blockers():
        reason = blocker(order, conf)
        if reason:
            return reason
    return ""

"""Shipping emails, requested from tracking's own signals (connected in TrackingConfig.ready).

Each email announces one fact and its dedupe key names that fact, so a replayed carrier event, a
retried task or a second worker asks again and nothing is sent twice:

* shipped            shipment:<id>:shipped                   first move out of pending/info_received into
                                                             in_transit (a first scan that is already "out
                                                             for delivery" gets that email instead)
* out for delivery   shipment:<id>:out_for_delivery:<date>   once per delivery day
* failed attempt     shipment:<id>:failed_attempt:<when>     once per attempt
* delivered          shipment:<id>:delivered
* running late       shipment:<id>:delayed:late:<promised day>         once per promise (one delay episode)
* stopped            shipment:<id>:exception:<kind>:<began>            once per stop (lost, damaged, customs…)
* follow-up          shipment:<id>:case:<case id>:follow_up:<n>        the update we promised, n-th time
* moving again       shipment:<id>:case:<case id>:resolved             the promised update came early

The last four are requested by tracking.edd.delays inside the transaction that opens, follows up
or resolves the case, after it decided the shopper should hear (the rule and its settings are there):
the case and its email commit together, so neither exists without the other.
"""
from __future__ import annotations

import logging

from django.utils import timezone

from tracking.carriers import status as st
from tracking.models import DelayCase, NotificationCategory, Shipment
from tracking.page.presenters import carrier_display, merchant_zone
from tracking.notifications.services import notification_request

logger = logging.getLogger(__name__)

_BEFORE_SHIPPING = {st.PENDING, st.INFO_RECEIVED}


def _shipment(shipment_id: int) -> Shipment | None:
    shipment = (Shipment.objects.select_related("merchant", "order__customer").filter(pk=shipment_id).first())
    if shipment is None or shipment.is_return:  # return parcels are the returns app's to announce
        return None
    return shipment


def _context(shipment: Shipment, **extra) -> dict:
    carrier_name, carrier_url = carrier_display(shipment.carrier, shipment.tracking_number)
    window_start = shipment.predicted_window_start or shipment.carrier_delivery_date
    window_end = shipment.predicted_window_end or shipment.carrier_delivery_date
    return {
        "tracking_number": shipment.tracking_number,
        "carrier_name": carrier_name,
        "carrier_url": carrier_url,
        "window_start": window_start.isoformat() if window_start else "",
        "window_end": window_end.isoformat() if window_end else "",
        "reason": shipment.status_reason,
        **extra,
    }


def _request(shipment: Shipment, *, kind: str, fact: str, **extra) -> None:
    order = shipment.order
    notification_request(
        merchant=shipment.merchant, customer=order.customer, order=order, kind=kind,
        category=NotificationCategory.SHIPPING, dedupe_key=f"shipment:{shipment.pk}:{fact}",
        context=_context(shipment, **extra),
    )


def on_status_changed(sender, *, shipment_id, new_status, old_status="", **kwargs):
    if new_status not in (st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, st.DELIVERED):
        return
    if new_status == st.IN_TRANSIT and old_status not in _BEFORE_SHIPPING:
        return  # moving again after a hold is not "shipped"
    shipment = _shipment(shipment_id)
    if shipment is None:
        return
    if new_status == st.IN_TRANSIT:
        _request(shipment, kind="shipment_shipped", fact="shipped")
    elif new_status == st.OUT_FOR_DELIVERY:
        moment = shipment.last_event_at
        day = moment.astimezone(merchant_zone(shipment.merchant)).date().isoformat() if moment else "today"
        _request(shipment, kind="shipment_out_for_delivery", fact=f"out_for_delivery:{day}")
    elif new_status == st.FAILED_ATTEMPT:
        when = shipment.last_event_at.isoformat() if shipment.last_event_at else "unknown"
        _request(shipment, kind="shipment_failed_attempt", fact=f"failed_attempt:{when}")
    else:
        delivered = shipment.delivered_at.isoformat() if shipment.delivered_at else ""
        _request(shipment, kind="shipment_delivered", fact="delivered", delivered_at=delivered)


def delay_notice_request(*, case: DelayCase, shipment: Shipment) -> None:
    """"Your order is running late": the promise we missed, the new estimate, the carrier's reason."""
    promised = shipment.promised_delivery_date
    _request(shipment, kind="shipment_delayed", fact=f"delayed:{case.episode}",
             delay_reason=shipment.status_reason if case.kind == DelayCase.Kind.DELAY_REASON else "",
             delay_kind=case.kind, promised_date=promised.isoformat() if promised else "",
             likely_date=case.predicted_date.isoformat() if case.predicted_date else "")


def _follow_up_day(case: DelayCase, shipment: Shipment) -> str:
    if case.follow_up_due is None:
        return ""
    return timezone.localtime(case.follow_up_due, merchant_zone(shipment.merchant)).date().isoformat()


def exception_notice_request(*, case: DelayCase, shipment: Shipment) -> None:
    """The parcel has stopped: what the carrier reports, when we write again, what to do."""
    _request(shipment, kind="shipment_exception", fact=f"exception:{case.episode}", exception=case.reason,
             follow_up_date=_follow_up_day(case, shipment))


def exception_update_request(*, case: DelayCase, shipment: Shipment, resolved: bool) -> None:
    """The update we promised: still stopped (and when we write next), or moving again."""
    fact = f"case:{case.pk}:resolved" if resolved else f"case:{case.pk}:follow_up:{case.follow_ups_sent}"
    _request(shipment, kind="shipment_exception_update", fact=fact, exception=case.reason, resolved=resolved,
             follow_up_date="" if resolved else _follow_up_day(case, shipment))

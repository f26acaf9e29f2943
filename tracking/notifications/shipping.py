"""Shipping emails, requested from tracking's own signals (connected in TrackingConfig.ready).

Each email announces one fact and its dedupe key names that fact, so a replayed carrier event, a
retried task or a second worker asks again and nothing is sent twice:

* shipped            shipment:<id>:shipped                   first move out of pending/info_received into
                                                             in_transit (a first scan that is already "out
                                                             for delivery" gets that email instead)
* out for delivery   shipment:<id>:out_for_delivery:<date>   once per delivery day
* failed attempt     shipment:<id>:failed_attempt:<when>     once per attempt
* delivered          shipment:<id>:delivered
* predicted late     shipment:<id>:delayed:<delay case id>   once per delay (feat-edd's DelayCase)
"""
from __future__ import annotations

import logging

from tracking.carriers import status as st
from tracking.models import NotificationCategory, Shipment
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


def on_delayed(sender, *, shipment_id, reason="", delay_case_id=None, **kwargs):
    shipment = _shipment(shipment_id)
    if shipment is None or shipment.is_terminal:
        return
    if shipment.status == st.FAILED_ATTEMPT:
        # The failed-attempt email already told the shopper, with what they can do; a second
        # "running late" email minutes later is noise.
        return
    fact = f"delayed:{delay_case_id}" if delay_case_id is not None else f"delayed:{shipment.promised_delivery_date}"
    promised = shipment.promised_delivery_date.isoformat() if shipment.promised_delivery_date else ""
    _request(shipment, kind="shipment_delayed", fact=fact, delay_reason=reason or shipment.status_reason,
             promised_date=promised)

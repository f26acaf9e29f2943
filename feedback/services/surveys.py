"""Scheduling a survey when an order is delivered, and sending it when it falls due."""
from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from tracking.carriers import status as st
from tracking.models import NotificationCategory, Shipment
from tracking.notifications.services import notification_request

from feedback import delivery
from feedback.blockers import hold_reason
from feedback.models import Survey, SurveyResponse
from feedback.selectors import order_page_changed, score_links, survey_page_url, survey_settings_for

logger = logging.getLogger(__name__)

# A held survey (open exception, return, parcels still travelling) is looked at again this much later.
HOLD_RECHECK = timedelta(hours=6)


def _delivery_facts(shipment: Shipment) -> dict:
    tz = shipment.merchant.timezone
    return {
        "delivered_at": shipment.delivered_at,
        "carrier": shipment.carrier,
        "lane": delivery.lane(shipment),
        "on_time": delivery.is_on_time(shipment, tz),
        "edd_hit": delivery.is_edd_hit(shipment, tz),
    }


def _recently_surveyed(customer_id: int, *, exclude_order_id: int, days: int, now) -> bool:
    return (Survey.objects.filter(customer_id=customer_id, status=Survey.Status.SENT,
                                  sent_at__gte=now - timedelta(days=days))
            .exclude(order_id=exclude_order_id).exists())


@transaction.atomic
def survey_schedule(*, shipment_id: int, now=None) -> Survey | None:
    """Plan the order's survey from a delivered parcel. Idempotent: one survey per order.

    A later parcel of the same order moves the send time after its own delivery and becomes the
    delivery the survey describes (carrier, lane, on-time), as the shopper rates the whole order.
    """
    now = now or timezone.now()
    shipment = Shipment.objects.select_related("merchant", "order").get(pk=shipment_id)
    if shipment.is_return or shipment.status != st.DELIVERED or shipment.delivered_at is None:
        return None
    conf = survey_settings_for(shipment.merchant)
    if not conf.enabled:
        return None
    order = shipment.order
    scheduled_for = shipment.delivered_at + timedelta(hours=conf.delay_hours)
    window = timedelta(days=conf.window_days)
    timing = {"scheduled_for": scheduled_for, "send_deadline": scheduled_for + window,
              "expires_at": scheduled_for + window}
    facts = _delivery_facts(shipment)

    survey = Survey.objects.select_for_update().filter(order=order).first()
    if survey is not None:
        if survey.status == Survey.Status.SCHEDULED and shipment.delivered_at > survey.delivered_at:
            for field, value in {**facts, **timing}.items():
                setattr(survey, field, value)
            survey.save()
            order_page_changed(order.pk)
        return survey

    status, skip_reason = Survey.Status.SCHEDULED, ""
    if _recently_surveyed(order.customer_id, exclude_order_id=order.pk, days=conf.resurvey_days, now=now):
        status, skip_reason = Survey.Status.SKIPPED, "recently_surveyed"
    elif timing["send_deadline"] <= now:
        status, skip_reason = Survey.Status.SKIPPED, "delivered_too_long_ago"
    try:
        with transaction.atomic():
            survey = Survey.objects.create(merchant=shipment.merchant, order=order, customer_id=order.customer_id,
                                           status=status, skip_reason=skip_reason, **timing, **facts)
    except IntegrityError:  # another parcel of the order got there first
        return Survey.objects.get(order=order)
    order_page_changed(order.pk)
    return survey


def _skip(survey: Survey, reason: str) -> Survey:
    survey.status, survey.skip_reason = Survey.Status.SKIPPED, reason
    survey.save(update_fields=["status", "skip_reason"])
    return survey


@transaction.atomic
def survey_send(*, survey_id: int, now=None) -> Survey:
    """Send a due survey, or hold/skip it by the rules. Idempotent: only a due SCHEDULED row moves,
    under a row lock, and the notification's dedupe key makes the email go once."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().select_related("merchant", "order", "customer").get(pk=survey_id)
    if survey.status != Survey.Status.SCHEDULED or survey.scheduled_for > now:
        return survey
    conf = survey_settings_for(survey.merchant)
    if not conf.enabled:
        return _skip(survey, "disabled")
    if SurveyResponse.objects.filter(survey=survey).exists():
        return _skip(survey, "already_answered")  # on the tracking page, before the email was due
    if _recently_surveyed(survey.customer_id, exclude_order_id=survey.order_id, days=conf.resurvey_days, now=now):
        return _skip(survey, "recently_surveyed")
    if now >= survey.send_deadline:
        return _skip(survey, f"held_too_long:{survey.hold_reason}"[:64])
    reason = hold_reason(survey.order, conf)
    if reason:
        survey.hold_reason, survey.scheduled_for = reason, now + HOLD_RECHECK
        survey.save(update_fields=["hold_reason", "scheduled_for"])
        return survey
    survey.status, survey.sent_at, survey.hold_reason = Survey.Status.SENT, now, ""
    survey.expires_at = now + timedelta(days=conf.window_days)
    survey.save(update_fields=["status", "sent_at", "hold_reason", "expires_at"])
    notification_request(
        merchant=survey.merchant, customer=survey.customer, order=survey.order, kind="nps_survey",
        category=NotificationCategory.FEEDBACK, dedupe_key=f"survey:{survey.pk}:invite",
        context={"score_links": score_links(survey), "survey_url": survey_page_url(survey),
                 "expires_on": survey.expires_at.date().isoformat()},
    )
    return survey


def due_survey_ids(*, now=None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(Survey.objects.filter(status=Survey.Status.SCHEDULED, scheduled_for__lte=now)
                .order_by("scheduled_for").values_list("pk", flat=True)[:limit])

"""Builders for feedback (NPS) tests: delivered parcels (through tracking's real services), surveys and answers."""
import datetime as dt

from django.utils import timezone

from feedback.models import Survey, SurveySettings
from tests.factories import OrderFactory, ShipmentFactory, SurveyFactory, SurveyResponseFactory
from tracking.carriers import status as st
from tracking.services.shipments import NewEvent, shipment_add_events

UTC = dt.timezone.utc


def settings_for(merchant, **kwargs):
    """The merchant's survey settings with ``kwargs`` applied (created on first use)."""
    conf, _ = SurveySettings.objects.update_or_create(merchant=merchant, defaults=kwargs)
    return conf


def set_status(shipment, status, at, capture, reason=""):
    """Record an event through tracking's service, running on-commit work (signals, tasks)."""
    with capture(execute=True):
        shipment_add_events(shipment=shipment, source="manual",
                            events=[NewEvent(occurred_at=at, status=status, reason=reason)])
    shipment.refresh_from_db()
    return shipment


def deliver(shipment, at, capture):
    return set_status(shipment, st.DELIVERED, at, capture)


def make_survey(order, *, sent_at=None, delivered_at=None, status=Survey.Status.SENT, carrier="mock",
                lane="KR→KR", on_time=None, edd_hit=None, window_days=14):
    """A survey for ``order`` sent at ``sent_at`` (or scheduled two days after delivery), open ``window_days``."""
    delivered_at = delivered_at or (sent_at or timezone.now()) - dt.timedelta(days=2)
    scheduled = sent_at or delivered_at + dt.timedelta(days=2)
    return SurveyFactory(order=order, status=status, scheduled_for=scheduled, window_days=window_days,
                         sent_at=sent_at if status == Survey.Status.SENT else None, delivered_at=delivered_at,
                         carrier=carrier, lane=lane, on_time=on_time, edd_hit=edd_hit)


def answer(survey, score, *, at, reason="", delivery=None, product=None, packaging=None):
    """The shopper's answer from the email link, stored as is (no service, no log, no follow-up)."""
    return SurveyResponseFactory(survey=survey, score=score, reason=reason, delivery_rating=delivery,
                                 product_rating=product, packaging_rating=packaging, source="email", answered_at=at)


def order_for(merchant, **kwargs):
    return OrderFactory(merchant=merchant, **kwargs)


def shipment_for(order, **kwargs):
    return ShipmentFactory(order=order, **kwargs)


def survey_emails():
    """The NPS invitations in the outbox (tracking sends its own shipping emails alongside)."""
    from django.core import mail

    return [m for m in mail.outbox if "recommend" in m.subject]

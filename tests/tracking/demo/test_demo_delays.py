"""The demo's delays are true: promises in business days on days the service delivers, parcels the mock
carrier will deliver on time never look late, stopped parcels promise no date, history is not emailed."""
import pytest
from django.utils import timezone

from tracking.carriers import mock
from tracking.carriers import status as st
from tracking.demo.seed import seed
from tracking.edd import calendar as cal
from tracking.edd import exceptions as exc
from tracking.edd.engine import delivery_calendar
from tracking.edd.tasks import detect_delays
from tracking.models import DelayCase, NotificationLog, Shipment

pytestmark = pytest.mark.django_db


def test_demo_promises_business_days_and_its_first_delay_run_tells_only_the_truth():
    now = timezone.now()
    seed(now=now, scale=0.03)
    # Replacement parcels of the demo's claims are booked by returns, without a promise to the shopper.
    parcels = list(Shipment.objects.filter(is_return=False).exclude(order__source="exchange")
                   .select_related("merchant"))
    assert parcels
    for shipment in parcels:
        days = delivery_calendar(shipment.carrier, shipment.service_level, shipment.destination_country)
        assert cal.is_business_day(shipment.promised_delivery_date, days), shipment.promised_delivery_date

    detect_delays.delay().get()
    travelling = [s for s in Shipment.objects.filter(is_return=False).select_related("merchant")
                  if s.status not in st.TERMINAL]
    assert travelling
    for shipment in travelling:
        delivered = [e for e in mock.all_scenario_events(shipment.tracking_number) if e.status == st.DELIVERED]
        on_time = delivered and cal.local_date(delivered[0].occurred_at, shipment.destination_country,
                                               shipment.merchant.timezone) <= shipment.promised_delivery_date
        if mock.scenario_for(shipment.tracking_number) == "on_time" and on_time:
            assert not shipment.is_delayed, shipment.tracking_number
        if exc.exception_kind(shipment.status, shipment.status_reason):
            assert shipment.predicted_window_start is None and not shipment.is_delayed
    horizon = now - timezone.timedelta(hours=48)
    for case in DelayCase.objects.filter(notified=True):
        assert case.began_at >= horizon
    old = DelayCase.objects.filter(shipment__shipped_at__lt=now - timezone.timedelta(days=21))
    assert old.exists() and not old.filter(notified=True).exists()
    assert NotificationLog.objects.filter(kind="shipment_delayed").count() <= DelayCase.objects.filter(
        notified=True).exclude(kind=DelayCase.Kind.EXCEPTION).count()

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import ShipmentFactory
from tracking import signals
from tracking.models import NotificationLog, NotificationOptOut, Shipment

from tests.support.page import add_events
from tracking.carriers import status as st

pytestmark = pytest.mark.django_db


def record(shipment, *statuses, callbacks, **kwargs):
    with callbacks(execute=True):
        add_events(shipment, *statuses, **kwargs)


def kinds():
    return list(NotificationLog.objects.order_by("id").values_list("kind", flat=True))


def test_one_email_per_fact_along_the_journey(shipment, django_capture_on_commit_callbacks):
    start = timezone.now() - dt.timedelta(days=2)
    record(shipment, st.INFO_RECEIVED, st.IN_TRANSIT, start=start, callbacks=django_capture_on_commit_callbacks)
    record(shipment, st.OUT_FOR_DELIVERY, start=start + dt.timedelta(hours=5),
           callbacks=django_capture_on_commit_callbacks)
    record(shipment, st.FAILED_ATTEMPT, start=start + dt.timedelta(hours=6), reason="recipient_unavailable",
           callbacks=django_capture_on_commit_callbacks)
    record(shipment, st.DELIVERED, start=start + dt.timedelta(hours=30), callbacks=django_capture_on_commit_callbacks)
    assert kinds() == ["shipment_shipped", "shipment_out_for_delivery", "shipment_failed_attempt",
                       "shipment_delivered"]
    assert len(mail.outbox) == 4
    shipped = mail.outbox[0]
    assert "#1001" in shipped.subject and "/t/" in shipped.body and shipment.tracking_number in shipped.body
    html = shipped.alternatives[0][0]
    assert "/t/" in html and "Unsubscribe" in html
    assert "choose another day" in mail.outbox[2].body


def test_replayed_events_and_repeated_signals_send_nothing_twice(shipment, django_capture_on_commit_callbacks):
    start = timezone.now() - dt.timedelta(hours=3)
    for _ in range(3):  # the carrier replays both scans three times
        record(shipment, st.IN_TRANSIT, start=start, callbacks=django_capture_on_commit_callbacks)
        record(shipment, st.OUT_FOR_DELIVERY, start=start + dt.timedelta(hours=1),
               callbacks=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # a second worker re-announcing the same change
            signals.shipment_status_changed.send(sender=Shipment, shipment_id=shipment.pk,
                                                 merchant_id=shipment.merchant_id, old_status=st.IN_TRANSIT,
                                                 new_status=st.OUT_FOR_DELIVERY, reason="")
    assert kinds() == ["shipment_shipped", "shipment_out_for_delivery"]
    assert len(mail.outbox) == 2


def test_moving_again_after_a_hold_is_not_shipped_again(shipment, django_capture_on_commit_callbacks):
    start = timezone.now() - dt.timedelta(hours=5)
    record(shipment, st.IN_TRANSIT, st.EXCEPTION, st.IN_TRANSIT, start=start,
           callbacks=django_capture_on_commit_callbacks)
    assert kinds() == ["shipment_shipped"]


def test_second_attempt_on_another_day_is_announced(shipment, django_capture_on_commit_callbacks):
    start = timezone.now() - dt.timedelta(days=2)
    for day in range(2):  # one webhook per scan, as carriers send them
        for hour, status in enumerate([st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT]):
            record(shipment, status, start=start + dt.timedelta(days=day, hours=hour),
                   callbacks=django_capture_on_commit_callbacks)
    assert kinds().count("shipment_failed_attempt") == 2
    assert kinds().count("shipment_out_for_delivery") == 2


def test_a_delay_emails_once_however_often_it_is_judged(shipment, django_capture_on_commit_callbacks):
    from tracking.edd.delays import delays_detect, shipment_detect_delay
    from tracking.page.presenters import format_window

    today = timezone.localdate()
    start, end = today + dt.timedelta(days=1), today + dt.timedelta(days=3)
    shipment.promised_delivery_date = today
    shipment.predicted_window_start, shipment.predicted_window_end = start, end
    shipment.predicted_delivery_date = today + dt.timedelta(days=2)
    shipment.status, shipment.status_reason = st.IN_TRANSIT, "weather"
    shipment.save()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            shipment_detect_delay(shipment=shipment)
        delays_detect(now=timezone.now() + dt.timedelta(days=2))  # the job, later, re-predicting
    assert kinds() == ["shipment_delayed"]
    email = mail.outbox[0]
    assert "running late" in email.subject and "Severe weather" in email.body
    assert format_window(start, end) in email.body


def test_korean_shopper_gets_korean_email(shipment, django_capture_on_commit_callbacks):
    customer = shipment.order.customer
    customer.locale = "ko"
    customer.save()
    record(shipment, st.IN_TRANSIT, callbacks=django_capture_on_commit_callbacks)
    assert "발송되었습니다" in mail.outbox[0].subject


def test_opted_out_customer_gets_no_shipping_email(shipment, django_capture_on_commit_callbacks):
    NotificationOptOut.objects.create(customer=shipment.order.customer, category="shipping")
    record(shipment, st.IN_TRANSIT, callbacks=django_capture_on_commit_callbacks)
    assert mail.outbox == [] and NotificationLog.objects.get().skip_reason == "unsubscribed"


def test_return_parcels_are_left_to_the_returns_app(order, django_capture_on_commit_callbacks):
    parcel = ShipmentFactory(order=order, is_return=True)
    record(parcel, st.IN_TRANSIT, st.DELIVERED, callbacks=django_capture_on_commit_callbacks)
    assert not NotificationLog.objects.exists()


def test_shopper_switches_shipping_emails_off_and_on_from_the_page(client, order, shipment):
    from tests.support.page import order_link

    link = order_link(order)
    response = client.post(f"{link}emails/", {"shipping_emails": "off"})
    assert response.status_code == 302
    assert NotificationOptOut.objects.filter(customer=order.customer, category="shipping").exists()
    assert "Email me shipping updates" in client.get(link).content.decode()
    client.post(f"{link}emails/", {"shipping_emails": "on"})
    assert not NotificationOptOut.objects.exists()


def test_notification_log_admin_is_read_only(admin_client, shipment, django_capture_on_commit_callbacks):
    record(shipment, st.IN_TRANSIT, callbacks=django_capture_on_commit_callbacks)
    log = NotificationLog.objects.get()
    assert admin_client.get("/admin/tracking/notificationlog/?status__exact=sent").status_code == 200
    page = admin_client.get(f"/admin/tracking/notificationlog/{log.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.get("/admin/tracking/notificationoptout/").status_code == 200


def test_a_failed_attempt_on_a_late_parcel_sends_the_failed_attempt_email_only(
        shipment, django_capture_on_commit_callbacks):
    Shipment.objects.filter(pk=shipment.pk).update(promised_delivery_date=timezone.localdate() - dt.timedelta(days=1))
    start = timezone.now() - dt.timedelta(hours=4)
    record(shipment, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, start=start,
           reason="recipient_unavailable", callbacks=django_capture_on_commit_callbacks)
    assert "shipment_failed_attempt" in kinds()
    assert "shipment_delayed" not in kinds()

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from tests.factories import CustomerFactory, MerchantFactory, OrderFactory
from tracking.models import NotificationLog, NotificationOptOut
from tracking.notifications import channels
from tracking.notifications.quiet_hours import next_allowed_time
from tracking.notifications.services import notification_request, unsubscribe_url
from tracking.notifications.tasks import send_due_notifications

UTC = dt.timezone.utc


def at(hour, minute=0, day=23):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)


class TestQuietHours:
    # Asia/Seoul is UTC+9: 13:00 UTC is 22:00 in Seoul.
    window = {"start": dt.time(21), "end": dt.time(8), "tz": "Asia/Seoul"}

    def test_outside_quiet_hours_sends_now(self):
        assert next_allowed_time(at(3), **self.window) == at(3)  # 12:00 in Seoul

    def test_late_evening_waits_until_next_morning(self):
        assert next_allowed_time(at(13), **self.window) == at(23, day=23)  # 22:00 → 08:00 next day (23:00 UTC)

    def test_early_morning_waits_until_same_morning(self):
        assert next_allowed_time(at(19), **self.window) == at(23)  # 04:00 Seoul → 08:00 Seoul

    def test_window_not_crossing_midnight(self):
        assert next_allowed_time(at(12, 30), start=dt.time(12), end=dt.time(13), tz="UTC") == at(13)

    def test_equal_bounds_mean_no_quiet_hours(self):
        assert next_allowed_time(at(2), start=dt.time(0), end=dt.time(0), tz="UTC") == at(2)


@pytest.mark.django_db
def test_request_sends_a_branded_email_once(merchant, django_capture_on_commit_callbacks):
    order = OrderFactory(merchant=merchant, number="HK-1001")
    for _ in range(3):  # a replayed carrier event asks again
        with django_capture_on_commit_callbacks(execute=True):
            notification_request(merchant=merchant, customer=order.customer, order=order, kind="shipment_delivered",
                                 category="shipping", dedupe_key=f"shipment:{order.pk}:delivered")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert "HK-1001" in email.subject and email.to == [order.customer.email]
    assert email.from_email.startswith("Acme")
    assert "List-Unsubscribe" in email.extra_headers
    html = email.alternatives[0][0]
    assert "HK-1001" in html and "/n/unsubscribe/" in html
    log = NotificationLog.objects.get()
    assert log.status == NotificationLog.Status.SENT and log.subject == email.subject


@pytest.mark.django_db
def test_email_is_in_the_shoppers_language(merchant, django_capture_on_commit_callbacks):
    order = OrderFactory(merchant=merchant, customer=CustomerFactory(merchant=merchant, locale="ko"))
    with django_capture_on_commit_callbacks(execute=True):
        notification_request(merchant=merchant, customer=order.customer, order=order, kind="shipment_delivered",
                             category="shipping", dedupe_key="k")
    assert "배송" in mail.outbox[0].subject


@pytest.mark.django_db
def test_unsubscribed_shopper_gets_nothing(client, merchant, django_capture_on_commit_callbacks):
    order = OrderFactory(merchant=merchant)
    url = unsubscribe_url(order.customer, "shipping")
    response = client.get(url.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert NotificationOptOut.objects.filter(customer=order.customer, category="shipping").exists()
    with django_capture_on_commit_callbacks(execute=True):
        logs = notification_request(merchant=merchant, customer=order.customer, order=order,
                                    kind="shipment_delivered", category="shipping", dedupe_key="k")
    assert mail.outbox == []
    assert logs[0].status == NotificationLog.Status.SKIPPED and logs[0].skip_reason == "unsubscribed"


@pytest.mark.django_db
def test_unsubscribe_can_be_undone_and_rejects_tampered_tokens(client):
    order = OrderFactory()
    path = unsubscribe_url(order.customer, "shipping").replace("http://127.0.0.1:8000", "")
    client.get(path)
    client.post(path, {"action": "resubscribe"})
    assert not NotificationOptOut.objects.exists()
    assert client.get(path[:-3] + "xx/").status_code == 404
    assert client.get(reverse("notifications:unsubscribe", args=["garbage"])).status_code == 404


@pytest.mark.django_db
def test_quiet_hours_hold_the_message_until_the_sweeper(django_capture_on_commit_callbacks):
    merchant = MerchantFactory(quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(23, 59, 59), timezone="UTC")
    order = OrderFactory(merchant=merchant)
    with django_capture_on_commit_callbacks(execute=True):
        [log] = notification_request(merchant=merchant, customer=order.customer, order=order,
                                     kind="shipment_delivered", category="shipping", dedupe_key="k")
    assert mail.outbox == [] and log.status == NotificationLog.Status.QUEUED
    NotificationLog.objects.filter(pk=log.pk).update(send_after=at(0, day=1))  # quiet hours are over
    assert send_due_notifications() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@override_settings(DOORSTEP_SMS_BACKEND="tracking.notifications.channels.MemoryTextBackend")
def test_sms_channel_goes_through_the_provider_backend(merchant, django_capture_on_commit_callbacks):
    channels.MemoryTextBackend.outbox.clear()
    order = OrderFactory(merchant=merchant, customer=CustomerFactory(merchant=merchant, phone="+821012345678"))
    with django_capture_on_commit_callbacks(execute=True):
        notification_request(merchant=merchant, customer=order.customer, order=order, kind="shipment_delivered",
                             category="shipping", dedupe_key="k", channels=["email", "sms"])
    assert len(mail.outbox) == 1
    assert channels.MemoryTextBackend.outbox[0]["to"] == "+821012345678"
    assert order.number in channels.MemoryTextBackend.outbox[0]["text"]


@pytest.mark.django_db
def test_cross_tenant_request_is_refused():
    order = OrderFactory()
    with pytest.raises(ValueError):
        notification_request(merchant=MerchantFactory(), customer=order.customer, order=order,
                             kind="shipment_delivered", category="shipping", dedupe_key="k")

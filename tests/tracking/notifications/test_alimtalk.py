"""알림톡 end to end: a Korean shopper with a phone gets shipping news by KakaoTalk through the merchant's
own Solapi account and registered template; when Kakao cannot deliver it, exactly one SMS/LMS goes
instead (never both, never twice); every attempt is in the notification log; a missing template
variable sends nothing and says so; opt-outs and the promotional quiet window hold."""
import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import responses

from tests.factories import AlimtalkTemplateFactory, CustomerFactory, OrderFactory
from tests.support.fixtures import messaging_json
from tests.support.messaging import SOLAPI_SEND
from tracking.credentials.services import service_credential_set
from tracking.models import NotificationLog, NotificationOptOut
from tracking.notifications.channels import ChannelError
from tracking.notifications.providers.solapi import SolapiProvider
from tracking.notifications.services import notification_request, notification_send

pytestmark = pytest.mark.django_db
S = NotificationLog.Status
PFID = "KA01PF2210250831174ktOlzKg2J3Qj"


@pytest.fixture(autouse=True)
def _no_waits(monkeypatch):
    monkeypatch.setattr(SolapiProvider, "sleep", staticmethod(lambda seconds: None))


@pytest.fixture
def kakao(merchant):
    service_credential_set(merchant=merchant, service="solapi", secret="acme-solapi-secret-0001",
                           key_id="NCSACMEKEY", config={"sender": "02-1234-5678", "sender_profile": PFID})
    return AlimtalkTemplateFactory(merchant=merchant, kind="shipment_delivered", template_id="KA01TPACMEDELIVERED")


@pytest.fixture
def order(merchant):
    customer = CustomerFactory(merchant=merchant, name="김민지", locale="ko", phone="010-1234-5678")
    return OrderFactory(merchant=merchant, customer=customer, number="HK-1001")


def ask(order, *, kind="shipment_delivered", key="shipment:1:delivered", **kwargs):
    return notification_request(merchant=order.merchant, customer=order.customer, order=order, kind=kind,
                                category="shipping", dedupe_key=key, context={"tracking_number": "1234567890"},
                                **kwargs)


def sent_bodies(api):
    return [json.loads(call.request.body)["messages"][0] for call in api.calls]


def test_a_korean_shopper_gets_alimtalk_instead_of_sms(order, kakao, settings, django_capture_on_commit_callbacks):
    settings.DOORSTEP_NOTIFICATION_CHANNELS = ["email", "sms"]
    with responses.RequestsMock() as api:
        api.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_accepted.json"))
        with django_capture_on_commit_callbacks(execute=True):
            rows = ask(order)
        [body] = sent_bodies(api)
        authorization = api.calls[0].request.headers["Authorization"]
    assert sorted(r.channel for r in rows) == ["alimtalk", "email"]  # no SMS row: one text per fact
    assert body["type"] == "ATA" and body["to"] == "01012345678"
    assert body["kakaoOptions"]["pfId"] == PFID and body["kakaoOptions"]["templateId"] == "KA01TPACMEDELIVERED"
    assert body["kakaoOptions"]["variables"]["#{고객명}"] == "김민지"
    assert body["kakaoOptions"]["variables"]["#{주문번호}"] == "HK-1001"
    assert "apiKey=NCSACMEKEY" in authorization  # the merchant's own Solapi account
    log = NotificationLog.objects.get(channel="alimtalk")
    assert (log.status, log.delivered_by, log.fallback_used) == (S.SENT, "alimtalk", False)
    assert [a["kind"] for a in log.attempt_log] == ["alimtalk"]


def test_a_failed_alimtalk_falls_back_to_sms_exactly_once(order, kakao, django_capture_on_commit_callbacks):
    with responses.RequestsMock() as api:
        api.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_failed_template_mismatch.json"))
        api.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
        with django_capture_on_commit_callbacks(execute=True):
            ask(order)
        log = NotificationLog.objects.get(channel="alimtalk")
        # A replayed fact and a re-run of the task send nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            assert ask(order) == []
        notification_send(log_id=log.pk)
        types = [b["type"] for b in sent_bodies(api)]
    assert types == ["ATA", "LMS"]  # the filled-in template is longer than an SMS
    log.refresh_from_db()
    assert (log.status, log.delivered_by, log.fallback_used) == (S.SENT, "lms", True)
    assert [(a["kind"], a["status"], a["fallback_used"]) for a in log.attempt_log] == [
        ("alimtalk", "failed", False), ("lms", "accepted", True)]
    assert log.attempt_log[0]["provider_code"] == "1043"


def test_a_failed_fallback_is_retried_without_the_alimtalk(order, kakao, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        ask(order)
    log = NotificationLog.objects.get(channel="alimtalk")
    with responses.RequestsMock() as api:
        api.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_failed_channel.json"))
        api.post(SOLAPI_SEND, body="", status=503)
        api.post(SOLAPI_SEND, body="", status=503)
        api.post(SOLAPI_SEND, body="", status=503)
        with pytest.raises(ChannelError):
            notification_send(log_id=log.pk)
    log.refresh_from_db()
    assert log.status == S.QUEUED and log.fallback_used and log.attempts == 1
    with responses.RequestsMock() as api:
        api.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
        notification_send(log_id=log.pk)
        assert [b["type"] for b in sent_bodies(api)] == ["LMS"]  # no second 알림톡
    log.refresh_from_db()
    assert (log.status, log.delivered_by, log.attempts) == (S.SENT, "lms", 2)


def test_a_missing_template_variable_sends_nothing_and_says_why(order, kakao, django_capture_on_commit_callbacks):
    kakao.text = "[#{상점명}] #{고객명}님, #{반품번호} 처리 완료"
    kakao.save()
    with responses.RequestsMock() as api:
        with django_capture_on_commit_callbacks(execute=True):
            ask(order)
        assert len(api.calls) == 0
    log = NotificationLog.objects.get(channel="alimtalk")
    assert (log.status, log.skip_reason) == (S.SKIPPED, "template variable missing")
    assert "#{반품번호}" in log.error


def test_no_alimtalk_without_a_template_korean_or_a_phone(merchant, order, kakao, settings):
    settings.DOORSTEP_NOTIFICATION_CHANNELS = ["email"]
    english = CustomerFactory(merchant=merchant, locale="en", phone="010-2222-3333")
    no_phone = CustomerFactory(merchant=merchant, locale="ko", phone="")
    for n, customer in enumerate((english, no_phone)):
        rows = notification_request(merchant=merchant, customer=customer, kind="shipment_delivered",
                                    category="shipping", dedupe_key=f"x:{n}")
        assert [r.channel for r in rows] == ["email"]
    assert [r.channel for r in ask(order, kind="shipment_shipped", key="s:1")] == ["email"]


def test_an_opted_out_shopper_gets_no_alimtalk(order, kakao, django_capture_on_commit_callbacks):
    NotificationOptOut.objects.create(customer=order.customer, category="shipping")
    with responses.RequestsMock() as api:
        with django_capture_on_commit_callbacks(execute=True):
            rows = ask(order)
        assert len(api.calls) == 0
    assert {r.status for r in rows} == {S.SKIPPED}


def test_promotional_texts_wait_for_eight_in_the_morning_in_seoul(order, kakao, settings, time_machine):
    settings.DOORSTEP_NOTIFICATION_CHANNELS = ["sms"]
    order.merchant.quiet_hours_start = order.merchant.quiet_hours_end = time(12)  # the merchant has none
    order.merchant.save()
    seoul = ZoneInfo("Asia/Seoul")
    time_machine.move_to(datetime(2026, 11, 25, 22, 30, tzinfo=seoul), tick=False)
    [row] = ask(order, kind="spring_sale", key="promo:1", promotional=True)
    assert row.channel == "sms"  # never a 알림톡 for advertising
    assert row.send_after == datetime(2026, 11, 26, 8, 0, tzinfo=seoul)

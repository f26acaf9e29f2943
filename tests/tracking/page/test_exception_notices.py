"""A stopped parcel on the shopper's page, in English and Korean: what the carrier reports, when we write
again, what the shopper can do — and never a delivery window."""
import datetime as dt
import html

import pytest
from django.utils import timezone

from tests.factories import MerchantFactory, OrderFactory, ShipmentFactory
from tracking import extensions
from tracking.carriers import status as st
from tracking.models import DelayCase
from tracking.page import presenters
from tracking.services.shipments import NewEvent, shipment_add_events
from tracking.tokens import make_token

pytestmark = pytest.mark.django_db


def order_link(order):
    return f"/t/{make_token('order', {'o': order.pk})}/"


def page(client, order, **headers) -> str:
    response = client.get(order_link(order), **headers)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.fixture
def order(db):
    merchant = MerchantFactory(slug="hanok", name="Hanok Home", support_email="help@hanok.example.com",
                               quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(0))
    return OrderFactory(merchant=merchant, number="#2001", customer__email="mina@example.com")


def stop(order, status, reason, callbacks, *, promised_in_days=3):
    """A parcel moving yesterday and stopped two hours ago, with the pipeline run as after a webhook."""
    shipment = ShipmentFactory(order=order, tracking_number=f"DSX{reason or status}".upper()[:20],
                               promised_delivery_date=timezone.localdate() + dt.timedelta(days=promised_in_days))
    now = timezone.now()
    with callbacks(execute=True):
        shipment_add_events(shipment=shipment, source="webhook", events=[
            NewEvent(occurred_at=now - dt.timedelta(hours=20), status=st.IN_TRANSIT, carrier_event_id="a"),
            NewEvent(occurred_at=now - dt.timedelta(hours=2), status=status, reason=reason, carrier_event_id="b")])
    shipment.refresh_from_db()
    return shipment


# (status, reason, English sentence, Korean sentence, English action, Korean action)
KINDS = [
    (st.EXCEPTION, "lost", "The carrier is searching for your parcel.", "택배사에서 택배를 찾고 있습니다.",
     "Contact Hanok Home", "Hanok Home에 문의하기"),
    (st.EXCEPTION, "damaged", "The carrier reports that your parcel was damaged and is checking it.",
     "택배사에서 택배가 파손된 것을 확인하고 검수하고 있습니다.", "Contact Hanok Home", "Hanok Home에 문의하기"),
    (st.EXCEPTION, "customs", "Your parcel is being held at customs.", "택배가 세관에 보류되어 있습니다.",
     "See what customs needs on Parcelway's site", "Parcelway 사이트에서 세관 요청 사항 보기"),
    (st.EXCEPTION, "held_for_payment", "Your parcel is held until duties or fees are paid.",
     "관세나 수수료가 납부될 때까지 택배가 보관됩니다.", "Pay on Parcelway's site", "Parcelway 사이트에서 납부하기"),
    (st.FAILED_ATTEMPT, "address_issue", "The carrier could not confirm your delivery address.",
     "택배사에서 배송 주소를 확인하지 못했습니다.", "Add instructions for the driver", "배송 기사님께 요청 사항 남기기"),
    (st.EXCEPTION, "refused", "The carrier reports that the parcel was refused at delivery.",
     "택배사에 따르면 배송 시 수령이 거절되었습니다.", "Contact Hanok Home", "Hanok Home에 문의하기"),
]


@pytest.mark.parametrize("status,reason,en,ko,action_en,action_ko", KINDS)
def test_each_exception_kind_says_what_and_what_next_in_both_languages(
        client, order, django_capture_on_commit_callbacks, status, reason, en, ko, action_en, action_ko):
    shipment = stop(order, status, reason, django_capture_on_commit_callbacks)
    case = DelayCase.objects.get(shipment=shipment, resolved_at__isnull=True)
    assert case.follow_up_due is not None
    due = timezone.localtime(case.follow_up_due, presenters.merchant_zone(order.merchant)).date()
    body = page(client, order)
    assert en in body and action_en in body
    assert f"We'll email you by {presenters.format_day(due)}." in body
    assert "Arriving" not in body and "Running late" not in body and "Very likely" not in body
    korean = page(client, order, HTTP_ACCEPT_LANGUAGE="ko")
    assert ko in korean and action_ko in korean
    assert f"{due.month}월 {due.day}일" in korean and "까지 이메일로 알려 드리겠습니다" in korean
    assert "도착 예정" not in korean


def test_returned_to_sender_points_to_the_store_without_a_promise(client, order, django_capture_on_commit_callbacks):
    stop(order, st.RETURNED_TO_SENDER, "address_issue", django_capture_on_commit_callbacks)
    body = page(client, order)
    assert "Your parcel is on its way back to the store." in body
    assert "Contact Hanok Home to have it sent again or refunded." in body
    assert "We'll email you by" not in body and "Arriving" not in body
    korean = page(client, order, HTTP_ACCEPT_LANGUAGE="ko")
    assert "택배가 스토어로 반송되고 있습니다." in korean


def test_the_address_problem_links_to_the_delivery_form_and_the_stores_mail(client, order,
                                                                           django_capture_on_commit_callbacks):
    shipment = stop(order, st.FAILED_ATTEMPT, "address_issue", django_capture_on_commit_callbacks)
    body = page(client, order)
    assert f'href="#change-{shipment.tracking_number}"' in body
    assert 'href="mailto:help@hanok.example.com?subject=Delivery%20address%20for%20order%20%232001"' in body


def test_claims_fill_the_report_a_problem_slot_for_lost_and_damaged_only(client, order,
                                                                        django_capture_on_commit_callbacks):
    seen = []

    def report_a_problem(order_, token, parcel):
        seen.append(parcel.claim_reason)
        return [("Report a problem", f"/claims/{token}/{parcel.tracking_number}/")] if parcel.claim_reason else []

    stop(order, st.EXCEPTION, "lost", django_capture_on_commit_callbacks)
    stop(order, st.EXCEPTION, "customs", django_capture_on_commit_callbacks)
    with extensions.PARCEL_ACTIONS.registered(report_a_problem, key="test.claims"):
        body = page(client, order)
    assert sorted(seen) == ["", "lost"]
    assert body.count("Report a problem") == 1 and "/claims/" in body


def test_a_late_parcel_says_running_late_and_never_very_likely(client, order, django_capture_on_commit_callbacks):
    from tracking.edd.delays import shipment_detect_delay

    shipment = ShipmentFactory(order=order, promised_delivery_date=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=shipment, source="webhook", events=[
            NewEvent(occurred_at=timezone.now() - dt.timedelta(hours=3), status=st.IN_TRANSIT)])
    shipment.refresh_from_db()
    shipment_detect_delay(shipment=shipment)
    body = page(client, order)
    assert "Running late" in body and "It is taking longer than promised" in body
    assert "Arriving" in body and "Very likely" not in body
    korean = page(client, order, HTTP_ACCEPT_LANGUAGE="ko")
    assert "배송 지연" in korean and "거의 확실" not in korean

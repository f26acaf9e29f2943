import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ShipmentFactory
from tracking.carriers.mock import make_tracking_number
from tracking.models import DeliveryRequest
from tracking.delivery_changes.services import (
    DeliveryChangeNotAllowed,
    delivery_request_submit,
    delivery_request_update,
)

from tests.support.page import add_events, order_link
from tracking.carriers import status as st

pytestmark = pytest.mark.django_db

CARRIERS = {
    "mock": "tracking.carriers.mock.MockCarrier",
    "refusing": "tests.support.fakes.RefusingCarrier",
    "plain": "tests.support.fakes.PlainCarrier",
    "flaky": "tests.support.fakes.FlakyCarrier",
}


@pytest.fixture(autouse=True)
def _test_carriers(settings):
    settings.DOORSTEP_CARRIERS = CARRIERS


def failed_parcel(order, carrier="mock"):
    # A mock number whose scenario is still travelling, so the mock carrier can accept changes.
    number = make_tracking_number("failed_then_delivered", timezone.now() - dt.timedelta(hours=30), 7)
    shipment = ShipmentFactory(order=order, carrier=carrier, tracking_number=number if carrier == "mock" else
                               f"{carrier.upper()}123456")
    return add_events(shipment, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, reason="recipient_unavailable")


def submit(client, order, shipment, kind, key="k" * 24, headers=None, **fields):
    prefix = f"dc-{shipment.tracking_number}"
    data = {f"{prefix}-kind": kind, f"{prefix}-idempotency_key": key}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    link = order_link(order)
    return client.post(f"{link}delivery/{shipment.tracking_number}/", data, headers=headers), link


class TestThroughTheCarrier:
    def test_instructions_accepted_by_the_carrier(self, client, order, django_capture_on_commit_callbacks):
        shipment = failed_parcel(order)
        with django_capture_on_commit_callbacks(execute=True):
            response, link = submit(client, order, shipment, "instructions", instructions="Leave it with the guard")
        assert response.status_code == 302 and response["Location"].endswith(f"#parcel-{shipment.tracking_number}")
        request = DeliveryRequest.objects.get()
        assert request.status == DeliveryRequest.Status.CARRIER_CONFIRMED and request.carrier_confirmation
        assert [e.actor_label for e in request.events.all()] == ["shopper", "carrier"]
        body = client.get(link).content.decode()
        assert "Confirmed by the carrier" in body and "Leave it with the guard" in body
        # The request's state replaces the "attempt failed" banner and the three forms.
        assert "A delivery attempt failed" not in body and "Fix the delivery" not in body
        assert f"{link}delivery/" not in body


def test_a_later_failed_attempt_offers_the_choices_again(client, order, django_capture_on_commit_callbacks):
    shipment = failed_parcel(order)
    with django_capture_on_commit_callbacks(execute=True):
        _response, link = submit(client, order, shipment, "instructions", instructions="Leave it with the guard")
    assert "Fix the delivery" not in client.get(link).content.decode()
    add_events(shipment, st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, reason="recipient_unavailable",
               start=timezone.now() + dt.timedelta(minutes=5))
    body = client.get(link).content.decode()
    assert "Fix the delivery" in body and "Leave it with the guard" in body

    def test_pickup_point_from_the_adapter_list(self, client, order, django_capture_on_commit_callbacks):
        shipment = failed_parcel(order)
        with django_capture_on_commit_callbacks(execute=True):
            submit(client, order, shipment, "redirect_pickup_point", pickup_point="PP-04524-2")
        request = DeliveryRequest.objects.get()
        assert request.pickup_point_label.startswith("24/7 Parcel Locker")
        assert request.status == DeliveryRequest.Status.CARRIER_CONFIRMED

    def test_pickup_point_not_in_the_list_is_a_form_error(self, client, order):
        shipment = failed_parcel(order)
        response, _ = submit(client, order, shipment, "redirect_pickup_point", pickup_point="PP-99999-1")
        assert response.status_code == 400 and not DeliveryRequest.objects.exists()
        assert "Select a valid choice" in response.content.decode()

    @pytest.mark.parametrize("day_offset", [0, -1, 30])
    def test_reschedule_date_out_of_range_is_a_form_error(self, client, order, day_offset):
        shipment = failed_parcel(order)
        day = (timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=9))).date()
               + dt.timedelta(days=day_offset))
        response, _ = submit(client, order, shipment, "reschedule", requested_date=day.isoformat())
        assert response.status_code == 400 and not DeliveryRequest.objects.exists()
        assert "Choose a date in the next 14 days" in response.content.decode()

    def test_empty_instructions_and_unknown_kind_are_form_errors(self, client, order):
        shipment = failed_parcel(order)
        assert submit(client, order, shipment, "instructions", instructions="  ")[0].status_code == 400
        assert submit(client, order, shipment, "teleport")[0].status_code == 400
        assert not DeliveryRequest.objects.exists()

    def test_double_submit_creates_one_request(self, client, order, django_capture_on_commit_callbacks):
        shipment = failed_parcel(order)
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(3):
                submit(client, order, shipment, "instructions", instructions="Ring twice")
        assert DeliveryRequest.objects.count() == 1

    def test_carrier_refuses_so_support_gets_a_case(self, client, order, django_capture_on_commit_callbacks):
        shipment = failed_parcel(order, carrier="refusing")
        with django_capture_on_commit_callbacks(execute=True):
            _, link = submit(client, order, shipment, "instructions", instructions="Side door")
        request = DeliveryRequest.objects.get()
        assert request.route == DeliveryRequest.Route.SUPPORT and request.status == DeliveryRequest.Status.OPEN
        assert "not possible" in request.carrier_message
        assert "support team will arrange it" in client.get(link).content.decode()

    def test_carrier_down_retries_then_hands_to_support(self, order, django_capture_on_commit_callbacks):
        from celery.exceptions import Retry

        from tracking.delivery_changes.tasks import forward_delivery_request

        shipment = failed_parcel(order, carrier="flaky")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            request = delivery_request_submit(shipment=shipment, kind="instructions", idempotency_key="x" * 20,
                                              instructions="Side door")
        # The forward is enqueued after commit, not run inside the request (the other callback
        # bumps the order page's cache version).
        forwards = [c for c in callbacks if forward_delivery_request.name in repr(c)]
        assert len(forwards) == 1 and len(callbacks) == 2
        with pytest.raises(Retry):
            forward_delivery_request.apply(args=[request.pk], throw=True)
        request.refresh_from_db()
        assert request.route == DeliveryRequest.Route.CARRIER and request.status == DeliveryRequest.Status.OPEN
        forward_delivery_request.apply(args=[request.pk], retries=forward_delivery_request.max_retries, throw=True)
        request.refresh_from_db()
        assert request.route == DeliveryRequest.Route.SUPPORT and "unreachable" in request.carrier_message


def test_carrier_without_the_capability_goes_straight_to_support(client, order, django_capture_on_commit_callbacks):
    shipment = failed_parcel(order, carrier="plain")
    body = client.get(order_link(order)).content.decode()
    assert "Collect it from a pickup point" not in body  # no pickup-point list from this adapter
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, order, shipment, "instructions", instructions="Call me")
    request = DeliveryRequest.objects.get()
    assert request.route == DeliveryRequest.Route.SUPPORT and request.carrier_attempts == 0


def test_not_allowed_once_the_parcel_moves_on(order, shipment):
    add_events(shipment, st.IN_TRANSIT)
    with pytest.raises(DeliveryChangeNotAllowed):
        delivery_request_submit(shipment=shipment, kind="instructions", idempotency_key="y" * 20, instructions="x")


def test_form_for_a_parcel_of_another_order_is_404(client, order, shipment):
    from tests.factories import OrderFactory

    other = OrderFactory(merchant=order.merchant, number="#2001")  # the fixture order is #1001
    failed = add_events(ShipmentFactory(order=other), st.FAILED_ATTEMPT)
    response, _ = submit(client, order, failed, "instructions", instructions="x")
    assert response.status_code == 404


class TestForgery:
    """The link token in the form's URL is the anti-forgery secret; what the browser says about the
    request's origin is checked on top (tracking.page.origin)."""

    @pytest.fixture
    def strict(self):
        from django.test import Client

        return Client(enforce_csrf_checks=True)

    def test_same_origin_post_needs_no_csrf_token(self, strict, order, shipment):
        add_events(shipment, st.FAILED_ATTEMPT)
        response, _ = submit(strict, order, shipment, "instructions", instructions="Gate code 1234",
                             headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
        assert response.status_code == 302 and DeliveryRequest.objects.count() == 1

    @pytest.mark.parametrize("headers", [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"},
    ])
    def test_cross_site_post_is_rejected_and_writes_nothing(self, strict, order, shipment, headers):
        add_events(shipment, st.FAILED_ATTEMPT)
        response, _ = submit(strict, order, shipment, "instructions", instructions="x", headers=headers)
        assert response.status_code == 403 and DeliveryRequest.objects.count() == 0

    def test_trusted_origin_is_accepted(self, strict, order, shipment, settings):
        settings.CSRF_TRUSTED_ORIGINS = ["https://track.shop.example"]
        add_events(shipment, st.FAILED_ATTEMPT)
        response, _ = submit(strict, order, shipment, "instructions", instructions="x",
                             headers={"Origin": "https://track.shop.example"})
        assert response.status_code == 302

    def test_forged_token_is_404_not_a_write(self, strict, order, shipment):
        add_events(shipment, st.FAILED_ATTEMPT)
        prefix = f"dc-{shipment.tracking_number}"
        response = strict.post(f"/t/not-a-token/delivery/{shipment.tracking_number}/",
                               {f"{prefix}-kind": "instructions", f"{prefix}-idempotency_key": "k" * 24,
                                f"{prefix}-instructions": "x"})
        assert response.status_code == 404 and DeliveryRequest.objects.count() == 0

    def test_language_switch_rejects_cross_site_posts(self, strict):
        assert strict.post("/i18n/setlang/", {"language": "ko"}, headers={"Origin": "https://evil.example"}
                           ).status_code == 403
        response = strict.post("/i18n/setlang/", {"language": "ko", "next": "/track/"},
                               headers={"Origin": "http://testserver"})
        assert response.status_code == 302 and response.cookies["django_language"].value == "ko"


def test_staff_work_the_case_and_the_shopper_sees_it(client, order, support_agent, django_capture_on_commit_callbacks):
    shipment = failed_parcel(order, carrier="plain")
    request = delivery_request_submit(shipment=shipment, kind="instructions", idempotency_key="z" * 20,
                                      instructions="Call me")
    agent = support_agent
    delivery_request_update(request=request, user=agent, status="in_progress", assignee=agent, assignee_changed=True,
                            note="phoned the depot")
    last = request.events.last()
    assert (last.actor, last.from_status, last.to_status) == (agent, "open", "in_progress")
    assert "assigned to agent" in last.note and "phoned the depot" in last.note
    assert "support team is working on it" in client.get(order_link(order)).content.decode()


def test_admin_change_records_who_and_when(admin_client, order):
    shipment = add_events(ShipmentFactory(order=order), st.FAILED_ATTEMPT)
    request = delivery_request_submit(shipment=shipment, kind="instructions", idempotency_key="w" * 20,
                                      instructions="Back door")
    url = f"/admin/tracking/deliveryrequest/{request.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"status": "resolved", "assignee": "", "notes": "done by phone",
                                       "events-TOTAL_FORMS": 0, "events-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.content.decode()[:2000]
    request.refresh_from_db()
    assert request.status == "resolved"
    assert request.events.last().actor_label == "admin"
    assert admin_client.get("/admin/tracking/deliveryrequest/?status__exact=resolved").status_code == 200


def test_shopper_sees_their_own_request_at_once_even_behind_a_held_version(client, order, shipment, monkeypatch):
    """Another web process may still hold the page's old version for a moment; the confirmation
    message makes the view after the redirect render from the rows, and is shown only once."""
    from tracking.page import versions

    add_events(shipment, st.FAILED_ATTEMPT)
    link = order_link(order)
    client.get(link)  # cached, version held
    # What a process that did not make the write would see: its held version stays put.
    monkeypatch.setattr(versions, "_bump_now", lambda *args: None)
    response, _ = submit(client, order, shipment, "instructions", instructions="Leave it with the guard")
    assert response.status_code == 302
    after = client.get(link).content.decode()
    assert "we have your request for this parcel" in after and "Leave it with the guard" in after
    assert "we have your request for this parcel" not in client.get(link).content.decode()

"""tracker.delivery per-parcel webhooks: registered with an expiration, renewed before it lapses while
the parcel travels, left to lapse once it is delivered, polled instead when registration fails; a
callback re-tracks the parcel, and a callback for a parcel nobody has is acknowledged and noted."""
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.utils import timezone

from tests.factories import ShipmentFactory, TrackingWebhookRegistrationFactory
from tests.support.fixtures import fixture_bytes, fixture_json
from tests.support.webhooks import post, url_token
from tracking.carriers import status as st
from tracking.ingest.accounts import carrier_account_create
from tracking.ingest.polling import due_shipments
from tracking.ingest.registrations import registrations_due, webhook_registrations_renew
from tracking.ingest.tasks import renew_webhook_registrations
from tracking.models import InboundWebhook, PendingEvent, TrackingWebhookRegistration

pytestmark = pytest.mark.django_db
API = "https://apis.tracker.delivery/graphql"
SECRET = "tok_td_registration/1="
R = TrackingWebhookRegistration.State
REGISTERED = {"data": {"registerTrackWebhook": True}}


@pytest.fixture
def account(merchant):
    return carrier_account_create(merchant=merchant, carrier="trackerdelivery", webhook_secret=SECRET,
                                  api_key="client-id:client-secret",
                                  options={"carrier_code": "kr.cjlogistics"}).account


def cj_parcel(merchant, number="1234567890", **kwargs):
    # Ordered before the recorded feed's first scan (10 Nov 2026): earlier events are refused as impossible.
    placed = datetime(2026, 11, 9, tzinfo=UTC)
    return ShipmentFactory(order__merchant=merchant, order__placed_at=placed, carrier="trackerdelivery",
                           tracking_number=number, **kwargs)


def sent(call) -> dict:
    return json.loads(call.request.body)


def test_a_travelling_parcel_is_registered_with_an_expiration_and_the_account_secret_in_the_callback(
        merchant, account):
    shipment = cj_parcel(merchant)
    now = timezone.now()
    with responses.RequestsMock() as api:
        api.post(API, json=REGISTERED)
        assert webhook_registrations_renew(now=now) == {"ended": 0, "registered": 1, "failed": 0}
        [call] = api.calls
    body = sent(call)
    assert "registerTrackWebhook" in body["query"]
    variables = body["variables"]["input"]
    assert (variables["carrierId"], variables["trackingNumber"]) == ("kr.cjlogistics", "1234567890")
    assert variables["expirationTime"] == (now + timedelta(hours=48)).astimezone(
        UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    callback = urlsplit(variables["callbackUrl"])
    assert callback.path == account.webhook_path and parse_qs(callback.query)["token"] == [SECRET]
    assert call.request.headers["Authorization"] == "TRACKQL-API-KEY client-id:client-secret"
    registration = TrackingWebhookRegistration.objects.get(shipment=shipment)
    assert registration.state == R.ACTIVE and registration.carrier_code == "kr.cjlogistics"
    assert registration.expires_at == (now + timedelta(hours=48)).replace(microsecond=0)
    assert registration.merchant == merchant and registration.account == account
    # A registered parcel is not polled while its registration lives (nor re-registered).
    assert shipment.pk not in list(due_shipments(carrier="trackerdelivery", now=now))
    assert registrations_due(now=now) == []


def test_a_registration_is_renewed_before_it_lapses_and_not_before(merchant, account):
    soon = TrackingWebhookRegistrationFactory(shipment=cj_parcel(merchant, "1234567890"), account=account,
                                              expires_at=timezone.now() + timedelta(hours=6))
    TrackingWebhookRegistrationFactory(shipment=cj_parcel(merchant, "1234567891"), account=account,
                                       expires_at=timezone.now() + timedelta(hours=40))
    with responses.RequestsMock() as api:
        api.post(API, json=REGISTERED)
        result = renew_webhook_registrations.delay().get()
        assert len(api.calls) == 1
        assert sent(api.calls[0])["variables"]["input"]["trackingNumber"] == "1234567890"
    assert result["registered"] == 1
    soon.refresh_from_db()
    assert soon.expires_at > timezone.now() + timedelta(hours=47) and soon.attempts == 1


def test_a_delivered_parcel_is_not_renewed_and_its_registration_ends(merchant, account):
    registration = TrackingWebhookRegistrationFactory(
        shipment=cj_parcel(merchant, status=st.DELIVERED), account=account,
        expires_at=timezone.now() + timedelta(hours=1))
    with responses.RequestsMock() as api:  # no call may be made
        assert webhook_registrations_renew() == {"ended": 1, "registered": 0, "failed": 0}
        assert len(api.calls) == 0
    registration.refresh_from_db()
    assert registration.state == R.ENDED


def test_a_failed_registration_is_polled_meanwhile_and_retried_later(merchant, account):
    shipment = cj_parcel(merchant)
    now = timezone.now()
    with responses.RequestsMock() as api:
        api.post(API, json=fixture_json("trackerdelivery", "error_internal.json"))
        assert webhook_registrations_renew(now=now)["failed"] == 1
    registration = TrackingWebhookRegistration.objects.get(shipment=shipment)
    assert registration.state == R.FAILED and "INTERNAL" in registration.last_error
    assert registration.next_attempt_at > now
    # Polling is the fallback: the parcel is due for a poll although it is not silent.
    assert shipment.pk in list(due_shipments(carrier="trackerdelivery", now=now))
    assert registrations_due(now=now) == []
    assert registrations_due(now=registration.next_attempt_at) == [shipment.pk]


def test_a_lapsed_registration_leaves_the_parcel_to_polling(merchant, account):
    registration = TrackingWebhookRegistrationFactory(shipment=cj_parcel(merchant), account=account,
                                                      expires_at=timezone.now() - timedelta(minutes=1))
    assert registration.shipment_id in list(due_shipments(carrier="trackerdelivery", now=timezone.now()))


def test_parcels_of_merchants_without_an_account_are_not_registered(other_merchant, account):
    cj_parcel(other_merchant)
    with responses.RequestsMock() as api:
        assert webhook_registrations_renew()["registered"] == 0
        assert len(api.calls) == 0


def test_a_callback_for_an_unknown_parcel_is_acknowledged_noted_and_not_retracked(
        client, merchant, account, django_capture_on_commit_callbacks):
    body = fixture_bytes("trackerdelivery", "callback.json")
    with responses.RequestsMock() as api:  # no call may be made
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, account, body, query=url_token(SECRET))
        assert len(api.calls) == 0
    assert response.status_code == 202
    inbound = InboundWebhook.objects.get()
    assert inbound.processed_at is not None and inbound.processing_error == ""
    assert "unknown parcel 1234567890" in inbound.reason
    assert not PendingEvent.objects.exists()


def test_a_callback_retracks_with_the_carrier_the_registration_names(client, merchant, account,
                                                                     django_capture_on_commit_callbacks):
    shipment = cj_parcel(merchant)
    TrackingWebhookRegistrationFactory(shipment=shipment, account=account, carrier_code="kr.cjlogistics")
    body = fixture_bytes("trackerdelivery", "callback.json")
    with responses.RequestsMock() as api:
        api.post(API, json=fixture_json("trackerdelivery", "track_delivered.json"))
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, account, body, query=url_token(SECRET)).status_code == 202
        [call] = api.calls
    assert sent(call)["variables"] == {"carrierId": "kr.cjlogistics", "trackingNumber": "1234567890"}
    shipment.refresh_from_db()
    assert shipment.status == st.DELIVERED
    assert {e.source for e in shipment.events.all()} == {"webhook"}
    # Delivered: the next renewal ends the registration without a call.
    with responses.RequestsMock() as api:
        assert webhook_registrations_renew()["ended"] == 1


def test_a_parcel_without_any_registration_is_polled(other_merchant):
    # No tracker.delivery account of its own: nothing is registered, the install's default key polls it.
    shipment = cj_parcel(other_merchant)
    assert shipment.pk in list(due_shipments(carrier="trackerdelivery", now=timezone.now()))

"""Every recorded carrier webhook, replayed end to end (the way Zulip tests its integrations).

For each webhook fixture of each adapter that accepts webhooks: a carrier account of that adapter,
the parcel the delivery talks about (or none yet), the body signed the way that carrier signs it,
a POST to /webhooks/carriers/<public_id>/ through Django's test client, the work it enqueued run
(Celery is eager in tests), and then what the shopper sees: the parcel's events and status, as the
adapter itself reads the same body. A second delivery of the same body changes nothing.

Incoming deliveries are named ``webhook_*.json`` or ``callback*.json`` in
tests/tracking/carriers/fixtures/<adapter>/; the last tests fail when one is not listed in REPLAYS.
"""
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import responses
from django.utils.html import escape
from django.utils.http import urlencode

from tests.factories import ShipmentFactory
from tests.support.fixtures import CARRIER_FIXTURES, fixture_bytes, fixture_json
from tests.support.page import order_link
from tests.support.webhooks import post, sign_as
from tracking.carriers import status as st
from tracking.carriers.base import Capability, CarrierCredentials
from tracking.carriers.registry import adapter_class, available_carriers
from tracking.ingest.accounts import carrier_account_create
from tracking.models import InboundWebhook, PendingEvent, TrackingEvent

pytestmark = pytest.mark.django_db
V = InboundWebhook.Verdict

# One secret per adapter, each with characters its scheme must carry intact: EasyPost keys its HMAC
# with the NFKD form of the secret; URL tokens must survive query-string encoding.
SECRETS = {
    "mock": "whsec_replay_mock_0123456789",
    "easypost": "sécret-ﬁ-replay",
    "shippo": "tok_replay+shippo/1=",
    "trackerdelivery": "tok_replay+td/2=",
}


@dataclass(frozen=True)
class Replay:
    carrier: str
    fixture: str
    tracking_number: str = ""  # the parcel the delivery is about ("" = none)
    status: str = st.PENDING  # what the shopper's parcel shows afterwards
    reason: str = ""
    events: int = 0  # events the parcel gains

    def __str__(self):
        return f"{self.carrier}/{self.fixture}"


REPLAYS = [
    Replay("mock", "webhook_delivered.json", "DSOTD298930200000011", st.DELIVERED, "", 12),
    Replay("mock", "webhook_failed_attempt.json", "DSFDD298930200000014", st.FAILED_ATTEMPT, "recipient_unavailable",
           12),
    Replay("mock", "webhook_customs_hold_ko.json", "DSCHD298930200000019", st.EXCEPTION, "customs", 7),
    Replay("easypost", "webhook_tracker_updated.json", "9405511899223197428490", st.DELIVERED, "", 6),
    # Not about a parcel (a batch of labels): acknowledged so EasyPost stops retrying, nothing applied.
    Replay("easypost", "webhook_batch_updated.json"),
    Replay("shippo", "webhook_track_updated.json", "1Z999AA10123456784", st.DELIVERED, "", 6),
    # A label purchase names the parcel but says nothing about its journey: the parcel is untouched.
    Replay("shippo", "webhook_transaction_created.json", "1Z999AA10123456784"),
    # The callback names the parcel and nothing else; see the tracker.delivery tests below.
    Replay("trackerdelivery", "callback.json", "1234567890"),
]
TRACKED = [r for r in REPLAYS if r.events]


def account_for(merchant, carrier, **kwargs):
    return carrier_account_create(merchant=merchant, carrier=carrier, webhook_secret=SECRETS[carrier], **kwargs).account


def parcel(merchant, replay):
    # Placed before the fixtures' (published, fixed) event dates: later events would be refused as impossible.
    return ShipmentFactory(order__merchant=merchant, order__placed_at=datetime(2001, 1, 1, tzinfo=UTC),
                           carrier=replay.carrier, tracking_number=replay.tracking_number)


def adapters_reading(replay, body):
    """What the adapter itself reads in the body: the expected outcome, independent of the pipeline."""
    return adapter_class(replay.carrier)(CarrierCredentials(webhook_secret=SECRETS[replay.carrier])).parse_webhook(
        headers={}, body=body)


def send(client, account, replay, body, capture):
    """POST the body as the carrier would and run what the delivery enqueued."""
    headers, query = sign_as(replay.carrier, SECRETS[replay.carrier], body)
    with capture(execute=True):
        return post(client, account, body, headers, query=query)


def event_view(rows):
    return sorted((e.occurred_at, e.status, e.reason, e.carrier_code, e.carrier_text, e.location) for e in rows)


def assert_shopper_sees(client, shipment, replay, results):
    shipment.refresh_from_db()
    parsed = [event for result in results for event in result.events]
    assert len(parsed) == replay.events
    assert event_view(shipment.events.all()) == event_view(parsed)
    derived = st.derive_status(parsed)
    assert (shipment.status, derived.status) == (replay.status, replay.status)
    assert shipment.status_reason == replay.reason == (derived.reason if derived.status != st.DELIVERED else "")
    assert shipment.last_event_at == max(e.occurred_at for e in parsed)
    assert shipment.delivered_at == (derived.occurred_at if replay.status == st.DELIVERED else None)
    estimates = {r.estimated_delivery for r in results if r.estimated_delivery}
    if estimates:
        assert shipment.carrier_delivery_date == max(estimates)
    # …and the page the shopper opens shows the latest scan.
    page = client.get(order_link(shipment.order))
    assert page.status_code == 200
    latest = max(parsed, key=lambda e: e.occurred_at)
    assert escape(latest.carrier_text) in page.content.decode()


@pytest.mark.parametrize("replay", [r for r in REPLAYS if r.carrier != "trackerdelivery"], ids=str)
def test_delivery_reaches_the_shoppers_parcel(client, merchant, replay, django_capture_on_commit_callbacks):
    account = account_for(merchant, replay.carrier)
    shipment = parcel(merchant, replay) if replay.tracking_number else None
    body = fixture_bytes(replay.carrier, replay.fixture)
    results = adapters_reading(replay, body)

    response = send(client, account, replay, body, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    inbound = InboundWebhook.objects.get()
    assert (inbound.verdict, inbound.account_id, inbound.merchant_id) == (V.ACCEPTED, account.pk, merchant.pk)
    assert inbound.processed_at is not None and inbound.processing_error == ""
    assert (inbound.events_created, inbound.events_orphaned) == (replay.events, 0)
    assert bytes(inbound.body) == body
    if replay.events:
        assert_shopper_sees(client, shipment, replay, results)
    else:
        assert results == [] and not TrackingEvent.objects.exists() and not PendingEvent.objects.exists()
        if shipment is not None:
            shipment.refresh_from_db()
            assert shipment.status == st.PENDING

    # The carrier delivers the same body again (a retry): one set of events, the same status.
    before = event_view(TrackingEvent.objects.all()), shipment and shipment.status
    again = send(client, account, replay, body, django_capture_on_commit_callbacks)
    ids = {r.provider_event_id for r in results if r.provider_event_id}
    assert (again.status_code, again.json()["status"]) == ((200, V.DUPLICATE) if ids else (202, V.ACCEPTED))
    if shipment is not None:
        shipment.refresh_from_db()
    assert (event_view(TrackingEvent.objects.all()), shipment and shipment.status) == before
    assert InboundWebhook.objects.count() == 2
    assert not InboundWebhook.objects.filter(verdict=V.ACCEPTED, processed_at__isnull=True).exists()


@pytest.mark.parametrize("replay", TRACKED, ids=str)
def test_delivery_before_the_parcel_is_known_waits_then_joins_it(client, merchant, replay,
                                                                 django_capture_on_commit_callbacks):
    account = account_for(merchant, replay.carrier)
    body = fixture_bytes(replay.carrier, replay.fixture)
    results = adapters_reading(replay, body)

    assert send(client, account, replay, body, django_capture_on_commit_callbacks).status_code == 202
    inbound = InboundWebhook.objects.get()
    assert (inbound.verdict, inbound.events_created, inbound.events_orphaned) == (V.ACCEPTED, 0, replay.events)
    assert not TrackingEvent.objects.exists()
    waiting = PendingEvent.objects.filter(merchant=merchant, carrier=replay.carrier,
                                          tracking_number=replay.tracking_number, attached_at__isnull=True)
    assert waiting.count() == replay.events

    # The store tells Doorstep about the parcel: the waiting events join its log.
    shipment = parcel(merchant, replay)
    assert_shopper_sees(client, shipment, replay, results)
    assert not PendingEvent.objects.filter(attached_at__isnull=True).exists()


@pytest.mark.parametrize("replay", TRACKED, ids=str)
def test_another_merchants_parcel_with_the_same_number_is_not_touched(client, merchant, other_merchant, replay,
                                                                      django_capture_on_commit_callbacks):
    theirs = parcel(other_merchant, replay)
    account = account_for(merchant, replay.carrier)
    body = fixture_bytes(replay.carrier, replay.fixture)
    assert send(client, account, replay, body, django_capture_on_commit_callbacks).status_code == 202
    theirs.refresh_from_db()
    assert theirs.status == st.PENDING and not theirs.events.exists()
    assert PendingEvent.objects.filter(merchant=merchant).count() == replay.events


# --- tracker.delivery: the callback only says "this parcel changed" -------------------------------------
TRACKER_DELIVERY_API = "https://apis.tracker.delivery/graphql"
CALLBACK = next(r for r in REPLAYS if r.carrier == "trackerdelivery")


def trackerdelivery_account(merchant):
    return account_for(merchant, "trackerdelivery", api_key="client-id:client-secret",
                       options={"carrier_code": "kr.cjlogistics"})


def test_trackerdelivery_callback_is_acknowledged_and_asks_for_a_retrack(client, merchant,
                                                                         django_capture_on_commit_callbacks):
    account = trackerdelivery_account(merchant)
    shipment = parcel(merchant, CALLBACK)
    body = fixture_bytes("trackerdelivery", CALLBACK.fixture)
    [result] = adapters_reading(CALLBACK, body)
    assert (result.tracking_number, result.carrier_code, result.events) == ("1234567890", "kr.cjlogistics", [])
    assert result.needs_retrack

    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.post(TRACKER_DELIVERY_API, json=fixture_json("trackerdelivery", "track_delivered.json"))
        response = send(client, account, CALLBACK, body, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    inbound = InboundWebhook.objects.get()
    assert inbound.verdict == V.ACCEPTED and inbound.processed_at is not None and inbound.processing_error == ""
    assert inbound.events_orphaned == 0 and not PendingEvent.objects.exists()
    # A wrong token is refused before anything is read.
    wrong = post(client, account, body, query="?" + urlencode({"token": "not-the-secret"}))
    assert wrong.status_code == 401
    shipment.refresh_from_db()
    assert shipment.carrier == "trackerdelivery"


def test_trackerdelivery_callback_makes_the_shopper_see_the_retracked_events(client, merchant,
                                                                             django_capture_on_commit_callbacks):
    account = trackerdelivery_account(merchant)
    shipment = parcel(merchant, CALLBACK)
    body = fixture_bytes("trackerdelivery", CALLBACK.fixture)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.post(TRACKER_DELIVERY_API, json=fixture_json("trackerdelivery", "track_delivered.json"))
        assert send(client, account, CALLBACK, body, django_capture_on_commit_callbacks).status_code == 202
    shipment.refresh_from_db()
    assert shipment.events.count() == 7
    assert shipment.status == st.DELIVERED


# --- Coverage: a recorded delivery nobody replays fails the suite ----------------------------------------
INCOMING = re.compile(r"^(webhook|callback)\w*\.json$")


def test_every_recorded_webhook_fixture_is_replayed():
    recorded = {(folder.name, f.name) for folder in CARRIER_FIXTURES.iterdir() if folder.is_dir()
                for f in folder.iterdir() if INCOMING.match(f.name)}
    replayed = {(r.carrier, r.fixture) for r in REPLAYS}
    assert sorted(recorded - replayed) == [], "add these recorded deliveries to REPLAYS"
    assert sorted(replayed - recorded) == [], "REPLAYS names fixtures that are not recorded"


def test_every_adapter_that_accepts_webhooks_has_its_deliveries_replayed():
    webhook_adapters = {slug for slug in available_carriers() if adapter_class(slug).capabilities & Capability.WEBHOOKS}
    assert webhook_adapters == {r.carrier for r in REPLAYS} == set(SECRETS)

"""Shippo adapter against recorded JSON: tracks, status map, errors, retries, URL-token webhooks."""
from datetime import date, datetime, timezone

import pytest
import responses

from tracking.carriers import status as st
from tracking.carriers.base import AuthError, CarrierCredentials, InvalidRequest, NotFound, RateLimited, WebhookRejected
from tracking.carriers.shippo import ShippoAdapter
from tracking.carriers.shippo.status_map import STATUS_MAP, SUBSTATUS_MAP, canonical

from tests.support.fixtures import fixture_bytes, fixture_json

TRACK_URL = "https://api.goshippo.com/tracks/ups/1Z999AA10123456784"


@pytest.fixture
def adapter(sleeper):
    return ShippoAdapter(CarrierCredentials(api_key="shippo_test_123", webhook_secret="tok_current"), sleep=sleeper)


@responses.activate
def test_delivered_track(adapter):
    responses.get(TRACK_URL, json=fixture_json("shippo", "track_delivered.json"))
    result = adapter.track("1z999aa10123456784")
    assert responses.calls[0].request.headers["Authorization"] == "ShippoToken shippo_test_123"
    assert result.carrier == "shippo" and result.tracking_number == "1Z999AA10123456784"
    assert [e.status for e in result.events] == [
        st.INFO_RECEIVED, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.DELIVERED,
    ]
    delivered = result.events[-1]
    assert delivered.occurred_at == datetime(2026, 11, 13, 19, 48, tzinfo=timezone.utc)
    assert delivered.carrier_code == "DELIVERED/delivered"
    assert delivered.carrier_event_id == "9c5f1a2b3c4d4e5f8a9b0c1d2e3f4a06"
    assert delivered.location == "Austin, TX, 78701, US"
    assert result.estimated_delivery == date(2026, 11, 13) and result.service_level == "Ground"
    assert result.carrier_url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    # tracking_status repeats the last history entry: it must not become a second event.
    assert len(result.events) == 6


@responses.activate
def test_exception_track(adapter):
    responses.get(TRACK_URL, json=fixture_json("shippo", "track_exception.json"))
    events = adapter.track("1Z999AA10123456784").events
    assert [(e.status, e.reason) for e in events[-3:]] == [
        (st.FAILED_ATTEMPT, "recipient_unavailable"),
        (st.AVAILABLE_FOR_PICKUP, ""),
        (st.EXCEPTION, "damaged"),
    ]
    assert events[-1].details["action_required"] is True


@responses.activate
def test_returned_track(adapter):
    responses.get(TRACK_URL, json=fixture_json("shippo", "track_returned.json"))
    events = adapter.track("1Z999AA10123456784").events
    assert [(e.status, e.reason) for e in events[-2:]] == [(st.EXCEPTION, "address_issue"), (st.RETURNED_TO_SENDER, "")]


@responses.activate
def test_unknown_status_without_history_is_not_found(adapter):
    responses.get("https://api.goshippo.com/tracks/ups/1Z12345E6605272234", json=fixture_json("shippo", "track_unknown.json"))
    with pytest.raises(NotFound):
        adapter.track("1Z12345E6605272234")


def test_undetectable_carrier_needs_configuration(adapter):
    with pytest.raises(InvalidRequest):
        adapter.track("ZZZ")
    configured = ShippoAdapter(CarrierCredentials(api_key="k", extra={"carrier": "canada_post"}))
    assert configured.carrier_token("ZZZ") == "canada_post"


@pytest.mark.parametrize("fixture, status, error", [("error_404.json", 404, NotFound), ("error_401.json", 401, AuthError)])
@responses.activate
def test_errors_map_to_base_types(adapter, fixture, status, error):
    responses.get(TRACK_URL, json=fixture_json("shippo", fixture), status=status)
    with pytest.raises(error) as caught:
        adapter.track("1Z999AA10123456784")
    assert fixture_json("shippo", fixture)["detail"] in str(caught.value)


@responses.activate
def test_rate_limit_honours_retry_after_then_succeeds(adapter, sleeper):
    responses.get(TRACK_URL, json=fixture_json("shippo", "error_429.json"), status=429, headers={"Retry-After": "3"})
    responses.get(TRACK_URL, json=fixture_json("shippo", "error_429.json"), status=429, headers={"Retry-After": "3"})
    responses.get(TRACK_URL, json=fixture_json("shippo", "track_delivered.json"))
    assert adapter.track("1Z999AA10123456784").events
    assert sleeper.waits == [3.0, 3.0]


@responses.activate
def test_retry_after_beyond_the_cap_is_handed_back_not_slept(adapter, sleeper):
    responses.get(TRACK_URL, json=fixture_json("shippo", "error_429.json"), status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimited) as caught:
        adapter.track("1Z999AA10123456784")
    assert sleeper.waits == [] and caught.value.retry_after == 3600.0 and caught.value.retryable


@responses.activate
def test_register_tracking_posts_carrier_and_number(adapter):
    responses.post("https://api.goshippo.com/tracks/", json=fixture_json("shippo", "track_in_transit.json"), status=201)
    adapter.register_tracking("1Z999AA10123456784")
    assert responses.calls[0].request.body == b'{"carrier": "ups", "tracking_number": "1Z999AA10123456784"}'


EXPECTED_STATUS = {
    "PRE_TRANSIT": (st.INFO_RECEIVED, ""),
    "TRANSIT": (st.IN_TRANSIT, ""),
    "DELIVERED": (st.DELIVERED, ""),
    "RETURNED": (st.RETURNED_TO_SENDER, ""),
    "FAILURE": (st.EXCEPTION, "other"),
    "UNKNOWN": (st.PENDING, ""),
}
# (parent status as documented, substatus) -> expected canonical result
EXPECTED_SUBSTATUS = {
    ("PRE_TRANSIT", "information_received"): (st.INFO_RECEIVED, ""),
    ("TRANSIT", "address_issue"): (st.EXCEPTION, "address_issue"),
    ("TRANSIT", "contact_carrier"): (st.EXCEPTION, "other"),
    ("TRANSIT", "delayed"): (st.IN_TRANSIT, "carrier_delay"),
    ("TRANSIT", "delivery_attempted"): (st.FAILED_ATTEMPT, "recipient_unavailable"),
    ("TRANSIT", "delivery_rescheduled"): (st.IN_TRANSIT, ""),
    ("TRANSIT", "delivery_scheduled"): (st.IN_TRANSIT, ""),
    ("TRANSIT", "location_inaccessible"): (st.FAILED_ATTEMPT, "address_issue"),
    ("TRANSIT", "notice_left"): (st.FAILED_ATTEMPT, "recipient_unavailable"),
    ("TRANSIT", "out_for_delivery"): (st.OUT_FOR_DELIVERY, ""),
    ("TRANSIT", "package_accepted"): (st.IN_TRANSIT, ""),
    ("TRANSIT", "package_arrived"): (st.IN_TRANSIT, ""),
    ("TRANSIT", "package_damaged"): (st.EXCEPTION, "damaged"),
    ("TRANSIT", "package_departed"): (st.IN_TRANSIT, ""),
    ("TRANSIT", "package_forwarded"): (st.IN_TRANSIT, ""),
    ("TRANSIT", "package_held"): (st.EXCEPTION, "other"),
    ("TRANSIT", "package_processed"): (st.IN_TRANSIT, ""),
    ("TRANSIT", "package_processing"): (st.IN_TRANSIT, ""),
    ("TRANSIT", "pickup_available"): (st.AVAILABLE_FOR_PICKUP, ""),
    ("TRANSIT", "reschedule_delivery"): (st.FAILED_ATTEMPT, "recipient_unavailable"),
    ("DELIVERED", "delivered"): (st.DELIVERED, ""),
    ("RETURNED", "return_to_sender"): (st.RETURNED_TO_SENDER, ""),
    ("RETURNED", "package_unclaimed"): (st.RETURNED_TO_SENDER, "recipient_unavailable"),
    ("FAILURE", "package_undeliverable"): (st.EXCEPTION, "address_issue"),
    ("FAILURE", "package_disposed"): (st.EXCEPTION, "other"),
    ("FAILURE", "package_lost"): (st.EXCEPTION, "lost"),
    ("UNKNOWN", "other"): (st.PENDING, ""),
}


def test_maps_cover_every_documented_value():
    assert set(STATUS_MAP) == set(EXPECTED_STATUS)
    assert set(SUBSTATUS_MAP) == {sub for _, sub in EXPECTED_SUBSTATUS}


@pytest.mark.parametrize("status", sorted(EXPECTED_STATUS))
def test_status_row(status):
    assert canonical(status) == EXPECTED_STATUS[status]


@pytest.mark.parametrize("parent, substatus", sorted(EXPECTED_SUBSTATUS))
def test_substatus_row(parent, substatus):
    assert canonical(parent, substatus) == EXPECTED_SUBSTATUS[(parent, substatus)]


def test_webhook_token_is_compared_against_current_and_previous_secrets():
    body = fixture_bytes("shippo", "webhook_track_updated.json")
    adapter = ShippoAdapter(CarrierCredentials(webhook_secret="tok_new", previous_webhook_secrets=("tok_old",)))
    adapter.verify_webhook(headers={}, body=body, url_token="tok_new")
    adapter.verify_webhook(headers={}, body=body, url_token="tok_old")
    for bad in ("", "tok_ne", "tok_new ", "TOK_NEW"):
        with pytest.raises(WebhookRejected) as caught:
            adapter.verify_webhook(headers={}, body=body, url_token=bad)
        assert caught.value.status == 401


def test_webhook_without_configured_secret_is_refused():
    with pytest.raises(WebhookRejected) as caught:
        ShippoAdapter().verify_webhook(headers={}, body=b"{}", url_token="")
    assert caught.value.status == 401


def test_track_updated_webhook_parses_with_a_body_digest_as_delivery_id(adapter):
    body = fixture_bytes("shippo", "webhook_track_updated.json")
    [result] = adapter.parse_webhook(headers={}, body=body)
    assert st.derive_status(result.events).status == st.DELIVERED
    assert result.provider_event_id.startswith("shippo_")
    [again] = adapter.parse_webhook(headers={}, body=body)
    assert again.provider_event_id == result.provider_event_id
    [changed] = adapter.parse_webhook(headers={}, body=body.replace(b'"test": false', b'"test": true'))
    assert changed.provider_event_id != result.provider_event_id


def test_other_shippo_events_are_acknowledged_without_results(adapter):
    assert adapter.parse_webhook(headers={}, body=fixture_bytes("shippo", "webhook_transaction_created.json")) == []


@pytest.mark.parametrize("body, status", [(b"{", 400), (b'"x"', 422), (b'{"event": "track_updated"}', 422), (b'{"event": "track_updated", "data": {}}', 422)])
def test_webhook_unknown_shapes(adapter, body, status):
    with pytest.raises(WebhookRejected) as caught:
        adapter.parse_webhook(headers={}, body=body)
    assert caught.value.status == status

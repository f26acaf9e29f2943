"""EasyPost adapter against recorded JSON: parsing, status map, errors, retries, webhooks."""
from datetime import date, datetime, timedelta, timezone

import pytest
import responses

from tracking.carriers import status as st
from tracking.carriers.base import (
    AuthError,
    CarrierCredentials,
    CarrierUnavailable,
    InvalidRequest,
    NotFound,
    RateLimited,
    WebhookRejected,
)
from tracking.carriers.easypost import EasyPostAdapter
from tracking.carriers.easypost.adapter import signature
from tracking.carriers.easypost.status_map import DETAIL_MAP, STATUS_MAP, canonical

from tests.support.fixtures import fixture_bytes, fixture_json

URL = "https://api.easypost.com/v2/trackers"
SECRET = "sécret-ﬁ"  # non-ASCII on purpose: EasyPost NFKD-normalises the key


@pytest.fixture
def adapter(sleeper):
    return EasyPostAdapter(CarrierCredentials(api_key="EZAK_test", webhook_secret=SECRET), sleep=sleeper)


@responses.activate
def test_delivered_tracker_parses_to_events(adapter):
    responses.post(URL, json=fixture_json("easypost", "tracker_delivered.json"))
    result = adapter.track("9405511899223197428490")
    assert result.carrier == "easypost" and result.tracking_number == "9405511899223197428490"
    assert [e.status for e in result.events] == [
        st.INFO_RECEIVED, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.DELIVERED,
    ]
    delivered = result.events[-1]
    assert delivered.occurred_at == datetime(2026, 11, 12, 13, 42, tzinfo=timezone(timedelta(hours=-5)))
    assert delivered.carrier_code == "delivered/arrived_at_destination"
    assert delivered.carrier_text == "Delivered, In/At Mailbox"
    assert delivered.location == "BROOKLYN, NY, 11201, US"
    assert delivered.details["signed_by"] == "J SMITH" and delivered.details["carrier"] == "USPS"
    assert result.estimated_delivery == date(2026, 11, 12)
    assert result.service_level == "Priority Mail"
    assert result.carrier_url.startswith("https://track.easypost.com/")
    assert len({e.carrier_event_id for e in result.events}) == len(result.events)
    # The request names the detected carrier and authenticates with the key as Basic user.
    request = responses.calls[0].request
    assert b'"carrier": "USPS"' in request.body and request.headers["Authorization"].startswith("Basic ")


@responses.activate
def test_event_ids_are_stable_across_polls(adapter):
    responses.post(URL, json=fixture_json("easypost", "tracker_in_transit.json"))
    responses.post(URL, json=fixture_json("easypost", "tracker_delivered.json"))
    first = adapter.track("9405511899223197428490")
    second = adapter.track("9405511899223197428490")
    assert [e.carrier_event_id for e in first.events] == [e.carrier_event_id for e in second.events[:4]]


@responses.activate
def test_exception_tracker(adapter):
    responses.post(URL, json=fixture_json("easypost", "tracker_exception.json"))
    result = adapter.track("1Z999AA10123456784")
    assert [(e.status, e.reason) for e in result.events[-3:]] == [
        (st.IN_TRANSIT, "weather"),
        (st.FAILED_ATTEMPT, "other"),
        (st.EXCEPTION, "damaged"),
    ]
    assert st.derive_status(result.events).status == st.EXCEPTION
    assert b'"carrier": "UPS"' in responses.calls[0].request.body


@responses.activate
def test_return_to_sender_tracker(adapter):
    responses.post(URL, json=fixture_json("easypost", "tracker_return_to_sender.json"))
    result = adapter.track("9405511899223197428490")
    assert [(e.status, e.reason) for e in result.events[-3:]] == [
        (st.IN_TRANSIT, "address_issue"),
        (st.RETURNED_TO_SENDER, "refused"),
        (st.RETURNED_TO_SENDER, ""),
    ]


@pytest.mark.parametrize(
    "fixture, status, error",
    [
        ("error_404.json", 404, NotFound),
        ("error_401.json", 401, AuthError),
        ("error_422.json", 422, InvalidRequest),
    ],
)
@responses.activate
def test_errors_map_to_base_types(adapter, fixture, status, error):
    responses.post(URL, json=fixture_json("easypost", fixture), status=status)
    with pytest.raises(error) as caught:
        adapter.track("9405511899223197428490")
    assert fixture_json("easypost", fixture)["error"]["message"][:40] in str(caught.value)


@responses.activate
def test_rate_limit_retries_after_the_advertised_wait(adapter, sleeper):
    responses.post(URL, json=fixture_json("easypost", "error_429.json"), status=429, headers={"Retry-After": "7"})
    responses.post(URL, json=fixture_json("easypost", "tracker_delivered.json"))
    assert adapter.track("9405511899223197428490").events
    assert sleeper.waits == [7.0]


@responses.activate
def test_rate_limit_gives_up_after_bounded_retries(adapter, sleeper):
    for _ in range(5):
        responses.post(URL, json=fixture_json("easypost", "error_429.json"), status=429, headers={"Retry-After": "2"})
    with pytest.raises(RateLimited) as caught:
        adapter.track("9405511899223197428490")
    assert sleeper.waits == [2.0, 2.0, 2.0] and caught.value.retry_after == 2.0
    assert len(responses.calls) == 4


@responses.activate
def test_server_errors_back_off_then_raise_unavailable(adapter, sleeper):
    for _ in range(4):
        responses.post(URL, body="<html>Bad gateway</html>", status=502)
    with pytest.raises(CarrierUnavailable):
        adapter.track("9405511899223197428490")
    assert len(sleeper.waits) == 3 and sleeper.waits[0] < sleeper.waits[1] < sleeper.waits[2]


# Written out independently of the module so a changed mapping has to be changed twice.
EXPECTED_STATUS = {
    "unknown": (st.PENDING, ""),
    "pre_transit": (st.INFO_RECEIVED, ""),
    "in_transit": (st.IN_TRANSIT, ""),
    "out_for_delivery": (st.OUT_FOR_DELIVERY, ""),
    "delivered": (st.DELIVERED, ""),
    "available_for_pickup": (st.AVAILABLE_FOR_PICKUP, ""),
    "return_to_sender": (st.RETURNED_TO_SENDER, ""),
    "failure": (st.EXCEPTION, "other"),
    "cancelled": (st.CANCELLED, ""),
    "error": (st.EXCEPTION, "other"),
}
# Each documented status_detail as it arrives on an in_transit scan.
EXPECTED_DETAIL = {
    "address_correction": (st.IN_TRANSIT, "address_issue"),
    "arrived_at_destination": (st.IN_TRANSIT, ""),
    "arrived_at_facility": (st.IN_TRANSIT, ""),
    "arrived_at_pickup_location": (st.AVAILABLE_FOR_PICKUP, ""),
    "awaiting_information": (st.IN_TRANSIT, ""),
    "cancelled": (st.CANCELLED, ""),
    "damaged": (st.EXCEPTION, "damaged"),
    "delayed": (st.IN_TRANSIT, "carrier_delay"),
    "delivery_exception": (st.FAILED_ATTEMPT, "other"),
    "departed_facility": (st.IN_TRANSIT, ""),
    "departed_origin_facility": (st.IN_TRANSIT, ""),
    "expired": (st.EXPIRED, ""),
    "failure": (st.IN_TRANSIT, "other"),
    "held": (st.EXCEPTION, "other"),
    "in_transit": (st.IN_TRANSIT, ""),
    "label_created": (st.INFO_RECEIVED, ""),
    "lost": (st.EXCEPTION, "lost"),
    "missorted": (st.IN_TRANSIT, "carrier_delay"),
    "out_for_delivery": (st.OUT_FOR_DELIVERY, ""),
    "received_at_destination_facility": (st.IN_TRANSIT, ""),
    "received_at_origin_facility": (st.IN_TRANSIT, ""),
    "refused": (st.IN_TRANSIT, "refused"),
    "return": (st.RETURNED_TO_SENDER, ""),
    "status_update": (st.IN_TRANSIT, ""),
    "transferred_to_destination_carrier": (st.IN_TRANSIT, ""),
    "transit_exception": (st.EXCEPTION, "carrier_delay"),
    "unknown": (st.IN_TRANSIT, ""),
    "weather_delay": (st.IN_TRANSIT, "weather"),
}


def test_maps_cover_every_documented_value():
    assert set(STATUS_MAP) == set(EXPECTED_STATUS)
    assert set(DETAIL_MAP) == set(EXPECTED_DETAIL)


@pytest.mark.parametrize("status", sorted(EXPECTED_STATUS))
def test_status_row(status):
    assert canonical(status) == EXPECTED_STATUS[status]


@pytest.mark.parametrize("detail", sorted(EXPECTED_DETAIL))
def test_status_detail_row(detail):
    result = canonical("in_transit", detail)
    assert result == EXPECTED_DETAIL[detail]
    assert result[0] in st.ALL and (result[1] == "" or result[1] in st.ALL_REASONS)


def test_delivered_is_final_whatever_the_detail():
    assert canonical("delivered", "arrived_at_pickup_location") == (st.DELIVERED, "")
    assert canonical("failure", "refused") == (st.EXCEPTION, "refused")
    assert canonical("mystery", "weather_delay") == (st.PENDING, "")
    assert canonical("in_transit", "mystery") == (st.IN_TRANSIT, "")


def test_webhook_with_good_signature_verifies_and_parses(adapter):
    body = fixture_bytes("easypost", "webhook_tracker_updated.json")
    adapter.verify_webhook(headers={"X-Hmac-Signature": signature(SECRET, body)}, body=body)
    [result] = adapter.parse_webhook(headers={}, body=body)
    assert result.provider_event_id == "evt_3c8a9f0e7b6d4a5c8e1f2a3b4c5d6e7f"
    assert st.derive_status(result.events).status == st.DELIVERED


def test_signature_is_hmac_of_raw_body_with_nfkd_secret():
    import hashlib
    import hmac
    import unicodedata

    expected = hmac.new(unicodedata.normalize("NFKD", SECRET).encode(), b"{}", hashlib.sha256).hexdigest()
    assert signature(SECRET, b"{}") == f"hmac-sha256-hex={expected}"


@pytest.mark.parametrize(
    "headers, status",
    [
        ({}, 401),
        ({"X-Hmac-Signature": "hmac-sha256-hex=" + "0" * 64}, 401),
        ({"X-Hmac-Signature": "sha1=abc"}, 400),
    ],
)
def test_webhook_bad_signatures_are_rejected(adapter, headers, status):
    body = fixture_bytes("easypost", "webhook_tracker_updated.json")
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify_webhook(headers=headers, body=body)
    assert caught.value.status == status


def test_webhook_signed_with_the_previous_secret_passes_during_rotation():
    body = fixture_bytes("easypost", "webhook_tracker_updated.json")
    adapter = EasyPostAdapter(CarrierCredentials(webhook_secret="new", previous_webhook_secrets=("old",)))
    adapter.verify_webhook(headers={"x-hmac-signature": signature("old", body)}, body=body)
    with pytest.raises(WebhookRejected):
        EasyPostAdapter(CarrierCredentials(webhook_secret="new")).verify_webhook(
            headers={"X-Hmac-Signature": signature("old", body)}, body=body
        )


def test_webhook_without_a_configured_secret_is_refused():
    body = fixture_bytes("easypost", "webhook_tracker_updated.json")
    with pytest.raises(WebhookRejected) as caught:
        EasyPostAdapter().verify_webhook(headers={"X-Hmac-Signature": signature("", body)}, body=body)
    assert caught.value.status == 401


def test_non_tracker_events_are_acknowledged_without_results(adapter):
    assert adapter.parse_webhook(headers={}, body=fixture_bytes("easypost", "webhook_batch_updated.json")) == []


@pytest.mark.parametrize(
    "body, status",
    [(b"nope", 400), (b"[1]", 422), (b'{"object": "Tracker"}', 422), (b'{"object": "Event", "description": "tracker.updated", "result": {}}', 422)],
)
def test_webhook_unknown_shapes(adapter, body, status):
    with pytest.raises(WebhookRejected) as caught:
        adapter.parse_webhook(headers={}, body=body)
    assert caught.value.status == status

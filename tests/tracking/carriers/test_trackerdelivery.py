"""tracker.delivery adapter against fixtures written from its published schema and docs: tracks,
every status code, GraphQL errors, Retry-After, webhook registration and token-checked callbacks."""
import json
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

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
from tracking.carriers.trackerdelivery import TrackerDeliveryAdapter
from tracking.carriers.trackerdelivery.client import REGISTER_WEBHOOK_MUTATION, TRACK_QUERY
from tracking.carriers.trackerdelivery.status_map import STATUS_MAP, canonical

from tests.support.fixtures import fixture_bytes, fixture_json

URL = "https://apis.tracker.delivery/graphql"
KST = timezone(timedelta(hours=9))
NOW = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)


@pytest.fixture
def adapter(sleeper):
    adapter = TrackerDeliveryAdapter(
        CarrierCredentials(api_key="client-id:client-secret", webhook_secret="whsec_current"), sleep=sleeper)
    adapter.clock = lambda: NOW
    return adapter


def sent(call) -> dict:
    return json.loads(call.request.body)


@responses.activate
def test_delivered_track(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "track_delivered.json"))
    result = adapter.track("1234-567-890", carrier_code="kr.cjlogistics")
    request = responses.calls[0].request
    assert request.headers["Authorization"] == "TRACKQL-API-KEY client-id:client-secret"
    assert sent(responses.calls[0]) == {"query": TRACK_QUERY,
                                        "variables": {"carrierId": "kr.cjlogistics", "trackingNumber": "1234567890"}}
    assert (result.carrier, result.tracking_number, result.carrier_code) == ("trackerdelivery", "1234567890", "kr.cjlogistics")
    assert result.carrier_url == "https://trace.cjlogistics.com/next/tracking.html?wblNo=1234567890"
    assert [e.status for e in result.events] == [
        st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.DELIVERED]
    assert len(result.events) == 7  # lastEvent repeats the newest event: not a second one
    delivered = result.events[-1]
    assert delivered.occurred_at == datetime(2026, 11, 11, 14, 2, 11, tzinfo=KST)
    assert (delivered.carrier_code, delivered.carrier_text, delivered.location) == (
        "DELIVERED", "고객님의 상품이 배송완료 되었습니다.", "서울강남")
    assert delivered.details == {"status_name": "배송완료"}
    assert not result.needs_retrack


@responses.activate
def test_failed_attempt_then_pickup_point(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "track_attempt_fail.json"))
    events = adapter.track("420123456789", carrier_code="kr.hanjin").events
    assert [(e.status, e.reason) for e in events] == [
        (st.INFO_RECEIVED, ""), (st.IN_TRANSIT, ""), (st.IN_TRANSIT, ""), (st.OUT_FOR_DELIVERY, ""),
        (st.FAILED_ATTEMPT, "recipient_unavailable"), (st.AVAILABLE_FOR_PICKUP, ""),
    ]
    assert sent(responses.calls[0])["variables"]["carrierId"] == "kr.hanjin"


@responses.activate
def test_exceptions_unknown_events_and_untimed_scans(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "track_exception.json"))
    events = adapter.track("987654321091", carrier_code="kr.lotte").events
    assert [(e.status, e.reason) for e in events] == [
        (st.IN_TRANSIT, ""),
        (st.IN_TRANSIT, ""),
        (st.IN_TRANSIT, "weather"),          # UNKNOWN, classified by its Korean text
        (st.EXCEPTION, "damaged"),
        (st.RETURNED_TO_SENDER, "refused"),  # EXCEPTION whose text says it is going back
    ]
    assert st.derive_status(events).status == st.RETURNED_TO_SENDER


@responses.activate
def test_carrier_is_detected_when_not_given(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "track_exception.json"))
    result = adapter.track("987654321091")  # 12 digits, valid mod-7 digit: CJ ranks first
    assert sent(responses.calls[0])["variables"]["carrierId"] == "kr.cjlogistics"
    assert result.carrier_code == "kr.cjlogistics"


@responses.activate
def test_account_can_fix_the_carrier_and_split_its_key():
    responses.post(URL, json=fixture_json("trackerdelivery", "track_delivered.json"))
    adapter = TrackerDeliveryAdapter(CarrierCredentials(api_key="the-secret",
                                                        extra={"client_id": "the-id", "carrier_code": "kr.logen"}))
    adapter.track("1234567890")
    assert responses.calls[0].request.headers["Authorization"] == "TRACKQL-API-KEY the-id:the-secret"
    assert sent(responses.calls[0])["variables"]["carrierId"] == "kr.logen"


@responses.activate
def test_tracker_delivery_ids_without_a_company_pass_through(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "track_delivered.json"))
    result = adapter.track("1234567890", carrier_code="jp.yamato")
    assert sent(responses.calls[0])["variables"]["carrierId"] == "jp.yamato"
    assert result.carrier_code == "jp.yamato"


@pytest.mark.parametrize("carrier_code", ["fedex", "KR CJ", "nonsense", "04"])
@responses.activate  # any request would fail the test: none may be sent
def test_carriers_it_cannot_track_are_refused_without_a_call(adapter, carrier_code):
    with pytest.raises(InvalidRequest):
        adapter.track("1234567890", carrier_code=carrier_code)


@responses.activate
def test_undetectable_numbers_need_a_carrier_code(adapter):
    with pytest.raises(InvalidRequest, match="carrier_code"):
        adapter.track("ZZZ")
    with pytest.raises(InvalidRequest):
        adapter.track("  ")


@pytest.mark.parametrize("api_key", ["", "only-one-part", ":secret", "id:"])
@responses.activate
def test_incomplete_credentials_fail_before_calling(api_key):
    with pytest.raises(AuthError):
        TrackerDeliveryAdapter(CarrierCredentials(api_key=api_key)).track("1234567890", carrier_code="kr.cjlogistics")


@responses.activate
def test_a_track_without_events_is_not_found(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "track_no_events.json"))
    with pytest.raises(NotFound):
        adapter.track("1234567890", carrier_code="kr.cjlogistics")


@pytest.mark.parametrize("fixture, error", [
    ("error_not_found.json", NotFound),
    ("error_bad_request.json", InvalidRequest),
    ("error_unauthenticated.json", AuthError),
    ("error_forbidden.json", AuthError),
    ("error_internal.json", CarrierUnavailable),
    ("error_rate_limited.json", RateLimited),
])
@responses.activate
def test_graphql_errors_in_a_200_map_to_base_types(adapter, fixture, error):
    responses.post(URL, json=fixture_json("trackerdelivery", fixture))
    with pytest.raises(error) as caught:
        adapter.track("1234567890", carrier_code="kr.cjlogistics")
    assert fixture_json("trackerdelivery", fixture)["errors"][0]["message"] in str(caught.value)


@responses.activate
def test_unknown_error_codes_are_retryable_not_ignored(adapter):
    responses.post(URL, json={"errors": [{"message": "?", "extensions": {"code": "SOMETHING_NEW"}}], "data": None})
    with pytest.raises(CarrierUnavailable):
        adapter.track("1234567890", carrier_code="kr.cjlogistics")


@pytest.mark.parametrize("status, error", [(401, AuthError), (403, AuthError), (400, InvalidRequest)])
@responses.activate
def test_http_errors_with_graphql_bodies(adapter, status, error):
    body = fixture_json("trackerdelivery", "error_unauthenticated.json")
    responses.post(URL, json=body, status=status)
    with pytest.raises(error, match="UNAUTHENTICATED"):
        adapter.track("1234567890", carrier_code="kr.cjlogistics")


@responses.activate
def test_rate_limit_honours_retry_after_then_succeeds(adapter, sleeper):
    limited = fixture_json("trackerdelivery", "error_rate_limited.json")
    responses.post(URL, json=limited, status=429, headers={"Retry-After": "2"})
    responses.post(URL, json=fixture_json("trackerdelivery", "track_delivered.json"))
    assert adapter.track("1234567890", carrier_code="kr.cjlogistics").events
    assert sleeper.waits == [2.0]


@responses.activate
def test_retry_after_beyond_the_cap_is_handed_back(adapter, sleeper):
    responses.post(URL, json=fixture_json("trackerdelivery", "error_rate_limited.json"), status=429,
                   headers={"Retry-After": "900"})
    with pytest.raises(RateLimited) as caught:
        adapter.track("1234567890", carrier_code="kr.cjlogistics")
    assert caught.value.retry_after == 900.0 and sleeper.waits == []


@responses.activate
def test_graphql_rate_limit_inside_a_200_keeps_retry_after(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "error_rate_limited.json"), headers={"Retry-After": "60"})
    with pytest.raises(RateLimited) as caught:
        adapter.track("1234567890", carrier_code="kr.cjlogistics")
    assert caught.value.retry_after == 60.0


@pytest.mark.parametrize("body, content_type", [
    (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "text/html"),
    (b'{"data": {"track": ', "application/json"),
    (b'["not", "an", "object"]', "application/json"),
    (b'{"data": {"track": "nope"}}', "application/json"),
    (b'{"something": "else"}', "application/json"),
])
@responses.activate
def test_html_and_malformed_bodies_are_carrier_unavailable(adapter, body, content_type):
    responses.post(URL, body=body, content_type=content_type)
    with pytest.raises(CarrierUnavailable):
        adapter.track("1234567890", carrier_code="kr.cjlogistics")


# --- Status codes, row by row ----------------------------------------------------------------------------
EXPECTED = {
    "UNKNOWN": (st.PENDING, ""),
    "INFORMATION_RECEIVED": (st.INFO_RECEIVED, ""),
    "AT_PICKUP": (st.IN_TRANSIT, ""),
    "IN_TRANSIT": (st.IN_TRANSIT, ""),
    "OUT_FOR_DELIVERY": (st.OUT_FOR_DELIVERY, ""),
    "ATTEMPT_FAIL": (st.FAILED_ATTEMPT, "other"),
    "DELIVERED": (st.DELIVERED, ""),
    "AVAILABLE_FOR_PICKUP": (st.AVAILABLE_FOR_PICKUP, ""),
    "EXCEPTION": (st.EXCEPTION, "other"),
}


def test_map_covers_every_documented_code():
    assert set(STATUS_MAP) == set(EXPECTED)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_status_row(code):
    assert canonical(code) == EXPECTED[code]
    assert canonical(code.lower()) == EXPECTED[code]


@pytest.mark.parametrize("code, text, expected", [
    ("ATTEMPT_FAIL", "미배달 수취인 부재", (st.FAILED_ATTEMPT, "recipient_unavailable")),
    ("ATTEMPT_FAIL", "미배달 주소 불명", (st.FAILED_ATTEMPT, "address_issue")),
    ("EXCEPTION", "통관 보류", (st.EXCEPTION, "customs")),
    ("EXCEPTION", "분실", (st.EXCEPTION, "lost")),
    ("EXCEPTION", "반송 처리", (st.RETURNED_TO_SENDER, "")),
    ("UNKNOWN", "배달완료", (st.DELIVERED, "")),
    ("UNKNOWN", "???", (st.PENDING, "")),
    ("SOMETHING_NEW", "", (st.PENDING, "")),
    ("DELIVERED", "미배달", (st.DELIVERED, "")),  # the code wins over a contradicting text
])
def test_text_refines_codes(code, text, expected):
    assert canonical(code, text) == expected


# --- Webhook registration --------------------------------------------------------------------------------
@responses.activate
def test_register_tracking_sends_the_mutation_and_returns_the_expiry(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "register_webhook_ok.json"))
    registration = adapter.register_tracking(
        "1234567890", carrier_code="kr.cjlogistics",
        callback_url="https://shop.example/webhooks/carriers/ca_abc/")
    body = sent(responses.calls[0])
    assert body["query"] == REGISTER_WEBHOOK_MUTATION
    assert body["variables"] == {"input": {
        "carrierId": "kr.cjlogistics",
        "trackingNumber": "1234567890",
        "callbackUrl": "https://shop.example/webhooks/carriers/ca_abc/?token=whsec_current",
        "expirationTime": "2026-11-17T03:00:00Z",  # now + 48 h
    }}
    assert registration.expires_at == NOW + timedelta(hours=48)
    assert registration.carrier_code == "kr.cjlogistics" and registration.tracking_number == "1234567890"
    assert registration.callback_url.endswith("?token=whsec_current")


@responses.activate
def test_register_tracking_with_an_explicit_expiry_and_an_old_token(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "register_webhook_ok.json"))
    until = datetime(2026, 11, 16, 12, 30, 15, 999, tzinfo=KST)
    registration = adapter.register_tracking(
        "1234567890", carrier_code="kr.cjlogistics",
        callback_url="https://shop.example/hook?a=1&token=stale")
    variables = sent(responses.calls[0])["variables"]["input"]
    query = parse_qs(urlsplit(variables["callbackUrl"]).query)
    assert query == {"a": ["1"], "token": ["whsec_current"]}
    responses.post(URL, json=fixture_json("trackerdelivery", "register_webhook_ok.json"))
    registration = adapter.register_tracking("1234567890", carrier_code="kr.cjlogistics",
                                             callback_url="https://shop.example/hook", expires_at=until)
    assert sent(responses.calls[1])["variables"]["input"]["expirationTime"] == "2026-11-16T03:30:15Z"
    assert registration.expires_at == datetime(2026, 11, 16, 3, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize("kwargs, message", [
    ({"callback_url": ""}, "callback_url"),
    ({"callback_url": "/relative/path"}, "callback_url"),
    ({"callback_url": "ftp://x.example/"}, "callback_url"),
    ({"callback_url": "https://x.example/", "expires_at": datetime(2026, 11, 16)}, "timezone"),
])
@responses.activate
def test_register_tracking_refuses_bad_arguments(adapter, kwargs, message):
    with pytest.raises(InvalidRequest, match=message):
        adapter.register_tracking("1234567890", carrier_code="kr.cjlogistics", **kwargs)


@responses.activate
def test_register_tracking_needs_a_secret_to_authenticate_callbacks():
    adapter = TrackerDeliveryAdapter(CarrierCredentials(api_key="a:b"))
    with pytest.raises(InvalidRequest, match="webhook secret"):
        adapter.register_tracking("1234567890", carrier_code="kr.cjlogistics", callback_url="https://x.example/")


@responses.activate
def test_register_tracking_errors(adapter):
    responses.post(URL, json=fixture_json("trackerdelivery", "register_webhook_bad_request.json"))
    with pytest.raises(InvalidRequest, match="7 days"):
        adapter.register_tracking("1234567890", carrier_code="kr.cjlogistics", callback_url="https://x.example/")
    responses.post(URL, json={"data": {"registerTrackWebhook": False}})
    with pytest.raises(CarrierUnavailable):
        adapter.register_tracking("1234567890", carrier_code="kr.cjlogistics", callback_url="https://x.example/")


# --- Callbacks ---------------------------------------------------------------------------------------------
def test_callback_token_is_checked_against_current_and_previous_secrets():
    adapter = TrackerDeliveryAdapter(CarrierCredentials(webhook_secret="tok_new", previous_webhook_secrets=("tok_old",)))
    body = fixture_bytes("trackerdelivery", "callback.json")
    adapter.verify_webhook(headers={}, body=body, url_token="tok_new")
    adapter.verify_webhook(headers={}, body=body, url_token="tok_old")
    for wrong in ("", "tok_ne", "TOK_NEW", "tok_new "):
        with pytest.raises(WebhookRejected) as caught:
            adapter.verify_webhook(headers={}, body=body, url_token=wrong)
        assert caught.value.status == 401 and caught.value.reason_code == WebhookRejected.REASON_SIGNATURE


def test_callback_without_a_configured_secret_is_refused():
    with pytest.raises(WebhookRejected) as caught:
        TrackerDeliveryAdapter().verify_webhook(headers={}, body=b"{}", url_token="anything")
    assert caught.value.status == 401


def test_callback_becomes_a_result_that_asks_to_be_retracked(adapter):
    [result] = adapter.parse_webhook(headers={}, body=fixture_bytes("trackerdelivery", "callback.json"))
    assert result.needs_retrack and result.events == []
    assert (result.tracking_number, result.carrier, result.carrier_code) == ("1234567890", "trackerdelivery", "kr.cjlogistics")
    assert result.provider_event_id == ""  # identical callbacks about new changes must not dedupe


def test_callback_for_a_carrier_without_a_company_keeps_its_id(adapter):
    [result] = adapter.parse_webhook(headers={}, body=b'{"carrierId": "jp.yamato", "trackingNumber": "1234"}')
    assert result.carrier_code == "jp.yamato" and result.carrier_url == ""


@pytest.mark.parametrize("body, status", [
    (b"{", 400),
    (b"[]", 422),
    (b'{"carrierId": "kr.cjlogistics"}', 422),
    (b'{"trackingNumber": "1234"}', 422),
    (b'{"carrierId": 7, "trackingNumber": "1234"}', 422),
])
def test_callback_unknown_shapes(adapter, body, status):
    with pytest.raises(WebhookRejected) as caught:
        adapter.parse_webhook(headers={}, body=body)
    assert caught.value.status == status

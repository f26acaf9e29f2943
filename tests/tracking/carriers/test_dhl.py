"""DHL Unified Tracking adapter against recorded JSON."""
from datetime import date, datetime, timedelta, timezone

import pytest
import responses

from tracking.carriers import status as st
from tracking.carriers.base import AuthError, Capability, CarrierCredentials, CarrierUnavailable, NotFound, RateLimited, WebhookRejected
from tracking.carriers.dhl import DHLAdapter
from tracking.carriers.dhl.status_map import STATUS_CODE_MAP, TEXT_RULES, canonical

from tests.support.fixtures import fixture_json

URL = "https://api-eu.dhl.com/track/shipments"
KST = timezone(timedelta(hours=9))


@pytest.fixture
def adapter(sleeper):
    return DHLAdapter(CarrierCredentials(api_key="dhl-key"), sleep=sleeper)


@responses.activate
def test_delivered_shipment(adapter):
    responses.get(URL, json=fixture_json("dhl", "shipment_delivered.json"))
    result = adapter.track("3318810025")
    request = responses.calls[0].request
    assert request.headers["DHL-API-Key"] == "dhl-key"
    assert "trackingNumber=3318810025" in request.url and "language=en" in request.url
    # DHL lists newest first; Doorstep keeps them oldest first.
    assert [e.status for e in result.events] == [
        st.INFO_RECEIVED, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT, st.IN_TRANSIT,
        st.OUT_FOR_DELIVERY, st.DELIVERED,
    ]
    delivered = result.events[-1]
    assert delivered.occurred_at == datetime(2026, 11, 18, 15, 24, tzinfo=KST)
    assert delivered.details == {"signed_by": "J KIM", "photo_url": "https://proview.dhl.com/proview/netpod?id=abc123"}
    assert delivered.location == "SEOUL - KOREA, REPUBLIC OF (SOUTH K.), 06236, KR"
    assert result.estimated_delivery == date(2026, 11, 18)
    assert result.service_level == "DHL EXPRESS WORLDWIDE"
    assert result.carrier_url.endswith("tracking-id=3318810025&submit=1")
    assert len({e.carrier_event_id for e in result.events}) == len(result.events)


@responses.activate
def test_in_transit_uses_the_timeframe_when_needed(adapter):
    document = fixture_json("dhl", "shipment_in_transit.json")
    del document["shipments"][0]["estimatedTimeOfDelivery"]
    responses.get(URL, json=document)
    result = adapter.track("3318810025")
    assert st.derive_status(result.events).status == st.IN_TRANSIT
    assert result.estimated_delivery == date(2026, 11, 19)


@responses.activate
def test_exception_shipment(adapter):
    responses.get(URL, json=fixture_json("dhl", "shipment_exception.json"))
    events = adapter.track("3318810025").events
    assert [(e.status, e.reason) for e in events[-2:]] == [
        (st.EXCEPTION, "customs"),
        (st.FAILED_ATTEMPT, "recipient_unavailable"),
    ]


@responses.activate
def test_returned_shipment(adapter):
    responses.get(URL, json=fixture_json("dhl", "shipment_returned.json"))
    events = adapter.track("3318810025").events
    assert [(e.status, e.reason) for e in events[-2:]] == [
        (st.FAILED_ATTEMPT, "address_issue"),
        (st.RETURNED_TO_SENDER, ""),
    ]


@pytest.mark.parametrize("fixture, status, error", [("error_404.json", 404, NotFound), ("error_401.json", 401, AuthError)])
@responses.activate
def test_errors_map_to_base_types(adapter, fixture, status, error):
    responses.get(URL, json=fixture_json("dhl", fixture), status=status)
    with pytest.raises(error) as caught:
        adapter.track("3318810025")
    assert fixture_json("dhl", fixture)["detail"] in str(caught.value)


@responses.activate
def test_empty_shipment_list_is_not_found(adapter):
    responses.get(URL, json={"shipments": []})
    with pytest.raises(NotFound):
        adapter.track("3318810025")


@responses.activate
def test_rate_limit_with_http_date_retry_after(adapter, sleeper):
    responses.get(URL, json=fixture_json("dhl", "error_429.json"), status=429, headers={"Retry-After": "Thu, 01 Jan 1970 00:00:00 GMT"})
    responses.get(URL, json=fixture_json("dhl", "shipment_delivered.json"))
    adapter.track("3318810025")
    assert sleeper.waits == [0.0]  # a date in the past means "now"


@responses.activate
def test_rate_limit_without_retry_after_backs_off_then_raises(adapter, sleeper):
    for _ in range(4):
        responses.get(URL, json=fixture_json("dhl", "error_429.json"), status=429)
    with pytest.raises(RateLimited):
        adapter.track("3318810025")
    assert len(sleeper.waits) == 3


@responses.activate
def test_connection_errors_are_retried_then_unavailable(adapter, sleeper):
    import requests

    responses.get(URL, body=requests.ConnectionError("reset"))
    responses.get(URL, body=requests.ConnectionError("reset"))
    responses.get(URL, json=fixture_json("dhl", "shipment_delivered.json"))
    assert adapter.track("3318810025").events and len(sleeper.waits) == 2
    responses.get(URL, body=requests.Timeout("slow"))
    responses.replace(responses.GET, URL, body=requests.Timeout("slow"))
    with pytest.raises(CarrierUnavailable):
        adapter.track("3318810025")


@responses.activate
def test_non_json_success_is_unavailable(adapter):
    responses.get(URL, body="<html>maintenance</html>", status=200)
    with pytest.raises(CarrierUnavailable):
        adapter.track("3318810025")


def test_dhl_is_polling_only(adapter):
    assert adapter.supports(Capability.POLLING) and not adapter.supports(Capability.WEBHOOKS)
    with pytest.raises(WebhookRejected) as caught:
        adapter.verify_webhook(headers={}, body=b"{}")
    assert caught.value.status == 404


EXPECTED_CODES = {
    "pre-transit": (st.INFO_RECEIVED, ""),
    "transit": (st.IN_TRANSIT, ""),
    "delivered": (st.DELIVERED, ""),
    "failure": (st.EXCEPTION, "other"),
    "unknown": (st.PENDING, ""),
}

# One representative phrase per text rule, with the status code DHL sends it under.
EXPECTED_TEXT = [
    ("failure", "Shipment is being returned to shipper", (st.RETURNED_TO_SENDER, "")),
    ("failure", "Delivery refused by recipient", (st.EXCEPTION, "refused")),
    ("transit", "Shipment damaged - contents being checked", (st.EXCEPTION, "damaged")),
    ("failure", "Shipment cannot be located", (st.EXCEPTION, "lost")),
    ("transit", "Clearance delay - Customs held awaiting payment", (st.EXCEPTION, "customs")),
    ("failure", "Delivery not possible - incorrect address", (st.FAILED_ATTEMPT, "address_issue")),
    ("failure", "Delivery attempted; recipient not home", (st.FAILED_ATTEMPT, "recipient_unavailable")),
    ("transit", "Shipment is out with courier for delivery", (st.OUT_FOR_DELIVERY, "")),
    ("transit", "The shipment is ready for pickup at the DHL Parcelshop", (st.AVAILABLE_FOR_PICKUP, "")),
    ("transit", "Delayed due to severe weather", (st.IN_TRANSIT, "weather")),
    ("transit", "Scheduled flight delayed", (st.IN_TRANSIT, "carrier_delay")),
]


@pytest.mark.parametrize("code", sorted(EXPECTED_CODES))
def test_status_code_row(code):
    assert set(STATUS_CODE_MAP) == set(EXPECTED_CODES)
    assert canonical(code, "Processed at LEIPZIG - GERMANY") == EXPECTED_CODES[code]


@pytest.mark.parametrize("code, text, expected", EXPECTED_TEXT, ids=[t for _, t, _ in EXPECTED_TEXT])
def test_text_rule_row(code, text, expected):
    assert canonical(code, text) == expected


def test_every_text_rule_is_exercised_by_a_row():
    used = set()
    for code, text, _ in EXPECTED_TEXT:
        for index, rule in enumerate(TEXT_RULES):
            if code in rule.applies_to and rule.pattern.search(text):
                used.add(index)
                break
    assert used == set(range(len(TEXT_RULES)))


def test_text_never_overrides_delivered_or_pre_transit():
    assert canonical("delivered", "Delivered - returned to sender note") == (st.DELIVERED, "")
    assert canonical("pre-transit", "Shipment damaged") == (st.INFO_RECEIVED, "")
    assert canonical("transit", "Customs clearance status updated") == (st.IN_TRANSIT, "")

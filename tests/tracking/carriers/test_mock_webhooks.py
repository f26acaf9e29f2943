"""The mock carrier's webhook scheme (the ingestion endpoint and simulate_carrier rely on it)."""
import hashlib
import hmac
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tracking.carriers import status as st
from tracking.carriers.base import CarrierCredentials, WebhookRejected
from tracking.carriers.mock import (
    MockCarrier,
    all_scenario_events,
    make_tracking_number,
    sign_webhook,
    simulate_deliveries,
    webhook_payload,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET = "whsec_current"


def carrier(secret=SECRET, previous=()):
    adapter = MockCarrier(CarrierCredentials(webhook_secret=secret, previous_webhook_secrets=tuple(previous)))
    adapter.clock = lambda: NOW
    return adapter


def delivery(secret=SECRET, timestamp=None):
    tn = make_tracking_number("on_time", NOW - timedelta(days=10), 5)
    body = webhook_payload(tn, all_scenario_events(tn)[:3], "dlv_1")
    ts = int(NOW.timestamp()) if timestamp is None else timestamp
    return sign_webhook(secret, body, ts), body


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    headers, body = delivery()
    ts = headers["X-Mock-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Mock-Signature"] == f"v1={expected}"


def test_good_delivery_verifies_and_parses():
    headers, body = delivery()
    adapter = carrier()
    adapter.verify_webhook(headers=headers, body=body)
    [result] = adapter.parse_webhook(headers=headers, body=body)
    assert result.provider_event_id == "dlv_1"
    assert [e.status for e in result.events] == [st.INFO_RECEIVED, st.IN_TRANSIT, st.IN_TRANSIT]
    assert result.events[0].carrier_event_id.endswith("-00")
    assert result.events[0].occurred_at == all_scenario_events(result.tracking_number)[0].occurred_at


def test_headers_are_case_insensitive():
    headers, body = delivery()
    carrier().verify_webhook(headers={k.lower(): v for k, v in headers.items()}, body=body)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda h, b: (h, b + b" "),  # body changed after signing
        lambda h, b: ({**h, "X-Mock-Signature": "v1=" + "0" * 64}, b),
        lambda h, b: ({k: v for k, v in h.items() if k != "X-Mock-Signature"}, b),
        lambda h, b: ({k: v for k, v in h.items() if k != "X-Mock-Timestamp"}, b),
        lambda h, b: ({**h, "X-Mock-Timestamp": str(int(h["X-Mock-Timestamp"]) + 1)}, b),
    ],
    ids=["body", "wrong-sig", "no-sig", "no-timestamp", "other-timestamp"],
)
def test_tampered_deliveries_are_401(mutate):
    headers, body = mutate(*delivery())
    with pytest.raises(WebhookRejected) as caught:
        carrier().verify_webhook(headers=headers, body=body)
    assert caught.value.status == 401


def test_wrong_secret_is_401():
    headers, body = delivery(secret="someone-else")
    with pytest.raises(WebhookRejected) as caught:
        carrier().verify_webhook(headers=headers, body=body)
    assert caught.value.status == 401


@pytest.mark.parametrize("skew", [-301, 301])
def test_timestamps_outside_the_window_are_401(skew):
    headers, body = delivery(timestamp=int(NOW.timestamp()) + skew)
    with pytest.raises(WebhookRejected) as caught:
        carrier().verify_webhook(headers=headers, body=body)
    assert caught.value.status == 401


@pytest.mark.parametrize("skew", [-300, 300])
def test_timestamps_at_the_window_edge_pass(skew):
    headers, body = delivery(timestamp=int(NOW.timestamp()) + skew)
    carrier().verify_webhook(headers=headers, body=body)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Mock-Timestamp": "yesterday", "X-Mock-Signature": "v1=abc"},
        {"X-Mock-Timestamp": "1", "X-Mock-Signature": "v0=abc"},
    ],
)
def test_malformed_headers_are_400(headers):
    with pytest.raises(WebhookRejected) as caught:
        carrier().verify_webhook(headers=headers, body=b"{}")
    assert caught.value.status == 400


def test_rotation_accepts_old_secret_and_multi_signature_headers():
    headers, body = delivery(secret="whsec_old")
    carrier(previous=["whsec_old"]).verify_webhook(headers=headers, body=body)
    # A carrier mid-rotation sends both signatures; either one matching is enough.
    tn_headers = sign_webhook(["whsec_unknown", SECRET], body, int(NOW.timestamp()))
    assert tn_headers["X-Mock-Signature"].count("v1=") == 2
    carrier().verify_webhook(headers=tn_headers, body=body)


def test_no_configured_secret_rejects_everything():
    headers, body = delivery()
    with pytest.raises(WebhookRejected) as caught:
        carrier(secret="").verify_webhook(headers=headers, body=body)
    assert caught.value.status == 401


@pytest.mark.parametrize(
    "body, status",
    [
        (b"not json", 400),
        (b"\xff\xfe", 400),
        (b"[]", 422),
        (json.dumps({"id": "x", "type": "label.created", "data": {}}).encode(), 422),
        (json.dumps({"id": "x", "type": "tracking.updated", "data": []}).encode(), 422),
        (json.dumps({"id": "x", "type": "tracking.updated", "data": {"tracking_number": "A", "events": [{}]}}).encode(), 422),
        (
            json.dumps({"id": "x", "type": "tracking.updated", "data": {"tracking_number": "A", "events": [
                {"id": "e", "status_code": "MK-NOPE", "occurred_at": "2026-11-01T10:00:00+09:00"}]}}).encode(),
            422,
        ),
        (
            json.dumps({"id": "x", "type": "tracking.updated", "data": {"tracking_number": "A", "events": [
                {"id": "e", "status_code": "MK-DLV", "occurred_at": "2026-11-01T10:00:00"}]}}).encode(),
            422,
        ),
        (json.dumps({"id": "x", "type": "tracking.updated", "data": {"tracking_number": "A", "estimated_delivery": "soon", "events": []}}).encode(), 422),
    ],
)
def test_unknown_shapes_are_rejected_with_a_4xx(body, status):
    with pytest.raises(WebhookRejected) as caught:
        carrier().parse_webhook(headers={}, body=body)
    assert caught.value.status == status


def test_simulator_signs_every_delivery_and_includes_duplicates_and_reordering():
    clock_now = NOW.timestamp()
    deliveries = list(
        simulate_deliveries(secret=SECRET, count=300, seed=7, duplicate_rate=0.2, out_of_order_rate=0.2, now=NOW, clock=lambda: clock_now)
    )
    assert len(deliveries) == 300
    adapter = carrier()
    ids, per_shipment = Counter(), {}
    for headers, body in deliveries:
        adapter.verify_webhook(headers=headers, body=body)
        [result] = adapter.parse_webhook(headers=headers, body=body)
        ids[result.provider_event_id] += 1
        per_shipment.setdefault(result.tracking_number, []).extend(result.events)
    assert any(count > 1 for count in ids.values()), "expected carrier retries (same delivery id)"
    out_of_order = [
        tn for tn, events in per_shipment.items()
        if [e.occurred_at for e in events] != sorted(e.occurred_at for e in events)
    ]
    assert out_of_order, "expected some shipments to receive events out of order"
    # Whatever the arrival order, the derived status equals the scenario's true timeline.
    for tn, events in per_shipment.items():
        truth = all_scenario_events(tn)
        if {e.carrier_event_id for e in events} == {e.carrier_event_id for e in truth}:
            assert st.derive_status(events) == st.derive_status(truth)


def test_simulator_is_deterministic_for_a_seed():
    def run():
        return list(simulate_deliveries(secret=SECRET, count=50, seed=3, now=NOW, clock=lambda: 1_800_000_000))
    assert run() == run()

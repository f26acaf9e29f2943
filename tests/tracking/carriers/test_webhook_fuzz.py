"""Property: whatever headers and body arrive, an adapter's verify/parse either accepts or raises
WebhookRejected (a clean 4xx). Any other exception would be a 500 at the endpoint."""
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as hs

from tracking.carriers.base import CarrierCredentials, WebhookRejected
from tracking.carriers.dhl import DHLAdapter
from tracking.carriers.easypost import EasyPostAdapter
from tracking.carriers.mock import MockCarrier
from tracking.carriers.shippo import ShippoAdapter

ADAPTERS = [MockCarrier, EasyPostAdapter, ShippoAdapter, DHLAdapter]
CREDENTIALS = [CarrierCredentials(), CarrierCredentials(webhook_secret="s3cret", previous_webhook_secrets=("old", ""))]

header_names = hs.sampled_from(
    ["X-Mock-Timestamp", "X-Mock-Signature", "x-hmac-signature", "Content-Type", "X-Anything"]
) | hs.text(max_size=20)
headers = hs.dictionaries(header_names, hs.text(max_size=80) | hs.sampled_from(["v1=", "v1=abc,v2=", "hmac-sha256-hex=", "1800000000"]), max_size=5)

json_values = hs.recursive(
    hs.none() | hs.booleans() | hs.integers() | hs.floats(allow_nan=False) | hs.text(max_size=20),
    lambda children: hs.lists(children, max_size=4) | hs.dictionaries(hs.text(max_size=12), children, max_size=4),
    max_leaves=15,
)
# Bodies that get past "is it JSON?" and probe the shape checks, plus raw bytes.
shaped = hs.fixed_dictionaries(
    {},
    optional={
        "id": json_values, "type": hs.sampled_from(["tracking.updated", "x"]) | json_values,
        "object": hs.sampled_from(["Event", "Tracker"]) | json_values,
        "description": hs.sampled_from(["tracker.updated", "batch.updated"]) | json_values,
        "event": hs.sampled_from(["track_updated"]) | json_values,
        "data": json_values | hs.fixed_dictionaries({}, optional={
            "tracking_number": json_values, "estimated_delivery": json_values,
            "events": hs.lists(hs.dictionaries(hs.sampled_from(["id", "status_code", "occurred_at", "description", "location"]), json_values | hs.sampled_from(["MK-DLV", "2026-11-01T10:00:00+09:00"])), max_size=3),
            "tracking_history": hs.lists(json_values, max_size=3), "tracking_status": json_values,
        }),
        "result": json_values | hs.fixed_dictionaries({"object": hs.just("Tracker"), "tracking_code": json_values}, optional={"tracking_details": hs.lists(json_values, max_size=3)}),
    },
).map(lambda d: json.dumps(d).encode())
bodies = hs.binary(max_size=300) | shaped


@pytest.mark.parametrize("adapter_class", ADAPTERS, ids=lambda c: c.slug)
@pytest.mark.parametrize("credentials", CREDENTIALS, ids=["no-secret", "secret"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=headers, body=bodies, url_token=hs.text(max_size=20))
def test_only_webhook_rejected_escapes(adapter_class, credentials, headers, body, url_token):
    adapter = adapter_class(credentials)
    try:
        adapter.verify_webhook(headers=headers, body=body, url_token=url_token)
    except WebhookRejected as exc:
        assert 400 <= exc.status < 500
    try:
        results = adapter.parse_webhook(headers=headers, body=body)
    except WebhookRejected as exc:
        assert 400 <= exc.status < 500
    else:
        assert isinstance(results, list)

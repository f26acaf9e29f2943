"""Carrier webhooks through the HTTP endpoint: the mock carrier's signing and a plain POST helper."""
import time
from datetime import UTC, datetime

from tracking.carriers.mock import all_scenario_events, make_tracking_number, sign_webhook, webhook_payload

# The webhook secret of the ``account`` fixture (a mock-carrier account of the root merchant).
SECRET = "whsec_test_0123456789abcdef"
# When the mock parcels of ``mock_body`` were shipped (their scenario timelines start here).
SHIPPED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def signed(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict:
    """The mock carrier's signature headers for ``body`` (without Content-Type: ``post`` sets it)."""
    headers = sign_webhook(secret, body, int(time.time() if timestamp is None else timestamp))
    headers.pop("Content-Type", None)
    return headers


def post(client, account_or_id, body: bytes, headers: dict | None = None, query: str = ""):
    """POST ``body`` to /webhooks/carriers/<public_id>/ (``query`` e.g. "?token=…")."""
    public_id = getattr(account_or_id, "public_id", account_or_id)
    return client.post(f"/webhooks/carriers/{public_id}/{query}", data=body, content_type="application/json",
                       headers=headers or {})


def mock_body(serial=1, delivery_id="dlv_1", scenario="on_time") -> bytes:
    """A mock-carrier delivery carrying the first two events of one scenario parcel."""
    number = make_tracking_number(scenario, SHIPPED, serial)
    return webhook_payload(number, all_scenario_events(number)[:2], delivery_id)

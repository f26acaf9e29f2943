"""Carrier webhooks through the HTTP endpoint: how each carrier signs a delivery, and a plain POST helper.

The signing here is written from each carrier's documentation, not borrowed from the adapters (except
the mock carrier, whose scheme is Doorstep's own), so a test fails if an adapter checks the wrong thing."""
import hashlib
import hmac
import time
import unicodedata
from datetime import UTC, datetime
from urllib.parse import urlencode

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


def easypost_signature(secret: str, body: bytes) -> dict:
    """EasyPost: ``X-Hmac-Signature: hmac-sha256-hex=<hex HMAC-SHA256 of the raw body>``, keyed with the
    webhook secret normalised to NFKD."""
    key = unicodedata.normalize("NFKD", secret).encode()
    return {"X-Hmac-Signature": "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()}


def url_token(secret: str) -> str:
    """Shippo and tracker.delivery sign nothing: the secret rides in the callback URL we registered."""
    return "?" + urlencode({"token": secret})


def sign_as(carrier: str, secret: str, body: bytes) -> tuple[dict, str]:
    """(headers, query string) for ``body`` as ``carrier`` sends it to /webhooks/carriers/<id>/."""
    if carrier == "mock":
        return signed(body, secret), ""
    if carrier == "easypost":
        return easypost_signature(secret, body), ""
    if carrier in ("shippo", "trackerdelivery"):
        return {}, url_token(secret)
    raise ValueError(f"no signing scheme for {carrier!r}: add it here")


def post(client, account_or_id, body: bytes, headers: dict | None = None, query: str = ""):
    """POST ``body`` to /webhooks/carriers/<public_id>/ (``query`` e.g. "?token=…")."""
    public_id = getattr(account_or_id, "public_id", account_or_id)
    return client.post(f"/webhooks/carriers/{public_id}/{query}", data=body, content_type="application/json",
                       headers=headers or {})


def mock_body(serial=1, delivery_id="dlv_1", scenario="on_time") -> bytes:
    """A mock-carrier delivery carrying the first two events of one scenario parcel."""
    number = make_tracking_number(scenario, SHIPPED, serial)
    return webhook_payload(number, all_scenario_events(number)[:2], delivery_id)

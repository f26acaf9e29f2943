"""Carrier webhooks through the HTTP endpoint: the mock carrier's signing and a plain POST helper."""
import time

from tracking.carriers.mock import sign_webhook

# The webhook secret of the ``account`` fixture (a mock-carrier account of the root merchant).
SECRET = "whsec_test_0123456789abcdef"


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

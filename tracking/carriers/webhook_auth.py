"""Constant-time checks shared by adapters whose carriers sign (or token-protect) webhooks."""
from __future__ import annotations

import hmac

from tracking.carriers.base import CarrierCredentials, WebhookRejected


def require_secrets(credentials: CarrierCredentials) -> tuple[str, ...]:
    secrets = credentials.webhook_secrets
    if not secrets:
        # Fail closed: an account without a secret cannot tell a carrier from anyone else.
        raise WebhookRejected("no webhook secret configured for this carrier account", status=401,
                              reason_code=WebhookRejected.REASON_SIGNATURE)
    return secrets


def matches_any(offered: str, expected: list[str]) -> bool:
    """True if ``offered`` equals any expected value. Every candidate is compared (no early exit)
    so the time taken does not depend on which secret matched."""
    offered_bytes = offered.encode("utf-8", "replace")
    matched = False
    for candidate in expected:
        matched |= hmac.compare_digest(offered_bytes, candidate.encode("utf-8", "replace"))
    return matched


def require_url_token(credentials: CarrierCredentials, url_token) -> None:
    """For carriers that cannot sign deliveries (Shippo, tracker.delivery): the account's webhook
    secret travels as ``?token=`` in the callback URL we registered, and must come back unchanged.
    Raises WebhookRejected (401) unless it matches the current or a still-accepted previous secret."""
    secrets = require_secrets(credentials)
    if not isinstance(url_token, str) or not url_token:
        raise WebhookRejected("missing webhook token in the URL", status=401,
                              reason_code=WebhookRejected.REASON_SIGNATURE)
    if not matches_any(url_token, list(secrets)):
        raise WebhookRejected("webhook token does not match", status=401,
                              reason_code=WebhookRejected.REASON_SIGNATURE)

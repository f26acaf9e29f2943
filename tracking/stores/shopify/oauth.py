"""Shopify OAuth (authorization code grant), pure functions: no HTTP here (the adapter posts).

1. ``validate_shop`` the domain the merchant typed or Shopify sent (only ``*.myshopify.com``).
2. Redirect to ``authorize_url``; keep ``state`` in the merchant's session.
3. On the callback, ``verify_callback`` checks the query's ``hmac`` (hex HMAC-SHA256 of the other
   parameters, sorted, keyed with the app's client secret; constant time), the state and the
   timestamp, and returns the validated shop.
4. POST ``token_request(...)`` to ``https://{shop}/admin/oauth/access_token`` and read the answer
   with ``parse_token_response``. Doorstep asks for expiring offline tokens (one hour, with a
   refresh token; Shopify requires them for public apps from 2027-01-01): ``refresh_request``.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone
from typing import Mapping, Sequence
from urllib.parse import parse_qsl, urlencode

from tracking.carriers.webhook_auth import matches_any
from tracking.stores.base import InvalidRequest, OAuthRejected, TokenGrant
from tracking.stores.parsing import text

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$")
CALLBACK_MAX_AGE = timedelta(minutes=10)
CLOCK_SKEW = timedelta(seconds=90)


def validate_shop(value) -> str:
    """The shop's ``x.myshopify.com`` domain, lower-cased; an ``https://`` prefix or trailing slash
    typed by a merchant is tolerated. Anything else (custom domains, look-alikes such as
    ``shop.myshopify.com.evil.com``, ports, paths) raises OAuthRejected."""
    if not isinstance(value, str):
        raise OAuthRejected("shop domain missing")
    shop = value.strip().lower()
    if shop.startswith("https://"):
        shop = shop[len("https://"):]
    shop = shop.rstrip("/")
    if not SHOP_DOMAIN.fullmatch(shop):
        raise OAuthRejected(f"not a myshopify.com shop domain: {value[:100]!r}")
    return shop


def authorize_url(*, shop: str, client_id: str, scopes: Sequence[str], redirect_uri: str, state: str,
                  base_url: str = "") -> str:
    """Where to send the merchant to approve the app (offline access: no ``grant_options``)."""
    shop = validate_shop(shop)
    if not client_id or not redirect_uri or not state:
        raise InvalidRequest("client_id, redirect_uri and state are required")
    base = (base_url or "https://{shop}").replace("{shop}", shop).rstrip("/")
    query = urlencode({"client_id": client_id, "scope": ",".join(scopes), "redirect_uri": redirect_uri,
                       "state": state})
    return f"{base}/admin/oauth/authorize?{query}"


def _escape(value: str, *, key: bool) -> str:
    value = value.replace("%", "%25")
    if key:
        value = value.replace("=", "%3D")
    return value.replace("&", "%26")


def callback_message(params: Mapping[str, str]) -> str:
    """What Shopify signs: every parameter but ``hmac``, as ``key=value``, sorted, joined by ``&``
    (``%``, ``&`` and, in keys, ``=`` escaped so a value cannot forge a separator)."""
    pairs = sorted(f"{_escape(k, key=True)}={_escape(v, key=False)}" for k, v in params.items() if k != "hmac")
    return "&".join(pairs)


def callback_hmac(params: Mapping[str, str], secret: str) -> str:
    return hmac.new(secret.encode(), callback_message(params).encode(), hashlib.sha256).hexdigest()


def _as_params(query) -> dict[str, str]:
    if isinstance(query, (str, bytes)):
        raw = query.decode("utf-8", "replace") if isinstance(query, bytes) else query
        return {k: v for k, v in parse_qsl(raw.lstrip("?"), keep_blank_values=True)}
    if isinstance(query, Mapping):
        return {str(k): (v if isinstance(v, str) else str(v)) for k, v in query.items()}
    raise OAuthRejected("callback query missing")


def verify_callback(query, *, client_secret: str, previous_secrets: Sequence[str] = (),
                    expected_state: str | None = None, now: datetime | None = None,
                    max_age: timedelta = CALLBACK_MAX_AGE) -> str:
    """Check an OAuth callback (or app-launch) query; returns the validated shop domain.
    ``query`` is the raw query string or a mapping of single values."""
    params = _as_params(query)
    secrets = [s for s in (client_secret, *previous_secrets) if s]
    if not secrets:
        raise OAuthRejected("no client secret configured")
    offered = params.get("hmac", "").strip().lower()
    if not offered:
        raise OAuthRejected("callback without hmac")
    if not matches_any(offered, [callback_hmac(params, secret) for secret in secrets]):
        raise OAuthRejected("callback hmac does not match")
    shop = validate_shop(params.get("shop", ""))
    if expected_state is not None and not matches_any(params.get("state", ""), [expected_state]):
        raise OAuthRejected("callback state does not match the session")
    stamp = params.get("timestamp", "")
    if stamp:
        if not stamp.isdigit():
            raise OAuthRejected("callback timestamp is not a number")
        issued = datetime.fromtimestamp(min(int(stamp), 10**11), tz=timezone.utc)
        current = now or datetime.now(timezone.utc)
        if issued > current + CLOCK_SKEW or current - issued > max_age:
            raise OAuthRejected("callback timestamp outside the allowed window")
    return shop


def token_request(*, client_id: str, client_secret: str, code: str, expiring: bool = True) -> dict:
    if not (client_id and client_secret and code):
        raise InvalidRequest("client_id, client_secret and code are required")
    payload = {"client_id": client_id, "client_secret": client_secret, "code": code}
    if expiring:
        payload["expiring"] = 1
    return payload


def refresh_request(*, client_id: str, client_secret: str, refresh_token: str) -> dict:
    if not (client_id and client_secret and refresh_token):
        raise InvalidRequest("client_id, client_secret and refresh_token are required")
    return {"client_id": client_id, "client_secret": client_secret, "grant_type": "refresh_token",
            "refresh_token": refresh_token}


def _seconds(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 < value < 10**9:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def parse_token_response(document, *, shop: str, now: datetime) -> TokenGrant:
    if not isinstance(document, dict) or not text(document.get("access_token"), 500):
        raise InvalidRequest("Shopify token answer without access_token")
    expires_in = _seconds(document.get("expires_in"))
    refresh_in = _seconds(document.get("refresh_token_expires_in"))
    scopes = tuple(s.strip() for s in text(document.get("scope"), 2000).split(",") if s.strip())
    return TokenGrant(
        access_token=text(document.get("access_token"), 500),
        refresh_token=text(document.get("refresh_token"), 500),
        expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
        refresh_token_expires_at=now + timedelta(seconds=refresh_in) if refresh_in else None,
        scopes=scopes,
        shop=shop,
    )

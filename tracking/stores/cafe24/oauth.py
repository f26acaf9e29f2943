"""Cafe24 OAuth 2.0 (authorization code grant), pure functions: no HTTP here.

* Authorize: ``https://{mall_id}.cafe24api.com/api/v2/oauth/authorize?response_type=code&client_id=
  &state=&redirect_uri=&scope=`` (scopes comma-separated, e.g. ``mall.read_order,mall.write_order``).
* Token: ``POST /api/v2/oauth/token`` with ``Authorization: Basic base64(client_id:client_secret)``
  and a form body ``grant_type=authorization_code&code=&redirect_uri=`` or
  ``grant_type=refresh_token&refresh_token=``.
* Lifetimes: access tokens two hours, refresh tokens two weeks. Every refresh returns a new refresh
  token and retires the old one, so the grant must be persisted before it is used.
* Cafe24 writes ``expires_at`` without an offset (``2026-01-08T19:15:21.000``): Korean time.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Sequence
from urllib.parse import urlencode

from tracking.stores.base import InvalidRequest, OAuthRejected, TokenGrant
from tracking.stores.parsing import items, text, when

KST = timezone(timedelta(hours=9), "KST")
MALL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,49}$")
DEFAULT_BASE_URL = "https://{mall_id}.cafe24api.com"


def validate_mall_id(value) -> str:
    """A Cafe24 mall id (lower-case letters, digits, - and _); anything that could change the API
    host (dots, slashes, ports) raises OAuthRejected."""
    mall_id = value.strip().lower() if isinstance(value, str) else ""
    if not MALL_ID.fullmatch(mall_id):
        raise OAuthRejected(f"not a Cafe24 mall id: {str(value)[:60]!r}")
    return mall_id


def base_url(mall_id: str, template: str = "") -> str:
    return (template or DEFAULT_BASE_URL).replace("{mall_id}", validate_mall_id(mall_id)).rstrip("/")


def authorize_url(*, mall_id: str, client_id: str, redirect_uri: str, state: str, scopes: Sequence[str],
                  base: str = "") -> str:
    if not client_id or not redirect_uri or not state:
        raise InvalidRequest("client_id, redirect_uri and state are required")
    query = urlencode({"response_type": "code", "client_id": client_id, "state": state, "redirect_uri": redirect_uri,
                       "scope": ",".join(scopes)})
    return f"{base_url(mall_id, base)}/api/v2/oauth/authorize?{query}"


def code_form(*, code: str, redirect_uri: str) -> dict:
    if not code or not redirect_uri:
        raise InvalidRequest("code and redirect_uri are required")
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}


def refresh_form(*, refresh_token: str) -> dict:
    if not refresh_token:
        raise InvalidRequest("refresh_token is required")
    return {"grant_type": "refresh_token", "refresh_token": refresh_token}


def parse_token_response(document) -> TokenGrant:
    if not isinstance(document, dict) or not text(document.get("access_token"), 500):
        raise InvalidRequest("Cafe24 token answer without access_token")
    scopes = items(document.get("scopes"))
    return TokenGrant(
        access_token=text(document.get("access_token"), 500),
        refresh_token=text(document.get("refresh_token"), 500),
        expires_at=when(document.get("expires_at"), assume=KST),
        refresh_token_expires_at=when(document.get("refresh_token_expires_at"), assume=KST),
        scopes=tuple(text(s, 100) for s in scopes if text(s, 100)),
        shop=text(document.get("mall_id"), 60),
    )


def expired(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment <= now

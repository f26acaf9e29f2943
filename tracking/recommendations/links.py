"""Signed click links (/r/<token>/) and the store URL they lead to.

The token is a TimestampSigner-signed, compressed list ``[merchant_id, product_id, placement, impression]``:
nothing about the shopper (the impression id is random; the order and customer stay server-side).
Signer.unsign compares signatures in constant time."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from tracking.recommendations.models import Placement

SALT = "doorstep.recommendations.click"
_CODES = {Placement.TRACKING: "t", Placement.EXCHANGE: "x", Placement.RETURN_CONFIRMATION: "r"}
_PLACEMENTS = {code: placement for placement, code in _CODES.items()}


class InvalidLink(Exception):
    """Tampered, expired or malformed."""


@dataclass(frozen=True)
class ClickPayload:
    merchant_id: int
    product_id: int
    placement: str
    impression_id: uuid.UUID


def click_url(*, merchant_id: int, product_id: int, placement: str, impression_id: uuid.UUID) -> str:
    token = signing.TimestampSigner(salt=SALT).sign_object(
        [merchant_id, product_id, _CODES[placement], impression_id.hex], compress=True)
    return reverse("recommendation-click", args=[token])


def read_click_token(token: str) -> ClickPayload:
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=settings.DOORSTEP_RECS_LINK_MAX_AGE)
        merchant_id, product_id, code, impression = data
        return ClickPayload(int(merchant_id), int(product_id), _PLACEMENTS[code], uuid.UUID(hex=impression))
    except (signing.BadSignature, ValueError, TypeError, KeyError) as exc:
        raise InvalidLink(str(exc)) from exc


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _on_host(url: str, store_url: str) -> bool:
    # Django's check rejects the tricks browsers and urlsplit disagree on (backslashes, control
    # characters, userinfo); the host comparison then pins it to the merchant's own store.
    host, netloc = _host(store_url), urlsplit(store_url).netloc.lower()
    allowed = {host, f"www.{host}", netloc, netloc[4:] if netloc.startswith("www.") else f"www.{netloc}"}
    return (bool(url) and url_has_allowed_host_and_scheme(url, allowed_hosts=allowed)
            and urlsplit(url).scheme in ("http", "https") and _host(url) == host)


def store_destination(*, product_url: str, store_url: str, placement: str) -> str | None:
    """The product page if it is on the merchant's own store host, else the store's home page, with UTM
    tags; None when the merchant has no usable store URL (nowhere safe to send the shopper)."""
    store_host = _host(store_url)
    if not store_host or not _on_host(store_url, store_url):
        return None
    target = product_url if _on_host(product_url, store_url) else store_url
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [("utm_source", "doorstep"), ("utm_medium", placement), ("utm_campaign", "recommendations")]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment))

"""Signed, expiring tokens for public links (tracking page, unsubscribe, surveys…).

Each purpose has its own salt, so a token made for one link can never be replayed on another.
Verification is django.core.signing's constant-time HMAC check."""
from __future__ import annotations

from datetime import timedelta

from django.core import signing


class BadToken(Exception):
    """Tampered, malformed or made for another purpose: answer 404."""


class ExpiredToken(BadToken):
    """Authentic but too old: ask the shopper to verify again."""


def make_token(purpose: str, payload: dict) -> str:
    return signing.TimestampSigner(salt=f"doorstep.{purpose}").sign_object(payload, compress=True)


def read_token(purpose: str, token: str, *, max_age: timedelta | None = None) -> dict:
    if not token or len(token) > 1024:
        raise BadToken("malformed")
    signer = signing.TimestampSigner(salt=f"doorstep.{purpose}")
    try:
        payload = signer.unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise BadToken(str(exc)) from exc
    if not isinstance(payload, dict):
        raise BadToken("unexpected payload")
    return payload

"""Signed, expiring tokens for public links (tracking page, unsubscribe, surveys…).

Each purpose has its own salt, so a token made for one link can never be replayed on another.
Verification is django.core.signing's constant-time HMAC check."""
from __future__ import annotations

import time
from datetime import timedelta

from django.core import signing

from tracking.memo import Memo

# (purpose, token) -> (payload, signed at): tokens this process has already verified. Only genuine
# tokens get in, so the size bound is about memory, not attackers; the age is still checked on
# every read. A shopper refreshing the tracking page skips the HMAC (about 3 % of a cached view).
_verified = Memo("verified link tokens", maxsize=20_000)


class BadToken(Exception):
    """Tampered, malformed or made for another purpose: answer 404."""


class ExpiredToken(BadToken):
    """Authentic but too old: ask the shopper to verify again."""


def make_token(purpose: str, payload: dict) -> str:
    return signing.TimestampSigner(salt=f"doorstep.{purpose}").sign_object(payload, compress=True)


def read_token(purpose: str, token: str, *, max_age: timedelta | None = None) -> dict:
    if not token or len(token) > 1024:
        raise BadToken("malformed")
    known = _verified.get((purpose, token))
    if known is not None:
        payload, signed_at = known
        if max_age is not None and time.time() - signed_at > max_age.total_seconds():
            raise ExpiredToken("signature age exceeds max_age")
        return dict(payload)
    signer = signing.TimestampSigner(salt=f"doorstep.{purpose}")
    try:
        payload = signer.unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise BadToken(str(exc)) from exc
    if not isinstance(payload, dict):
        raise BadToken("unexpected payload")
    _verified.set((purpose, token), (payload, signing.b62_decode(token.rsplit(":", 2)[1])))
    return dict(payload)

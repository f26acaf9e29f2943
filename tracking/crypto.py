"""Encryption at rest for carrier credentials.

Webhook secrets must be kept in plaintext-recoverable form (an HMAC is computed with them), so they
are stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256). Keys come from
settings.DOORSTEP_ENCRYPTION_KEYS: the first encrypts, all of them decrypt, so an operator rotates
the key by prepending a new one and re-saving accounts. Without an explicit key, one is derived from
SECRET_KEY, so a fresh clone works; production should set its own.
"""
from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """The stored value was written with a key that is no longer configured."""


def _fernet_key(material: str) -> bytes:
    # Accept a ready Fernet key as-is; otherwise derive one, so any long random string works.
    try:
        if len(base64.urlsafe_b64decode(material.encode())) == 32:
            return material.encode()
    except (ValueError, TypeError):
        pass
    digest = hashlib.sha256(b"doorstep-credentials:" + material.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def _current_box() -> MultiFernet:
    keys = tuple(settings.DOORSTEP_ENCRYPTION_KEYS) or (settings.SECRET_KEY,)
    return _box(keys)


def encrypt(plaintext: str) -> str:
    if not plaintext:
        return ""
    return _current_box().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _current_box().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored credential cannot be decrypted with the configured keys") from exc

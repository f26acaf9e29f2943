"""Create, check and revoke merchant API keys. Only a SHA-256 of a key is ever stored."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from tracking.models import ApiKey, Merchant

KEY_PREFIX = "ds_live_"
PREFIX_LENGTH = len(KEY_PREFIX) + 12
# Writing last_used_at on every request would turn every read into a write; minute resolution is enough.
LAST_USED_RESOLUTION_SECONDS = 60


def _digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, merchant: Merchant, name: str, scope: str = ApiKey.Scope.WRITE,
                   created_by=None) -> tuple[ApiKey, str]:
    """Returns the key row and the raw key, which the caller shows once and never stores."""
    if scope not in ApiKey.Scope.values:
        raise ValueError(f"unknown scope {scope!r}")
    prefix = KEY_PREFIX + secrets.token_hex(6)
    raw_key = prefix + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(merchant=merchant, name=name, scope=scope, prefix=prefix,
                                key_hash=_digest(raw_key), created_by=created_by)
    return key, raw_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key matching ``raw_key``, or None. The hash comparison is constant-time."""
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) <= PREFIX_LENGTH:
        return None
    key = ApiKey.objects.select_related("merchant").filter(prefix=raw_key[:PREFIX_LENGTH]).first()
    if key is None or not hmac.compare_digest(key.key_hash, _digest(raw_key)):
        return None
    if key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key

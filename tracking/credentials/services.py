"""Storing, rotating and resolving a merchant's service credentials. The plaintext secret is taken
once (admin form, command) and only ever stored encrypted; resolution decrypts it for one call."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Mapping

from django.db import transaction
from django.utils import timezone

from tracking import crypto
from tracking.credentials.models import Service, ServiceCredential
from tracking.models import Merchant

logger = logging.getLogger(__name__)
HINT_CHARS = 4


@dataclass(frozen=True)
class ResolvedCredential:
    service: str
    key_id: str = ""
    secret: str = field(default="", repr=False)
    config: Mapping = field(default_factory=dict)


def secret_hint(secret: str) -> str:
    """The last few characters, only for secrets long enough that they give nothing away."""
    secret = secret.strip()
    return secret[-HINT_CHARS:] if len(secret) >= 12 else ""


@transaction.atomic
def service_credential_set(*, merchant: Merchant, service: str, secret: str, key_id: str = "",
                           config: dict | None = None) -> ServiceCredential:
    """Store the merchant's credential for ``service``, or rotate it: the active row keeps its id
    and gets the new secret (and key id/config when given), from the next call on."""
    if service not in Service.values:
        raise ValueError(f"unknown service {service!r}")
    secret = (secret or "").strip()
    if not secret:
        raise ValueError("a credential needs its secret")
    row = (ServiceCredential.objects.select_for_update()
           .filter(merchant=merchant, service=service, is_active=True).first())
    now = timezone.now()
    if row is None:
        row = ServiceCredential(merchant=merchant, service=service)
    else:
        row.rotated_at = now
    row.secret_encrypted = crypto.encrypt(secret)
    row.secret_hint = secret_hint(secret)
    if key_id or row.pk is None:
        row.key_id = key_id.strip()
    if config is not None:
        row.config = dict(config)
    row.full_clean(exclude=["merchant"])
    row.save()
    return row


@transaction.atomic
def service_credential_rotate(*, credential: ServiceCredential, secret: str) -> ServiceCredential:
    return service_credential_set(merchant=credential.merchant, service=credential.service, secret=secret)


def merchant_credential(*, merchant_id: int | None, service: str) -> ResolvedCredential | None:
    """The merchant's active credential for ``service``, decrypted; None when the merchant has none
    (callers then use the install-wide default) or it cannot be decrypted (logged: the operator
    fixes DOORSTEP_ENCRYPTION_KEYS; the default is NOT used in its place, it would be someone
    else's account)."""
    if merchant_id is None:
        return None
    row = (ServiceCredential.objects.filter(merchant_id=merchant_id, service=service, is_active=True)
           .only("key_id", "secret_encrypted", "config").first())
    if row is None:
        return None
    try:
        secret = crypto.decrypt(row.secret_encrypted)
    except crypto.DecryptionError:
        logger.error("service credential %s (%s) cannot be decrypted with the configured keys", row.pk, service)
        secret = ""
    return ResolvedCredential(service=service, key_id=row.key_id, secret=secret, config=dict(row.config or {}))

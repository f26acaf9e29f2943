"""Carrier accounts: creation and webhook-secret rotation. The plaintext secret is returned to the
caller exactly once (to show the operator) and stored only encrypted."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tracking import crypto
from tracking.credentials.services import secret_hint
from tracking.models import CarrierAccount, Merchant
from tracking.ingest.models import new_webhook_secret


@dataclass(frozen=True)
class IssuedSecret:
    account: CarrierAccount
    webhook_secret: str  # plaintext: show once, never store or log


@transaction.atomic
def carrier_account_create(*, merchant: Merchant, carrier: str, label: str = "", webhook_secret: str = "",
                           api_key: str = "", options: dict | None = None,
                           poll_rate_limit_per_minute: int | None = None) -> IssuedSecret:
    """Create an account. Without ``webhook_secret`` a random one is generated (paste the one the
    carrier's dashboard gives you instead, where the carrier chooses it)."""
    secret = webhook_secret or new_webhook_secret()
    account = CarrierAccount(merchant=merchant, carrier=carrier, label=label, options=options or {},
                             webhook_secret_encrypted=crypto.encrypt(secret), api_key_encrypted=crypto.encrypt(api_key),
                             api_key_hint=secret_hint(api_key))
    if poll_rate_limit_per_minute is not None:
        account.poll_rate_limit_per_minute = poll_rate_limit_per_minute
    account.full_clean()
    account.save()
    return IssuedSecret(account, secret)


@transaction.atomic
def carrier_account_rotate_secret(*, account: CarrierAccount, new_secret: str = "", overlap=None) -> IssuedSecret:
    """Issue a new webhook secret; the current one keeps verifying for ``overlap`` (default
    settings.DOORSTEP_WEBHOOK_SECRET_OVERLAP) so deliveries signed before the carrier's dashboard
    is updated are not lost. A second rotation inside the window drops the oldest secret."""
    overlap = settings.DOORSTEP_WEBHOOK_SECRET_OVERLAP if overlap is None else overlap
    locked = CarrierAccount.objects.select_for_update().get(pk=account.pk)
    secret = new_secret or new_webhook_secret()
    now = timezone.now()
    locked.previous_secret_encrypted = locked.webhook_secret_encrypted
    locked.previous_secret_expires_at = now + overlap
    locked.webhook_secret_encrypted = crypto.encrypt(secret)
    locked.secret_rotated_at = now
    locked.save(update_fields=["previous_secret_encrypted", "previous_secret_expires_at", "webhook_secret_encrypted",
                               "secret_rotated_at", "updated_at"])
    return IssuedSecret(locked, secret)


@transaction.atomic
def carrier_account_set_api_key(*, account: CarrierAccount, api_key: str) -> CarrierAccount:
    account.api_key_encrypted = crypto.encrypt(api_key)
    account.api_key_hint = secret_hint(api_key)
    account.save(update_fields=["api_key_encrypted", "api_key_hint", "updated_at"])
    return account

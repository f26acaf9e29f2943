"""A merchant's account with a carrier or aggregator: credentials, its own webhook URL and secret."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracking import crypto
from tracking.carriers.base import CarrierCredentials
from tracking.models.merchants import Merchant


def new_public_id() -> str:
    # 144 random bits: the URL itself is not a secret, but it must not be guessable or countable.
    # The prefix keeps ids from starting with "-", which command lines would read as an option.
    return "ca_" + secrets.token_urlsafe(18)


def new_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


def validate_carrier_slug(value: str) -> None:
    from tracking.carriers.registry import available_carriers

    if value not in available_carriers():
        raise ValidationError(
            _("%(value)s is not a configured carrier (DOORSTEP_CARRIERS: %(known)s)."),
            params={"value": value, "known": ", ".join(available_carriers())},
        )


class CarrierAccount(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="carrier_accounts")
    carrier = models.CharField(max_length=32, validators=[validate_carrier_slug],
                               help_text=_("Carrier slug, as in DOORSTEP_CARRIERS."))
    label = models.CharField(max_length=80, blank=True, help_text=_("To tell two accounts with one carrier apart."))
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    # Encrypted with tracking.crypto; the plaintext is shown once, when created or rotated.
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    api_key_encrypted = models.TextField(blank=True, editable=False)
    # Non-secret adapter options (account numbers, sandbox flags…), passed to the adapter as-is.
    options = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    poll_rate_limit_per_minute = models.PositiveIntegerField(
        default=60, help_text=_("Most tracking requests per minute Doorstep makes to this carrier for this account."))
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant", "carrier", "label"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "carrier", "label"], name="carrier_account_unique_label"),
            models.CheckConstraint(condition=Q(poll_rate_limit_per_minute__gt=0),
                                   name="carrier_account_rate_limit_positive"),
        ]

    def __str__(self):
        return f"{self.merchant} · {self.carrier}{' · ' + self.label if self.label else ''}"

    @property
    def webhook_path(self) -> str:
        return reverse("carrier-webhook", kwargs={"public_id": self.public_id})

    @property
    def webhook_url(self) -> str:
        return settings.DOORSTEP_BASE_URL + self.webhook_path

    @property
    def has_webhook_secret(self) -> bool:
        return bool(self.webhook_secret_encrypted)

    def credentials(self, *, now=None) -> CarrierCredentials:
        """What the adapter needs; the previous secret counts only until its overlap window ends."""
        now = now or timezone.now()
        previous: tuple[str, ...] = ()
        if self.previous_secret_encrypted and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            previous = (crypto.decrypt(self.previous_secret_encrypted),)
        return CarrierCredentials(
            api_key=crypto.decrypt(self.api_key_encrypted),
            webhook_secret=crypto.decrypt(self.webhook_secret_encrypted),
            previous_webhook_secrets=previous,
            extra=dict(self.options or {}),
        )

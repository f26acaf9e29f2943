"""Carrier ingestion data: a merchant's carrier accounts (credentials, webhook URL and secret), the raw
log of every webhook delivery, events for parcels we do not know yet, and the polling schedule."""
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
from tracking.carriers import status as st
from tracking.carriers.base import CarrierCredentials
from tracking.models.merchants import Merchant
from tracking.models.shipments import Shipment, TrackingEvent


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
    api_key_hint = models.CharField(max_length=16, blank=True, editable=False,
                                    help_text=_("The last characters of the API key, to tell keys apart."))
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


class InboundWebhook(models.Model):
    """One HTTP delivery to /webhooks/carriers/<public_id>/, stored before anything else happens.

    Append-only for what was received (headers, body, verdict); only the processing columns
    (processed_at, processing_error, processing_attempts) change afterwards.
    """

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DUPLICATE = "duplicate", _("Duplicate delivery")
        REJECTED_SIGNATURE = "rejected_signature", _("Bad or missing signature")
        REJECTED_STALE = "rejected_stale", _("Timestamp outside the window")
        REJECTED_BODY = "rejected_body", _("Body is not valid")
        REJECTED_SHAPE = "rejected_shape", _("Unknown payload shape")
        TOO_LARGE = "too_large", _("Body too large")
        UNKNOWN_ACCOUNT = "unknown_account", _("Unknown or inactive account")

    # No database-level foreign keys on this log (db_constraint=False): every delivery's INSERT would
    # run two referential checks that KEY SHARE-lock the same account and merchant rows from every
    # concurrent request, the costliest part of the write on the acknowledging path. The ORM still
    # protects accounts and cascades merchant deletion (Django's Collector does both); the ids come
    # from the account row the endpoint looked up, never from the request (only an account deleted
    # within the endpoint's account-cache window could leave a row pointing nowhere, and processing
    # then records the error on that row). No index of its own for account: the
    # (account, verdict) index and the unique (account, provider_event_id) one both lead with it.
    account = models.ForeignKey(CarrierAccount, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="inbound_webhooks", db_constraint=False, db_index=False)
    # Copied from the account so the log is filterable by tenant even for deliveries we could not tie to one.
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="inbound_webhooks", db_constraint=False)
    public_id = models.CharField(max_length=64, help_text=_("The account id in the URL, as received."))
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    body_size = models.PositiveIntegerField(default=0, help_text=_("Content-Length or bytes read."))
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    verdict = models.CharField(max_length=24, choices=Verdict.choices)
    reason = models.CharField(max_length=200, blank=True)
    provider_event_id = models.CharField(max_length=128, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_error = models.TextField(blank=True)
    events_created = models.PositiveIntegerField(default=0)
    events_orphaned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # Delivery-level idempotency: a carrier retrying the same delivery is stored as a duplicate.
            models.UniqueConstraint(fields=["account", "provider_event_id"],
                                    condition=Q(verdict="accepted") & ~Q(provider_event_id=""),
                                    name="inbound_webhook_unique_provider_event"),
        ]
        indexes = [
            # The sweeper's query: accepted, never processed, oldest first.
            models.Index(fields=["received_at"], condition=Q(verdict="accepted", processed_at__isnull=True),
                         name="inbound_webhook_unprocessed"),
            models.Index(fields=["account", "verdict"]),
        ]

    def __str__(self):
        return f"{self.public_id} {self.verdict} {self.received_at:%Y-%m-%d %H:%M:%S}"


class PendingEvent(models.Model):
    """A tracking event for a (carrier, tracking number) the merchant has not told us about yet.
    Attached to the shipment when it is created (tracking.ingest.orphans.orphan_events_attach)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="pending_events")
    carrier = models.CharField(max_length=32)
    tracking_number = models.CharField(max_length=64)
    inbound = models.ForeignKey(InboundWebhook, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="pending_events")
    source = models.CharField(max_length=16, choices=TrackingEvent.Source.choices)
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=24, choices=st.STATUSES)
    reason = models.CharField(max_length=32, blank=True)
    carrier_code = models.CharField(max_length=64, blank=True)
    carrier_text = models.CharField(max_length=500, blank=True)
    location = models.CharField(max_length=200, blank=True)
    carrier_event_id = models.CharField(max_length=120, blank=True)
    details = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=128)
    estimated_delivery = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    attached_to = models.ForeignKey(Shipment, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="attached_pending_events")
    attached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "carrier", "tracking_number", "dedupe_key"],
                                    name="pending_event_unique_dedupe_key"),
        ]
        indexes = [
            models.Index(fields=["carrier", "tracking_number"], condition=Q(attached_at__isnull=True),
                         name="pending_event_unattached"),
        ]

    def __str__(self):
        return f"{self.carrier} {self.tracking_number} {self.status}"


class ShipmentPollState(models.Model):
    """When Doorstep next asks the carrier about a parcel, and how the last attempts went."""

    shipment = models.OneToOneField(Shipment, on_delete=models.CASCADE, primary_key=True, related_name="poll_state")
    next_poll_at = models.DateTimeField(db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return f"{self.shipment} next {self.next_poll_at:%Y-%m-%d %H:%M}"


class TrackingWebhookRegistration(models.Model):
    """A per-parcel push registration with a provider whose registrations lapse (tracker.delivery's
    ``registerTrackWebhook``): when it ends, when to renew it, and how the last attempt went. While a
    parcel has no live registration (never made, failed, lapsed) it is polled like any other parcel."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Registered")
        FAILED = "failed", _("Registration failed (polled instead)")
        ENDED = "ended", _("Ended (parcel delivered or no longer tracked)")

    shipment = models.OneToOneField(Shipment, on_delete=models.CASCADE, related_name="webhook_registration")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="webhook_registrations")
    account = models.ForeignKey(CarrierAccount, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="webhook_registrations")
    carrier_code = models.CharField(max_length=64, blank=True,
                                    help_text=_("The carrier company the provider tracks it as (kr.cjlogistics)."))
    state = models.CharField(max_length=8, choices=State.choices, default=State.ACTIVE)
    registered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                      help_text=_("The provider stops calling back then unless renewed."))
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text=_("Retry of a failed registration."))
    attempts = models.PositiveIntegerField(default=0)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["expires_at", "id"]
        indexes = [models.Index(fields=["state", "expires_at"], name="webhook_registration_due")]

    def __str__(self):
        return f"{self.shipment} {self.state} until {self.expires_at or '-'}"

"""Store connections (Shopify, WooCommerce, Cafe24) and what Doorstep remembers about them: the
connection with its encrypted credentials and sync state, the map from the platform's ids to
Doorstep rows, the raw log of every store webhook delivery, and privacy requests.

Re-exported in tracking/models/__init__.py (Django finds models there)."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tracking import crypto
from tracking.models.merchants import Merchant
from tracking.stores.base import StoreCredentials


def new_store_public_id() -> str:
    # Not guessable nor countable; the "st_" prefix keeps it from starting with "-" on a command line.
    return "st_" + secrets.token_urlsafe(18)


def new_store_webhook_secret() -> str:
    return secrets.token_urlsafe(32)


class StoreConnection(models.Model):
    class Platform(models.TextChoices):
        SHOPIFY = "shopify", "Shopify"
        WOOCOMMERCE = "woocommerce", "WooCommerce"
        CAFE24 = "cafe24", "Cafe24"

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        NEEDS_REAUTH = "needs_reauth", _("Needs re-authorisation")
        DISCONNECTED = "disconnected", _("Disconnected")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="store_connections")
    # Not a choices field: a fourth platform is one setting (DOORSTEP_EXTRA_STORE_PLATFORMS), no migration.
    platform = models.CharField(max_length=32, help_text=_("Slug, as in DOORSTEP_STORE_PLATFORMS."))
    shop = models.CharField(max_length=255, help_text=_("Shop domain (x.myshopify.com), store URL or Cafe24 mall id."))
    public_id = models.CharField(max_length=32, unique=True, default=new_store_public_id, editable=False)
    # Encrypted with tracking.crypto, never shown after creation.
    access_token_encrypted = models.TextField(blank=True, editable=False)
    refresh_token_encrypted = models.TextField(blank=True, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    consumer_key_encrypted = models.TextField(blank=True, editable=False)
    consumer_secret_encrypted = models.TextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    scopes = models.CharField(max_length=500, blank=True, editable=False)
    currency = models.CharField(max_length=3, blank=True, help_text=_("The shop's currency, learnt from its orders."))
    # Non-secret adapter options (StoreCredentials.extra): shipment_tracking, cafe24_carrier_codes, shop_no…
    options = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE, db_index=True)
    webhook_subscriptions = models.JSONField(default=list, blank=True, editable=False)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Resumable backfill: the adapter's opaque cursor of the next page ("" = none in progress).
    sync_cursor = models.TextField(blank=True, editable=False)
    sync_since = models.DateTimeField(null=True, blank=True, editable=False)
    sync_orders_seen = models.PositiveIntegerField(default=0, editable=False)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant", "platform", "shop"]
        constraints = [
            # One live connection per store: two merchants cannot both receive one shop's orders.
            models.UniqueConstraint(fields=["platform", "shop"], condition=~Q(state="disconnected"),
                                    name="store_connection_unique_live_shop"),
        ]

    def __str__(self):
        return f"{self.merchant} · {self.platform} · {self.shop}"

    @property
    def webhook_path(self) -> str:
        return reverse("store-webhook", kwargs={"public_id": self.public_id})

    @property
    def webhook_url(self) -> str:
        return settings.DOORSTEP_BASE_URL + self.webhook_path

    @property
    def is_live(self) -> bool:
        return self.state == self.State.ACTIVE

    def credentials(self) -> StoreCredentials:
        return StoreCredentials(
            shop=self.shop,
            access_token=crypto.decrypt(self.access_token_encrypted),
            refresh_token=crypto.decrypt(self.refresh_token_encrypted),
            token_expires_at=self.token_expires_at,
            refresh_token_expires_at=self.refresh_token_expires_at,
            webhook_secret=crypto.decrypt(self.webhook_secret_encrypted),
            consumer_key=crypto.decrypt(self.consumer_key_encrypted),
            consumer_secret=crypto.decrypt(self.consumer_secret_encrypted),
            scopes=tuple(s for s in self.scopes.split(",") if s),
            extra=dict(self.options or {}),
        )

    def set_secrets(self, **values: str) -> list[str]:
        """Encrypt and set ``access_token=…, webhook_secret=…`` etc.; returns the changed field names."""
        changed = []
        for name, value in values.items():
            field = f"{name}_encrypted"
            setattr(self, field, crypto.encrypt(value or ""))
            changed.append(field)
        return changed


class StoreObjectLink(models.Model):
    """One platform object (order, line, product, variant, fulfilment, parcel, refund) and the Doorstep
    row it became. The upsert key of every store write, and where order-independence lives: the
    newest ``remote_updated_at`` and a hash of what was applied."""

    class Kind(models.TextChoices):
        ORDER = "order", _("Order")
        LINE = "line", _("Order line")
        PRODUCT = "product", _("Product")
        VARIANT = "variant", _("Variant")
        FULFILMENT = "fulfilment", _("Fulfilment")
        SHIPMENT = "shipment", _("Parcel")
        REFUND = "refund", _("Refund")

    connection = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="links")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    external_id = models.CharField(max_length=200)
    parent_external_id = models.CharField(max_length=200, blank=True,
                                          help_text=_("The order (or fulfilment, for a parcel) it belongs to."))
    object_id = models.BigIntegerField(null=True, blank=True, help_text=_("Primary key of the Doorstep row."))
    remote_updated_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    # "cancelled", "deleted", "unresolved" (a parcel whose carrier nobody can tell), "rejected"…
    status = models.CharField(max_length=16, blank=True)
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    pushed_status = models.CharField(max_length=24, blank=True, help_text=_("Last status written back."))
    pushed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["connection", "kind", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "kind", "external_id"], name="store_link_unique_external"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="store_link_object"),
                   models.Index(fields=["connection", "kind", "parent_external_id"], name="store_link_parent")]

    def __str__(self):
        return f"{self.connection.platform} {self.kind} {self.external_id}"


class StoreWebhookDelivery(models.Model):
    """One HTTP delivery to /webhooks/stores/<public_id>/, stored before anything else happens.
    What was received never changes; only the processing columns do."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DUPLICATE = "duplicate", _("Duplicate delivery")
        PING = "ping", _("Ping (logged only)")
        REJECTED_SIGNATURE = "rejected_signature", _("Bad or missing signature")
        REJECTED_SHOP = "rejected_shop", _("For another shop")
        REJECTED_BODY = "rejected_body", _("Body is not valid")
        REJECTED_SHAPE = "rejected_shape", _("Unknown payload shape")
        TOO_LARGE = "too_large", _("Body too large")
        UNKNOWN_CONNECTION = "unknown_connection", _("Unknown or disconnected store")

    # No database foreign keys on the log (as for carrier webhooks): the hot path writes one row.
    connection = models.ForeignKey(StoreConnection, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="deliveries", db_constraint=False, db_index=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                 db_constraint=False)
    public_id = models.CharField(max_length=64)
    topic = models.CharField(max_length=32, blank=True, help_text=_("Doorstep's topic name."))
    platform_topic = models.CharField(max_length=100, blank=True)
    delivery_id = models.CharField(max_length=200, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    body_size = models.PositiveIntegerField(default=0)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    verdict = models.CharField(max_length=24, choices=Verdict.choices)
    reason = models.CharField(max_length=200, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processing_error = models.TextField(blank=True)
    outcome = models.CharField(max_length=500, blank=True, help_text=_("What processing did."))

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "store webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["connection", "delivery_id"],
                                    condition=Q(verdict="accepted") & ~Q(delivery_id=""),
                                    name="store_delivery_unique_id"),
        ]
        indexes = [
            models.Index(fields=["received_at"], condition=Q(verdict="accepted", processed_at__isnull=True),
                         name="store_delivery_unprocessed"),
            models.Index(fields=["connection", "verdict"]),
        ]

    def __str__(self):
        return f"{self.public_id} {self.platform_topic or self.verdict} {self.received_at:%Y-%m-%d %H:%M:%S}"


class StorePrivacyRequest(models.Model):
    """A privacy request from the platform (Shopify's compliance topics): a data export staff send
    to the shopper, or an erasure Doorstep carried out."""

    class Kind(models.TextChoices):
        DATA_REQUEST = "customer.data_request", _("Customer data request")
        CUSTOMER_REDACT = "customer.redact", _("Erase a customer")
        SHOP_REDACT = "shop.redact", _("Erase a shop")

    connection = models.ForeignKey(StoreConnection, on_delete=models.CASCADE, related_name="privacy_requests")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    delivery = models.ForeignKey(StoreWebhookDelivery, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    customer_external_id = models.CharField(max_length=64, blank=True)
    customer_email = models.CharField(max_length=254, blank=True)
    order_ids = models.JSONField(default=list, blank=True)
    data_request_id = models.CharField(max_length=64, blank=True)
    export = models.JSONField(default=dict, blank=True, help_text=_("What Doorstep holds on the shopper."))
    erased = models.JSONField(default=dict, blank=True, help_text=_("How many rows were erased, by kind."))
    received_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text=_("When staff sent the export."))

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.connection}"

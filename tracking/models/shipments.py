"""Parcels and their append-only event logs."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.carriers import status as st
from tracking.models.merchants import Merchant
from tracking.models.orders import Order, OrderLine


class Shipment(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="shipments")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=32, db_index=True, help_text=_("Carrier slug, as in DOORSTEP_CARRIERS."))
    service_level = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=64)
    is_return = models.BooleanField(default=False)
    origin_postal_code = models.CharField(max_length=20, blank=True)
    origin_country = models.CharField(max_length=2, blank=True)
    destination_postal_code = models.CharField(max_length=20, blank=True)
    destination_country = models.CharField(max_length=2, blank=True)
    # Derived from the event log by tracking.services.shipments.shipment_refresh_status; never set by hand.
    status = models.CharField(max_length=24, choices=st.STATUSES, default=st.PENDING, db_index=True)
    status_reason = models.CharField(max_length=32, choices=st.REASONS, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Delivery dates: what the shop promised, what the carrier says, what Doorstep predicts (a window).
    promised_delivery_date = models.DateField(null=True, blank=True)
    carrier_delivery_date = models.DateField(null=True, blank=True)
    predicted_delivery_date = models.DateField(null=True, blank=True)
    predicted_window_start = models.DateField(null=True, blank=True)
    predicted_window_end = models.DateField(null=True, blank=True)
    # Written only by tracking.edd.services.shipment_update_prediction.
    predicted_confidence = models.FloatField(null=True, blank=True, help_text=_("0..1"))
    prediction_basis = models.CharField(max_length=16, blank=True)
    prediction_explanation = models.CharField(max_length=200, blank=True)
    predicted_at = models.DateTimeField(null=True, blank=True)
    # The first prediction made once the parcel shipped, kept so EDD accuracy is measured honestly
    # against what the shopper was told, not against a window that moved with the events.
    initial_window_start = models.DateField(null=True, blank=True)
    initial_window_end = models.DateField(null=True, blank=True)
    initial_predicted_date = models.DateField(null=True, blank=True)
    initial_prediction_basis = models.CharField(max_length=16, blank=True)
    # Maintained by tracking.edd.delays: an open DelayCase says it is running late (not stopped).
    is_delayed = models.BooleanField(default=False, db_index=True)
    # When the delay job must judge this parcel again although no event arrived (a promise day
    # ends, a silence grows too long); None once its journey is over. Set by tracking.edd.delays.
    next_review_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "tracking_number"], name="shipment_unique_tracking_number"),
            models.CheckConstraint(condition=Q(status__in=sorted(st.ALL)), name="shipment_status_canonical"),
            models.CheckConstraint(
                condition=Q(predicted_window_start__isnull=True)
                | Q(predicted_window_end__isnull=True)
                | Q(predicted_window_start__lte=models.F("predicted_window_end")),
                name="shipment_window_ordered",
            ),
        ]
        indexes = [models.Index(fields=["merchant", "status"]), models.Index(fields=["tracking_number"])]

    def __str__(self):
        return f"{self.carrier} {self.tracking_number}"

    @property
    def is_terminal(self) -> bool:
        return self.status in st.TERMINAL


class ShipmentLine(models.Model):
    """Which order lines (and how many of each) travel in this parcel."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipment_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"),
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_unique_order_line"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.order_line.sku}"


class TrackingEvent(models.Model):
    """One carrier scan or system fact. Append-only: rows are never updated or deleted by the app."""

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        POLL = "poll", _("Poll")
        MANUAL = "manual", _("Manual")
        IMPORT = "import", _("Import")
        SYSTEM = "system", _("System")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField()
    status = models.CharField(max_length=24, choices=st.STATUSES)
    reason = models.CharField(max_length=32, choices=st.REASONS, blank=True)
    carrier_code = models.CharField(max_length=64, blank=True)
    carrier_text = models.CharField(max_length=500, blank=True)
    location = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    # The carrier's event id where it has one, otherwise a hash of the event's content
    # (tracking.services.events.event_dedupe_key). Replays collide here and are dropped.
    dedupe_key = models.CharField(max_length=128)
    # Carrier extras worth keeping: proof of delivery (signed_by, photo_url), carrier EDD, raw fields.
    details = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "dedupe_key"], name="event_unique_dedupe_key"),
            models.CheckConstraint(condition=Q(status__in=sorted(st.ALL)), name="event_status_canonical"),
        ]
        indexes = [models.Index(fields=["shipment", "occurred_at"])]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.status}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("TrackingEvent is append-only; add a new event instead of editing one.")
        super().save(*args, **kwargs)

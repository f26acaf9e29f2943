"""Delay cases: one row per delay of a parcel (not per event), opened and resolved by
tracking.services.delays."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.carriers import status as st
from tracking.models.merchants import Merchant
from tracking.models.shipments import Shipment


class DelayCase(models.Model):
    class Kind(models.TextChoices):
        PREDICTED_LATE = "predicted_late", _("Predicted past the promised date")
        DELAY_REASON = "delay_reason", _("Carrier reported a delay")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="delay_cases")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="delay_cases")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.CharField(max_length=32, choices=st.REASONS, blank=True)
    carrier = models.CharField(max_length=32, db_index=True)
    promised_date = models.DateField(null=True, blank=True)
    predicted_window_end = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=32, blank=True, help_text=_("delivered, back_on_time, terminal…"))

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # The database guarantees "once per delay": a second detector run cannot open a twin.
            models.UniqueConstraint(fields=["shipment"], condition=Q(resolved_at__isnull=True),
                                    name="delay_case_one_open_per_shipment"),
        ]
        indexes = [models.Index(fields=["merchant", "opened_at"])]

    def __str__(self):
        return f"{self.shipment} {self.kind} {self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

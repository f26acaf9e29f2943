"""What a shopper asked for after a failed delivery attempt, and the audit trail of its handling.

A request goes to the carrier when its adapter supports delivery changes; when it cannot (or the
carrier refuses) it stays a case that support staff work in admin."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.models.merchants import Merchant
from tracking.models.shipments import Shipment


class DeliveryRequest(models.Model):
    class Kind(models.TextChoices):
        RESCHEDULE = "reschedule", _("Reschedule delivery")
        REDIRECT = "redirect_pickup_point", _("Redirect to a pickup point")
        INSTRUCTIONS = "instructions", _("Delivery instructions")

    class Status(models.TextChoices):
        OPEN = "open", _("Received")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CARRIER_CONFIRMED = "carrier_confirmed", _("Confirmed by the carrier")

    class Route(models.TextChoices):
        CARRIER = "carrier", _("Carrier")
        SUPPORT = "support", _("Support staff")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="delivery_requests")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="delivery_requests")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    requested_date = models.DateField(null=True, blank=True)
    pickup_point_id = models.CharField(max_length=64, blank=True)
    pickup_point_label = models.CharField(max_length=300, blank=True, help_text=_("Name and address as shown."))
    instructions = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.OPEN, db_index=True)
    route = models.CharField(max_length=16, choices=Route.choices)
    carrier_confirmation = models.CharField(max_length=100, blank=True)
    carrier_message = models.CharField(max_length=500, blank=True)
    carrier_attempts = models.PositiveSmallIntegerField(default=0)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="delivery_requests")
    notes = models.TextField(blank=True, help_text=_("Internal; never shown to the shopper."))
    # A random key per rendered form: a double click or a resubmitted POST finds the first request.
    idempotency_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "idempotency_key"], name="delivery_request_idempotent"),
            models.CheckConstraint(condition=~Q(kind="reschedule") | Q(requested_date__isnull=False),
                                   name="delivery_request_reschedule_has_date"),
            models.CheckConstraint(condition=~Q(kind="redirect_pickup_point") | ~Q(pickup_point_id=""),
                                   name="delivery_request_redirect_has_point"),
            models.CheckConstraint(condition=~Q(kind="instructions") | ~Q(instructions=""),
                                   name="delivery_request_instructions_not_empty"),
        ]
        indexes = [models.Index(fields=["merchant", "status"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.shipment.tracking_number}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)


class DeliveryRequestEvent(models.Model):
    """Append-only audit: every change of a request's state, who made it and when."""

    request = models.ForeignKey(DeliveryRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(max_length=64, help_text=_("shopper, carrier, system or the staff user"))
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("DeliveryRequestEvent is append-only.")
        super().save(*args, **kwargs)

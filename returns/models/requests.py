"""Return requests, their lines, photos, the shopper's draft and the append-only audit trail."""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tracking.models import Customer, Merchant, Order, OrderLine, ProductVariant, Shipment

# No 0/O/1/I: RMA numbers are read out over the phone.
RMA_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_rma() -> str:
    """A random, non-sequential RMA number such as R-7KQ2-M9XD (40 bits)."""
    body = "".join(secrets.choice(RMA_ALPHABET) for _ in range(8))
    return f"R-{body[:4]}-{body[4:]}"


def new_key() -> str:
    return secrets.token_urlsafe(24)


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    IN_TRANSIT = "in_transit", _("In transit")
    RECEIVED = "received", _("Received")
    INSPECTED = "inspected", _("Inspected")
    REFUNDED = "refunded", _("Refunded")
    CREDITED = "credited", _("Credited")
    EXCHANGED = "exchanged", _("Exchanged")
    CLOSED = "closed", _("Closed")


def status_label(code: str) -> str:
    """A return state's label in the active language; an unknown code is shown as it is."""
    try:
        return str(ReturnStatus(code).label)
    except ValueError:
        return code


class Resolution(models.TextChoices):
    REFUND = "refund", _("Refund to the original payment")
    STORE_CREDIT = "store_credit", _("Store credit")
    EXCHANGE = "exchange", _("Exchange")
    # Claims only: the same items sent again, nothing comes back.
    REPLACEMENT = "replacement", _("Replacement")


class ReturnMethod(models.TextChoices):
    DROP_OFF = "drop_off", _("Label-free drop-off (QR code)")
    LABEL = "label", _("Prepaid label (print at home)")
    PICKUP = "pickup", _("Carrier pickup")
    # Claims: nothing is sent back (the parcel is lost, or the shopper keeps the damaged goods).
    NONE = "none", _("Nothing to send back")


class RequestKind(models.TextChoices):
    RETURN = "return", _("Return")
    CLAIM = "claim", _("Claim")


class ClaimType(models.TextChoices):
    LOST = "lost", _("Parcel lost")
    DAMAGED = "damaged", _("Arrived damaged")
    MISSING_ITEMS = "missing_items", _("Items missing from the parcel")
    NOT_RECEIVED = "not_received", _("Delivered but not received")


class ReturnRequest(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="returns")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="returns")
    rma = models.CharField("RMA", max_length=16, unique=True, default=new_rma, editable=False)
    # The shopper form's one-time token: a double submit collides here and finds the first return.
    idempotency_key = models.CharField(max_length=64)
    # A claim (lost, damaged, missing, not received) is a request that needs no return shipment.
    kind = models.CharField(max_length=8, choices=RequestKind.choices, default=RequestKind.RETURN, db_index=True)
    claim_type = models.CharField(max_length=16, choices=ClaimType.choices, blank=True)
    claim_shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="claims", help_text=_("The parcel the claim is about."))
    status = models.CharField(max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED,
                              db_index=True)
    resolution = models.CharField(max_length=16, choices=Resolution.choices)
    method = models.CharField(max_length=16, choices=ReturnMethod.choices)
    pickup_date = models.DateField(null=True, blank=True)
    reason_code = models.CharField(max_length=32)
    reason_label = models.CharField(max_length=120, help_text=_("The reason as the shopper saw it."))
    comment = models.TextField(blank=True)
    locale = models.CharField(max_length=5, blank=True)
    # Money, all in the order's currency.
    currency = models.CharField(max_length=3)
    items_total = models.DecimalField(max_digits=12, decimal_places=2)
    restocking_fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    exchange_difference = models.DecimalField(
        max_digits=12, decimal_places=2, default=0,
        help_text=_("Replacement price minus returned price: positive = shopper owes, negative = owed to shopper."),
    )
    difference_as_credit = models.BooleanField(
        default=False, help_text=_("Exchanges: pay what the shopper is owed as store credit, not to the card."))
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0,
                                        help_text=_("To the original payment or as credit, before any bonus."))
    credit_bonus = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    co2_grams = models.PositiveIntegerField(default=0)
    # The policy engine's verdict with its reasons, as evaluated when the shopper asked.
    decision = models.JSONField(default=dict, blank=True)
    # Logistics
    shipment = models.OneToOneField(Shipment, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="return_request")
    label_file = models.CharField(max_length=200, blank=True, help_text=_("Path in private storage."))
    label_format = models.CharField(max_length=8, blank=True)
    label_instructions = models.TextField(blank=True)
    pickup_confirmation = models.CharField(max_length=64, blank=True)
    pickup_window = models.CharField(max_length=32, blank=True)
    exchange_order = models.OneToOneField(Order, on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="exchanged_from")
    rejection_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    in_transit_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    inspected_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, help_text=_("Refunded, credited or exchanged."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        # A claim is a return that needs no parcel; approving one moves money, so it has its own permission.
        permissions = [("approve_claim", "Can approve a claim")]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "idempotency_key"], name="return_unique_idempotency_key"),
            models.CheckConstraint(condition=Q(status__in=ReturnStatus.values), name="return_status_known"),
            models.CheckConstraint(
                condition=Q(items_total__gte=0, restocking_fee__gte=0, shipping_fee__gte=0, refund_amount__gte=0,
                            credit_bonus__gte=0),
                name="return_amounts_not_negative",
            ),
            models.CheckConstraint(condition=~Q(method="pickup") | Q(pickup_date__isnull=False),
                                   name="return_pickup_has_date"),
            models.CheckConstraint(
                condition=(Q(kind="return", claim_type="") & ~Q(resolution="replacement") & ~Q(method="none"))
                | (Q(kind="claim", method="none", claim_shipment__isnull=False) & ~Q(claim_type="")),
                name="return_claim_shape"),
        ]
        indexes = [models.Index(fields=["merchant", "status"]), models.Index(fields=["customer", "created_at"])]

    def __str__(self):
        return self.rma

    @property
    def is_claim(self) -> bool:
        return self.kind == RequestKind.CLAIM

    def reason_display(self) -> str:
        """The reason in the viewer's language, from its code (the policy's label for that code);
        ``reason_label`` is kept as the shopper saw it, for the record."""
        from returns.policy.models import ReturnReason

        reason = ReturnReason.objects.filter(policy__merchant_id=self.merchant_id, code=self.reason_code).first()
        return reason.display if reason else self.reason_label

    @property
    def status_label(self) -> str:
        return status_label(self.status)


class ReturnLine(models.Model):
    class Inspection(models.TextChoices):
        PENDING = "pending", _("Not inspected")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        PARTIAL = "partial", _("Partially accepted")

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    exchange_variant = models.ForeignKey(ProductVariant, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")
    exchange_unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    inspection = models.CharField(max_length=16, choices=Inspection.choices, default=Inspection.PENDING)
    accepted_quantity = models.PositiveIntegerField(null=True, blank=True)
    condition = models.CharField(max_length=32, blank=True)
    inspection_note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(accepted_quantity__isnull=True) | Q(accepted_quantity__lte=F("quantity")),
                name="return_line_accepted_le_quantity",
            ),
            models.UniqueConstraint(fields=["return_request", "order_line"], name="return_line_unique_order_line"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.order_line.sku}"

    @property
    def line_total(self):
        return self.unit_price * self.quantity


class ReturnDraft(models.Model):
    """The shopper's answers between steps, server-side. Its key doubles as the submit's idempotency token."""

    key = models.CharField(max_length=64, unique=True, default=new_key)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    submitted_return = models.ForeignKey(ReturnRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"draft for {self.order}"


class ReturnPhoto(models.Model):
    """A re-encoded shopper photo in private storage under a random name (served by an access-checked view)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, unique=True, default=new_key)
    draft = models.ForeignKey(ReturnDraft, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos")
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="photos")
    file = models.CharField(max_length=200, help_text=_("Path in private storage."))
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.key[:8]


class ReturnEvent(models.Model):
    """One state change of a return. Append-only."""

    class Actor(models.TextChoices):
        USER = "user", _("Staff user")
        SHOPPER = "shopper", _("Shopper")
        SYSTEM = "system", _("System")

    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.CharField(max_length=16, choices=Actor.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("ReturnEvent is append-only.")
        super().save(*args, **kwargs)

    @property
    def to_status_label(self) -> str:
        return status_label(self.to_status)

    @property
    def who(self) -> str:
        if self.actor == self.Actor.USER and self.user_id:
            return self.user.get_username()
        return self.actor

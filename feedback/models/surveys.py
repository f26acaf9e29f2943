"""One survey per order, at most one response per survey, and the append-only log of answers."""
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from tracking.models import Customer, Merchant, Order

REASON_MAX_LENGTH = 5000
PROMOTER_MIN = 9
DETRACTOR_MAX = 6


class Survey(models.Model):
    """The invitation for one order. Multi-parcel orders still get exactly one (unique order).

    Delivery facts (carrier, lane, on-time, EDD hit) are copied from the parcel that completed the
    order when the survey is scheduled, so NPS can be grouped by them without joining shipments.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="surveys")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="survey")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="surveys")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    skip_reason = models.CharField(max_length=64, blank=True)
    hold_reason = models.CharField(max_length=64, blank=True, help_text=_("Why the last send attempt waited."))
    scheduled_for = models.DateTimeField()
    send_deadline = models.DateTimeField(help_text=_("Held past this, the survey is skipped."))
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text=_("Links stop working and answers can no longer change."))
    delivered_at = models.DateTimeField()
    carrier = models.CharField(max_length=32, blank=True)
    lane = models.CharField(max_length=16, blank=True, help_text=_("Origin → destination country."))
    on_time = models.BooleanField(null=True, blank=True)
    edd_hit = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("scheduled_for")),
                                   name="survey_expires_after_schedule"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False),
                                   name="survey_sent_has_time"),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="survey_due_idx"),
            models.Index(fields=["customer", "sent_at"], name="survey_customer_sent_idx"),
            models.Index(fields=["merchant", "sent_at"], name="survey_merchant_sent_idx"),
        ]

    def __str__(self):
        return f"Survey for {self.order}"


class SurveyResponse(models.Model):
    class Source(models.TextChoices):
        EMAIL = "email", _("Email link")
        PAGE = "page", _("Survey page")
        TRACKING = "tracking", _("Tracking page")
        API = "api", _("API")

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="response")
    # Denormalised tenant key: every dashboard query filters on it with answered_at.
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="survey_responses")
    score = models.PositiveSmallIntegerField()
    reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    delivery_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    product_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    packaging_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    answered_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=10), name="response_score_0_10"),
            models.CheckConstraint(condition=Q(delivery_rating__isnull=True) | Q(delivery_rating__range=(1, 5)),
                                   name="response_delivery_rating_1_5"),
            models.CheckConstraint(condition=Q(product_rating__isnull=True) | Q(product_rating__range=(1, 5)),
                                   name="response_product_rating_1_5"),
            models.CheckConstraint(condition=Q(packaging_rating__isnull=True) | Q(packaging_rating__range=(1, 5)),
                                   name="response_packaging_rating_1_5"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("reason"), REASON_MAX_LENGTH),
                                   name="response_reason_bounded"),
        ]
        indexes = [models.Index(fields=["merchant", "answered_at"], name="response_merchant_answered_idx")]

    def __str__(self):
        return f"{self.score} for {self.survey.order}"

    @property
    def category(self) -> str:
        if self.score >= PROMOTER_MIN:
            return "promoter"
        return "detractor" if self.score <= DETRACTOR_MAX else "passive"


class SurveyAnswerLog(models.Model):
    """Every change to a response, as submitted (raw values kept). Append-only."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answer_log")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=SurveyResponse.Source.choices)
    # {"field": [old, new], ...} for what changed.
    changes = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.changes}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("SurveyAnswerLog is append-only.")
        super().save(*args, **kwargs)


class IncentiveIssue(models.Model):
    """The thank-you gift for one survey: issued at most once (unique survey)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="incentive")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="survey_incentives")
    kind = models.CharField(max_length=16)
    coupon_code = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0),
                                   name="incentive_amount_positive"),
        ]

    def __str__(self):
        return f"{self.kind} for {self.survey.order}"

"""Per-merchant survey configuration. A merchant without a row gets the defaults below."""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.models import Merchant
from tracking.money import validate_currency


class SurveySettings(models.Model):
    class Incentive(models.TextChoices):
        NONE = "none", _("None")
        COUPON = "coupon", _("Coupon code")
        STORE_CREDIT = "store_credit", _("Store credit")

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="survey_settings")
    enabled = models.BooleanField(default=True)
    delay_hours = models.PositiveIntegerField(
        default=48, validators=[MaxValueValidator(24 * 60)],
        help_text=_("How long after delivery the survey email is sent (quiet hours still apply)."))
    window_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How long the links work and the shopper may change the answer."))
    resurvey_days = models.PositiveSmallIntegerField(
        default=90, help_text=_("Do not survey a customer again within this many days."))
    hold_while_exception = models.BooleanField(
        default=True, help_text=_("Hold the survey while one of the customer's parcels has an open exception."))
    hold_while_return = models.BooleanField(
        default=True, help_text=_("Hold the survey while one of the customer's returns is open."))
    incentive = models.CharField(max_length=16, choices=Incentive.choices, default=Incentive.NONE)
    incentive_coupon_code = models.CharField(max_length=64, blank=True)
    incentive_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    incentive_currency = models.CharField(max_length=3, blank=True, validators=[validate_currency])
    review_url = models.URLField(blank=True, help_text=_("Offered to promoters (9–10)."))
    detractor_alert_email = models.EmailField(
        blank=True, help_text=_("Support address told about every new detractor (0–6)."))
    followup_due_days = models.PositiveSmallIntegerField(default=2)
    active_window_days = models.PositiveSmallIntegerField(
        default=180, validators=[MinValueValidator(1)],
        help_text=_("A customer is 'active' on a day if they ordered within this many days before it."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            models.CheckConstraint(
                condition=~Q(incentive="coupon") | ~Q(incentive_coupon_code=""),
                name="survey_settings_coupon_has_code"),
            models.CheckConstraint(
                condition=~Q(incentive="store_credit") | Q(incentive_amount__gt=0) & ~Q(incentive_currency=""),
                name="survey_settings_credit_has_amount"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="survey_settings_window_positive"),
        ]

    def __str__(self):
        return f"Survey settings for {self.merchant}"

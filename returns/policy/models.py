"""A merchant's return policy: the rules the policy engine (returns.policy.engine) evaluates.

The models only store the rules; returns.policy.engine turns them into plain dataclasses and decides, so the
decision logic is testable without a database.
"""
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tracking.models import Merchant

percent = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class RefundTiming(models.TextChoices):
    FIRST_SCAN = "first_scan", _("At the first carrier scan")
    ON_RECEIPT = "on_receipt", _("When the parcel reaches the warehouse")
    AFTER_INSPECTION = "after_inspection", _("After inspection")


class ReturnPolicy(models.Model):
    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="return_policy")
    window_days = models.PositiveIntegerField(
        default=30, help_text=_("Days from delivery (or from the order date when delivery is not tracked).")
    )
    max_items_per_return = models.PositiveIntegerField(default=10)
    restocking_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0, validators=percent)
    return_shipping_fee = models.DecimalField(max_digits=12, decimal_places=2, default=0,
                                              help_text=_("In the merchant's currency."))
    store_credit_bonus_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10"),
                                                     validators=percent)
    exchanges_enabled = models.BooleanField(default=True)
    auto_approve = models.BooleanField(
        default=True, help_text=_("Approve without review when both limits below hold; otherwise staff review.")
    )
    auto_approve_max_order_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("200000"))
    auto_approve_max_return_rate = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("30"), validators=percent,
        help_text=_("Percent of the customer's ordered items they returned before."),
    )
    refund_timing = models.CharField(max_length=20, choices=RefundTiming.choices,
                                     default=RefundTiming.AFTER_INSPECTION)
    carrier = models.CharField(max_length=32, default="mock", help_text=_("Carrier slug for return labels."))
    # Where returns go.
    warehouse_name = models.CharField(max_length=120, default="Returns desk")
    warehouse_line1 = models.CharField(max_length=200, default="1 Warehouse-ro")
    warehouse_city = models.CharField(max_length=100, default="Seoul")
    warehouse_postal_code = models.CharField(max_length=20, default="10881")
    warehouse_country = models.CharField(max_length=2, default="KR")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "return policies"
        constraints = [
            models.CheckConstraint(condition=Q(restocking_fee_percent__gte=0, restocking_fee_percent__lte=100),
                                   name="policy_restocking_percent_range"),
            models.CheckConstraint(condition=Q(store_credit_bonus_percent__gte=0,
                                               store_credit_bonus_percent__lte=100),
                                   name="policy_bonus_percent_range"),
            models.CheckConstraint(condition=Q(return_shipping_fee__gte=0), name="policy_shipping_fee_not_negative"),
            models.CheckConstraint(condition=Q(max_items_per_return__gt=0), name="policy_max_items_positive"),
        ]

    def __str__(self):
        return f"Return policy · {self.merchant}"


class ReturnReason(models.Model):
    policy = models.ForeignKey(ReturnPolicy, on_delete=models.CASCADE, related_name="reasons")
    code = models.SlugField(max_length=32)
    label = models.CharField(max_length=120)
    label_ko = models.CharField(max_length=120, blank=True)
    waive_restocking_fee = models.BooleanField(default=False)
    waive_shipping_fee = models.BooleanField(default=False)
    photo_required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="return_reason_unique_code")]

    def __str__(self):
        return self.label

    @property
    def display(self) -> str:
        return self.label_ko if get_language() == "ko" and self.label_ko else self.label


class CategoryRule(models.Model):
    """Overrides for one product category; empty fields fall back to the policy."""

    policy = models.ForeignKey(ReturnPolicy, on_delete=models.CASCADE, related_name="category_rules")
    category = models.CharField(max_length=80)
    returnable = models.BooleanField(default=True)
    window_days = models.PositiveIntegerField(null=True, blank=True)
    restocking_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                                 validators=percent)
    return_shipping_fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "category"], name="category_rule_unique")]

    def __str__(self):
        return self.category


# The reasons a new merchant starts with; damaged/wrong items are the merchant's fault, so fees are waived.
DEFAULT_REASONS = [
    ("changed_mind", "Changed my mind", "단순 변심", False, False),
    ("doesnt_fit", "Doesn't fit", "사이즈가 맞지 않음", False, False),
    ("not_as_described", "Not as described", "설명과 다름", True, False),
    ("damaged", "Arrived damaged", "파손되어 도착", True, True),
    ("wrong_item", "Wrong item sent", "다른 상품이 배송됨", True, True),
]

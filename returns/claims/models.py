"""A merchant's claims policy and the claims queue (a proxy of ReturnRequest, so a claim is a request in
the returns workflow: same lines, audit trail, refunds, ledger and money approvals)."""
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from returns.models.requests import RequestKind, ReturnRequest
from tracking.models import Merchant


class ClaimPolicy(models.Model):
    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="claim_policy")
    window_days = models.PositiveIntegerField(
        default=30, help_text=_("Days after delivery (or the carrier's last scan of a lost parcel) to report a "
                                "problem."))
    lost_after_days = models.PositiveIntegerField(
        default=10, help_text=_("A parcel in transit without a scan for this many days may be reported lost."))
    photo_required_for_damaged = models.BooleanField(default=True)
    allow_replacement = models.BooleanField(default=True)
    allow_refund = models.BooleanField(default=True)
    allow_store_credit = models.BooleanField(default=True)
    auto_approve_carrier_lost = models.BooleanField(
        default=True, help_text=_("Approve without review when the carrier itself reports the parcel lost."))
    auto_approve_max_value = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0),
        help_text=_("Approve without review when the claimed items are worth at most this much (0: never)."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "claim policies"
        constraints = [
            models.CheckConstraint(condition=Q(auto_approve_max_value__gte=0), name="claim_policy_auto_value_ok"),
            models.CheckConstraint(condition=Q(allow_replacement=True) | Q(allow_refund=True)
                                   | Q(allow_store_credit=True), name="claim_policy_some_resolution"),
        ]

    def __str__(self):
        return f"Claims policy · {self.merchant}"


class ClaimManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=RequestKind.CLAIM)


class Claim(ReturnRequest):
    """The claims queue: only requests of kind "claim"."""

    objects = ClaimManager()

    class Meta:
        proxy = True
        verbose_name = "claim"
        verbose_name_plural = "claims"

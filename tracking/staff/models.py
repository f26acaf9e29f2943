"""Which merchants a staff user works for, and in what role.

A staff user sees and changes only the rows of merchants they are a member of; superusers see every
merchant and need no membership. The Django groups ("Support agent" / "Support lead") say what a
user may do; the membership says for whom, which role they hold there (a lead approves money above
an agent's limit) and up to which amount they may move money without a lead's approval."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.models.merchants import Merchant


class StaffMembership(models.Model):
    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        LEAD = "lead", _("Lead")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships")
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff_memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.AGENT)
    money_limit = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Refunds and store credit above this amount (in the merchant's currency) need a lead's "
                    "approval. Empty: no limit beyond the permissions."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["merchant__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "merchant"], name="staff_membership_unique_user_merchant"),
            models.CheckConstraint(condition=Q(money_limit__isnull=True) | Q(money_limit__gte=0),
                                   name="staff_membership_limit_not_negative"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.merchant} ({self.get_role_display()})"

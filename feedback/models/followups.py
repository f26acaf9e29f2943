"""Detractor follow-up: one case per detractor survey, worked by support staff, with an audit log."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracking.models import Customer, Merchant, Order

from feedback.models.surveys import Survey


class FollowUpCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="followup_cases")
    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="followup_case")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="followup_cases")
    score = models.PositiveSmallIntegerField(help_text=_("The score that opened the case."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="followup_cases", limit_choices_to={"is_staff": True})
    notes = models.TextField(blank=True)
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("detractor follow-up")
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=6), name="followup_only_detractors"),
        ]
        indexes = [models.Index(fields=["merchant", "status", "due_date"], name="followup_queue_idx")]

    def __str__(self):
        return f"Follow-up {self.order} ({self.score})"


class FollowUpCaseLog(models.Model):
    """Who changed what on a case, and when. Append-only."""

    case = models.ForeignKey(FollowUpCase, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    action = models.CharField(max_length=32)
    changes = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("FollowUpCaseLog is append-only.")
        super().save(*args, **kwargs)

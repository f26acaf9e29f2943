"""Support staff: survey settings, surveys and responses (read-only), the detractor queue, and the
dashboard (admin/feedback/dashboard/)."""
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from feedback import models as m
from feedback.dashboard.admin import DashboardAdmin  # noqa: F401  (registers the dashboard)
from feedback.services import followup_case_update
from tracking.staff.mixins import MerchantScopedAdminMixin, ScopedAdmin, ScopedReadOnlyAdmin



@admin.register(m.SurveySettings)
class SurveySettingsAdmin(ScopedAdmin):
    list_display = ["merchant", "enabled", "delay_hours", "window_days", "resurvey_days", "incentive"]
    list_select_related = ["merchant"]
    autocomplete_fields = ["merchant"]
    fieldsets = [
        (None, {"fields": ["merchant", "enabled", "delay_hours", "window_days", "resurvey_days"]}),
        ("Hold rules", {"fields": ["hold_while_exception", "hold_while_return"]}),
        ("Thank-you", {"fields": ["incentive", "incentive_coupon_code", "incentive_amount", "incentive_currency",
                                  "review_url"]}),
        ("Follow-up and metrics", {"fields": ["detractor_alert_email", "followup_due_days", "active_window_days"]}),
    ]


class AnswerLogInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = m.SurveyAnswerLog
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "source", "changes"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.Survey)
class SurveyAdmin(ScopedReadOnlyAdmin):
    list_display = ["order", "customer", "merchant", "status", "skip_reason", "hold_reason", "scheduled_for",
                    "sent_at", "carrier", "on_time"]
    list_filter = ["status", "merchant", "carrier", "on_time"]
    list_select_related = ["order", "customer", "merchant"]
    search_fields = ["order__number", "customer__email"]
    inlines = [AnswerLogInline]


@admin.register(m.SurveyResponse)
class SurveyResponseAdmin(ScopedReadOnlyAdmin):
    list_display = ["survey", "merchant", "score", "delivery_rating", "product_rating", "packaging_rating",
                    "source", "answered_at"]
    list_filter = ["merchant", "score", "source"]
    list_select_related = ["survey__order", "merchant"]
    search_fields = ["survey__order__number", "survey__customer__email", "reason"]
    date_hierarchy = "answered_at"


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "Not overdue")]

    def queryset(self, request, queryset):
        overdue = Q(due_date__lt=timezone.localdate()) & ~Q(status=m.FollowUpCase.Status.RESOLVED)
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class CaseLogInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = m.FollowUpCaseLog
    merchant_field = "case__merchant"
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "actor", "action", "changes"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.FollowUpCase)
class FollowUpCaseAdmin(ScopedAdmin):
    """The detractor queue. Staff change status, assignee, notes and due date; every change is logged."""

    list_display = ["order", "customer", "merchant", "score", "status", "assignee", "due_date", "is_overdue",
                    "created_at"]
    list_filter = ["status", ("assignee", admin.RelatedOnlyFieldListFilter), OverdueFilter, "merchant"]
    list_select_related = ["order", "customer", "merchant", "assignee"]
    search_fields = ["order__number", "customer__email", "notes"]
    fields = ["merchant", "order", "customer", "score", "reason", "status", "assignee", "notes", "due_date",
              "created_at", "updated_by", "updated_at", "resolved_at"]
    readonly_fields = ["merchant", "order", "customer", "score", "reason", "created_at", "updated_by",
                       "updated_at", "resolved_at"]
    inlines = [CaseLogInline]

    def has_add_permission(self, request):
        return False  # cases are opened by detractor answers, not by hand

    @admin.display(boolean=True, description="overdue")
    def is_overdue(self, obj):
        return obj.status != obj.Status.RESOLVED and obj.due_date < timezone.localdate()

    @admin.display(description="shopper's reason")
    def reason(self, obj):
        response = getattr(obj.survey, "response", None)
        return response.reason if response else ""  # admin escapes read-only values

    def save_model(self, request, obj, form, change):
        changes = {f if f != "assignee" else "assignee_id": getattr(obj, f if f != "assignee" else "assignee_id")
                   for f in form.changed_data if f in ("status", "assignee", "notes", "due_date")}
        followup_case_update(case=obj, actor=request.user, **changes)
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        formset.save()  # the log inline is read-only; nothing to write

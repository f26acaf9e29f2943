"""Admin for outgoing webhooks: endpoints, the delivery log with every attempt, and "resend"."""
from django import forms
from django.contrib import admin, messages

from tracking.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tracking.webhooks_out import signing
from tracking.webhooks_out.event_types import EVENT_TYPES
from tracking.webhooks_out.services import webhook_delivery_resend
from tracking.webhooks_out.ssrf import UnsafeURL, vet_url
from tracking.staff.mixins import MerchantScopedAdminMixin, ReadOnlyMixin, ScopedAdmin


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    event_types = forms.MultipleChoiceField(choices=[(t, t) for t in sorted(EVENT_TYPES)], required=False,
                                            widget=forms.CheckboxSelectMultiple, help_text="None ticked: all.")

    class Meta:
        model = WebhookEndpoint
        fields = ["merchant", "url", "description", "event_types", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            vet_url(url)
        except UnsafeURL as exc:
            raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ScopedAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "merchant", "event_types", "is_active", "deleted_at", "created_at"]
    list_filter = ["merchant", "is_active"]
    list_select_related = ["merchant"]
    search_fields = ["url", "description"]
    autocomplete_fields = ["merchant"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = signing.secret_generate()
            messages.warning(request, f"Signing secret (shown once): {obj.secret}")
        super().save_model(request, obj, form, change)


class AttemptInline(MerchantScopedAdminMixin, ReadOnlyMixin, admin.TabularInline):
    model = WebhookAttempt
    merchant_field = "delivery__merchant"
    extra = 0
    can_delete = False
    fields = ["number", "trigger", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]
    readonly_fields = fields



@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdmin):
    list_display = ["event_type", "event_id", "endpoint", "merchant", "status", "attempt_count", "last_status_code",
                    "next_attempt_at", "created_at"]
    list_filter = ["status", "event_type", "merchant"]
    list_select_related = ["endpoint", "merchant"]
    search_fields = ["event_id", "endpoint__url"]
    date_hierarchy = "created_at"
    readonly_fields = ["merchant", "endpoint", "event_id", "event_type", "body", "status", "attempt_count",
                       "next_attempt_at", "last_status_code", "created_at", "completed_at"]
    inlines = [AttemptInline]
    actions = ["resend"]

    @admin.action(description="Resend selected deliveries", permissions=["change"])
    def resend(self, request, queryset):
        count = 0
        for delivery in queryset:
            webhook_delivery_resend(delivery=delivery)
            count += 1
        self.message_user(request, f"{count} deliveries queued to resend.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Admin for carrier ingestion: carrier accounts (webhook URL, secret shown once, rotation), the
inbound webhook log (read-only, reprocess), waiting orphan events, and "re-track now" on shipments.
Imported by tracking/admin.py."""
from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _, ngettext

from tracking import models as m
from tracking.carriers.registry import available_carriers
from tracking.staff.mixins import ScopedAdmin, ScopedReadOnlyAdmin
from tracking.ingest.accounts import (
    carrier_account_create,
    carrier_account_rotate_secret,
    carrier_account_set_api_key,
)


class CarrierAccountForm(forms.ModelForm):
    carrier = forms.ChoiceField(choices=())
    webhook_secret = forms.CharField(
        required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text=_("Only when creating. Leave empty to generate one; it is shown once after saving. "
                    "Use the secret the carrier's dashboard gives you if the carrier chooses it."))
    api_key = forms.CharField(
        required=False, strip=True, widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the current key."))

    class Meta:
        model = m.CarrierAccount
        fields = ["merchant", "carrier", "label", "is_active", "poll_rate_limit_per_minute", "options"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [(slug, slug) for slug in available_carriers()]


def _show_secret_once(request, account, secret):
    messages.warning(request, format_html(
        "Webhook secret for {} (shown only now, copy it into the carrier's dashboard): <code>{}</code> "
        "— webhook URL: <code>{}</code>", account, secret, account.webhook_url))


@admin.register(m.CarrierAccount)
class CarrierAccountAdmin(ScopedAdmin):
    form = CarrierAccountForm
    list_display = ["merchant", "carrier", "label", "is_active", "webhook_url_display", "secret_rotated_at",
                    "created_at"]
    list_filter = ["carrier", "is_active", "merchant"]
    list_select_related = ["merchant"]
    search_fields = ["merchant__name", "merchant__slug", "label", "public_id"]
    autocomplete_fields = ["merchant"]
    readonly_fields = ["webhook_url_display", "public_id", "api_key_masked", "secret_rotated_at",
                       "previous_secret_expires_at", "created_at", "updated_at"]
    actions = ["rotate_secret"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # Rotation is the only way to change a secret once set, so the overlap window is always honoured.
        return [f for f in fields if f != "webhook_secret"] if obj else fields

    @admin.display(description=_("API key"))
    def api_key_masked(self, obj):
        return f"••••{obj.api_key_hint}" if obj.api_key_hint else ("(set)" if obj.api_key_encrypted else "—")

    @admin.display(description=_("webhook URL"))
    def webhook_url_display(self, obj):
        return format_html("<code>{}</code>", obj.webhook_url) if obj.pk else "—"

    def save_model(self, request, obj, form, change):
        api_key = form.cleaned_data.get("api_key", "")
        if change:
            obj.save()
            if api_key:
                carrier_account_set_api_key(account=obj, api_key=api_key)
            return
        issued = carrier_account_create(
            merchant=obj.merchant, carrier=obj.carrier, label=obj.label,
            webhook_secret=form.cleaned_data.get("webhook_secret", ""), api_key=api_key, options=obj.options,
            poll_rate_limit_per_minute=obj.poll_rate_limit_per_minute,
        )
        obj.pk = issued.account.pk
        obj.public_id = issued.account.public_id
        obj.webhook_secret_encrypted = issued.account.webhook_secret_encrypted
        obj._state.adding = False
        _show_secret_once(request, issued.account, issued.webhook_secret)

    @admin.action(description=_("Rotate webhook secret (old one keeps working for the overlap window)"),
                  permissions=["change"])
    def rotate_secret(self, request, queryset):
        with transaction.atomic():
            for account in queryset:
                issued = carrier_account_rotate_secret(account=account)
                _show_secret_once(request, issued.account, issued.webhook_secret)


@admin.register(m.InboundWebhook)
class InboundWebhookAdmin(ScopedReadOnlyAdmin):  # append-only: nobody edits or deletes a received delivery
    # Deliveries no account could be found for belong to no merchant: only superusers see those.
    list_display = ["received_at", "verdict", "account", "merchant", "reason", "provider_event_id", "processed_at",
                    "events_created", "events_orphaned", "processing_attempts"]
    list_filter = ["verdict", "merchant", "account", ("processed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["account__merchant", "merchant"]
    search_fields = ["provider_event_id", "public_id", "reason"]
    date_hierarchy = "received_at"
    actions = ["reprocess"]
    fields = ["received_at", "verdict", "reason", "account", "merchant", "public_id", "remote_addr", "provider_event_id",
              "headers", "body_text", "body_size", "processed_at", "processing_attempts", "processing_error",
              "events_created", "events_orphaned"]
    readonly_fields = fields

    @admin.display(description=_("body"))
    def body_text(self, obj):
        text = bytes(obj.body or b"").decode("utf-8", errors="replace")
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", text[:20000])


    def has_reprocess_permission(self, request):
        return request.user.has_perm("tracking.change_inboundwebhook")

    @admin.action(description=_("Reprocess (accepted deliveries only; events already recorded are skipped)"),
                  permissions=["reprocess"])
    def reprocess(self, request, queryset):
        from tracking.ingest.tasks import process_inbound_webhook

        accepted = list(queryset.filter(verdict=m.InboundWebhook.Verdict.ACCEPTED).values_list("pk", flat=True))
        for pk in accepted:
            process_inbound_webhook.delay_on_commit(pk, force=True)
        skipped = queryset.count() - len(accepted)
        messages.success(request, ngettext("Queued %d delivery for processing.", "Queued %d deliveries for processing.",
                                           len(accepted)) % len(accepted))
        if skipped:
            messages.warning(request, ngettext("Skipped %d rejected delivery: it was never verified.",
                                               "Skipped %d rejected deliveries: they were never verified.",
                                               skipped) % skipped)


@admin.register(m.PendingEvent)
class PendingEventAdmin(ScopedReadOnlyAdmin):
    list_display = ["tracking_number", "carrier", "merchant", "status", "occurred_at", "received_at", "attached_to"]
    list_filter = ["carrier", "merchant", "status", ("attached_at", admin.EmptyFieldListFilter)]
    search_fields = ["tracking_number"]
    list_select_related = ["merchant", "attached_to"]
    readonly_fields = [f.name for f in m.PendingEvent._meta.fields]



@admin.register(m.TrackingWebhookRegistration)
class TrackingWebhookRegistrationAdmin(ScopedReadOnlyAdmin):
    """Per-parcel push registrations (tracker.delivery): live, failed (polled meanwhile) or ended."""

    list_display = ["shipment", "merchant", "state", "carrier_code", "expires_at", "registered_at", "attempts",
                    "last_error"]
    list_filter = ["state", "merchant"]
    search_fields = ["shipment__tracking_number"]
    list_select_related = ["shipment", "merchant"]
    readonly_fields = [f.name for f in m.TrackingWebhookRegistration._meta.fields]


@admin.action(description=_("Re-track now (ask the carrier for the latest events)"), permissions=["change"])
def retrack_now(modeladmin, request, queryset):
    from tracking.ingest.tasks import retrack_shipment

    ids = list(queryset.values_list("pk", flat=True))
    for pk in ids:
        retrack_shipment.delay_on_commit(pk)
    modeladmin.message_user(request, ngettext("Asked the carrier about %d parcel.", "Asked the carrier about %d parcels.",
                                              len(ids)) % len(ids), messages.SUCCESS)

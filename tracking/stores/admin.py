"""Admin for store connections: state, last sync, last error, "sync now", webhook registration and
disconnect; the store webhook log (verdicts, reprocess); the platform-id map; privacy requests (the
export staff send). Every admin is merchant-scoped. Imported by tracking/admin.py."""
import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _, ngettext

from tracking import models as m
from tracking.staff.mixins import ScopedAdmin, ScopedReadOnlyAdmin
from tracking.stores.registry import available_platforms


class StoreConnectionForm(forms.ModelForm):
    platform = forms.ChoiceField(choices=())
    access_token = forms.CharField(required=False, strip=True, widget=forms.PasswordInput(render_value=False),
                                   help_text=_("Shopify Admin API token of a single-store app. Stored encrypted."))
    consumer_key = forms.CharField(required=False, strip=True, widget=forms.PasswordInput(render_value=False),
                                   help_text=_("WooCommerce REST API consumer key. Stored encrypted."))
    consumer_secret = forms.CharField(required=False, strip=True, widget=forms.PasswordInput(render_value=False))
    webhook_secret = forms.CharField(required=False, strip=True, widget=forms.PasswordInput(render_value=False),
                                     help_text=_("Leave empty to generate one where the platform needs it; "
                                                 "shown once after saving."))

    class Meta:
        model = m.StoreConnection
        fields = ["merchant", "platform", "shop", "options"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [(slug, slug) for slug in available_platforms()]


@admin.register(m.StoreConnection)
class StoreConnectionAdmin(ScopedAdmin):
    form = StoreConnectionForm
    list_display = ["shop", "platform", "merchant", "state", "last_sync_at", "last_error", "created_at"]
    list_filter = ["platform", "state", "merchant"]
    list_select_related = ["merchant"]
    search_fields = ["shop", "public_id", "merchant__name", "merchant__slug"]
    readonly_fields = ["webhook_url_display", "public_id", "state", "currency", "last_sync_at", "last_error",
                       "last_error_at", "sync_progress", "scopes", "token_expires_at", "disconnected_at",
                       "created_at", "updated_at"]
    actions = ["sync_now", "register_webhooks", "disconnect"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        secrets = ("access_token", "consumer_key", "consumer_secret", "webhook_secret")
        if obj is not None:
            return [f for f in fields if f not in (*secrets, "platform", "shop")] + ["platform_display", "shop_display"]
        return fields

    @admin.display(description=_("platform"))
    def platform_display(self, obj):
        return obj.platform

    @admin.display(description=_("shop"))
    def shop_display(self, obj):
        return obj.shop

    def get_readonly_fields(self, request, obj=None):
        extra = ["platform_display", "shop_display"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *extra]

    @admin.display(description=_("webhook URL"))
    def webhook_url_display(self, obj):
        return format_html("<code>{}</code>", obj.webhook_url) if obj.pk else "—"

    @admin.display(description=_("backfill"))
    def sync_progress(self, obj):
        if obj.sync_cursor:
            return _("in progress (resumes from the saved page)")
        return _("complete") if obj.last_sync_at else _("not run yet")

    def save_model(self, request, obj, form, change):
        from tracking.stores.connections import connection_create

        if change:
            obj.save()
            return
        data = form.cleaned_data
        issued = connection_create(merchant=obj.merchant, platform=data["platform"], shop=data["shop"],
                                   access_token=data.get("access_token", ""), consumer_key=data.get("consumer_key", ""),
                                   consumer_secret=data.get("consumer_secret", ""),
                                   webhook_secret=data.get("webhook_secret", ""), options=obj.options or {})
        obj.pk = issued.connection.pk
        obj.public_id = issued.connection.public_id
        obj._state.adding = False
        if issued.webhook_secret:
            messages.warning(request, format_html(
                "Webhook secret (shown only now): <code>{}</code> — webhook URL: <code>{}</code>",
                issued.webhook_secret, issued.connection.webhook_url))

    @admin.action(description=_("Sync now (backfill from the last saved page)"), permissions=["change"])
    def sync_now(self, request, queryset):
        from tracking.stores.tasks import sync_store_connection

        ids = list(queryset.filter(state=m.StoreConnection.State.ACTIVE).values_list("pk", flat=True))
        for pk in ids:
            sync_store_connection.delay_on_commit(pk)
        self.message_user(request, ngettext("Sync queued for %d store.", "Sync queued for %d stores.", len(ids))
                          % len(ids), messages.SUCCESS)

    @admin.action(description=_("Register webhooks in the store"), permissions=["change"])
    def register_webhooks(self, request, queryset):
        from tracking.stores.base import StoreError
        from tracking.stores.connections import connection_register_webhooks

        for connection in queryset.filter(state=m.StoreConnection.State.ACTIVE):
            try:
                created = connection_register_webhooks(connection=connection)
            except StoreError as exc:
                self.message_user(request, f"{connection}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{connection}: {len(created)} subscription(s) created", messages.SUCCESS)

    @admin.action(description=_("Disconnect (stop every call to the store)"), permissions=["change"])
    def disconnect(self, request, queryset):
        from tracking.stores.connections import connection_disconnect

        for connection in queryset:
            connection_disconnect(connection=connection, reason=f"disconnected by {request.user}")
        self.message_user(request, _("Disconnected."), messages.SUCCESS)


@admin.register(m.StoreWebhookDelivery)
class StoreWebhookDeliveryAdmin(ScopedReadOnlyAdmin):  # append-only: a received delivery is never edited
    list_display = ["received_at", "verdict", "platform_topic", "connection", "reason", "processed_at", "outcome",
                    "processing_attempts"]
    list_filter = ["verdict", "merchant", "topic", ("processed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["connection__merchant"]
    search_fields = ["delivery_id", "public_id", "reason", "outcome"]
    date_hierarchy = "received_at"
    actions = ["reprocess"]
    fields = ["received_at", "verdict", "reason", "connection", "merchant", "public_id", "topic", "platform_topic",
              "delivery_id", "remote_addr", "headers", "body_text", "body_size", "processed_at",
              "processing_attempts", "processing_error", "outcome"]
    readonly_fields = fields

    @admin.display(description=_("body"))
    def body_text(self, obj):
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>",
                           bytes(obj.body or b"").decode("utf-8", errors="replace")[:20000])

    def has_reprocess_permission(self, request):
        return request.user.has_perm("tracking.change_storewebhookdelivery")

    @admin.action(description=_("Reprocess (accepted deliveries only; applying twice changes nothing)"),
                  permissions=["reprocess"])
    def reprocess(self, request, queryset):
        from tracking.stores.tasks import process_store_webhook

        accepted = list(queryset.filter(verdict=m.StoreWebhookDelivery.Verdict.ACCEPTED).values_list("pk", flat=True))
        for pk in accepted:
            process_store_webhook.delay_on_commit(pk, force=True)
        self.message_user(request, ngettext("Queued %d delivery.", "Queued %d deliveries.", len(accepted))
                          % len(accepted), messages.SUCCESS)


@admin.register(m.StoreObjectLink)
class StoreObjectLinkAdmin(ScopedReadOnlyAdmin):
    list_display = ["connection", "kind", "external_id", "object_id", "status", "note", "remote_updated_at",
                    "pushed_status"]
    list_filter = ["kind", "status", "merchant"]
    list_select_related = ["connection__merchant"]
    search_fields = ["external_id", "parent_external_id", "note"]


@admin.register(m.StorePrivacyRequest)
class StorePrivacyRequestAdmin(ScopedReadOnlyAdmin):
    list_display = ["received_at", "kind", "connection", "customer_email", "completed_at", "sent_at"]
    list_filter = ["kind", "merchant"]
    list_select_related = ["connection__merchant"]
    search_fields = ["customer_email", "customer_external_id", "data_request_id"]
    actions = ["download_export"]

    def has_download_export_permission(self, request):
        return request.user.has_perm("tracking.view_storeprivacyrequest")

    @admin.action(description=_("Download the data export (JSON) to send to the shopper"),
                  permissions=["download_export"])
    def download_export(self, request, queryset):
        exports = [{"request": r.pk, "kind": r.kind, "customer_email": r.customer_email,
                    "data_request_id": r.data_request_id, "data": r.export}
                   for r in queryset.filter(kind=m.StorePrivacyRequest.Kind.DATA_REQUEST)]
        response = HttpResponse(json.dumps(exports, indent=2, ensure_ascii=False),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="doorstep-data-export.json"'
        return response

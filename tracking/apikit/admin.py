"""Admin for merchant API keys: create (the key is shown once, in a message), see use, revoke."""
from django.contrib import admin, messages

from tracking.models import ApiKey
from tracking.apikit.keys import api_key_create, api_key_revoke
from tracking.staff.mixins import ScopedAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdmin):
    list_display = ["name", "merchant", "masked", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["merchant", "scope", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["merchant"]
    search_fields = ["name", "prefix", "merchant__name"]
    autocomplete_fields = ["merchant"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["merchant", "name", "scope"]
        return ["merchant", "name", "scope", "masked", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # A key's tenant and scope are fixed: issue a new key instead of widening an old one.
        return ["merchant", "scope", "masked", "created_by", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description="key")
    def masked(self, obj):
        return f"{obj.prefix}…"

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        key, raw_key = api_key_create(merchant=obj.merchant, name=obj.name, scope=obj.scope, created_by=request.user)
        # The admin goes on to log and redirect with ``obj``: make it the saved row.
        obj.pk, obj.prefix, obj.key_hash, obj.created_at = key.pk, key.prefix, key.key_hash, key.created_at
        obj.created_by = request.user
        obj._state.adding, obj._state.db = False, key._state.db
        messages.warning(request, f"Copy this API key now; it is stored hashed and will not be shown again: {raw_key}")

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(key=key)
        self.message_user(request, "Revoked.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row records who used the API and when

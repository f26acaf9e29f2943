"""Shopper notifications in admin: the append-only send log (read-only) and opt-outs."""
from django.contrib import admin

from tracking import models as m
from tracking.staff.mixins import ScopedAdmin, ScopedReadOnlyAdmin


@admin.register(m.NotificationLog)
class NotificationLogAdmin(ScopedReadOnlyAdmin):
    list_display = ("created_at", "merchant", "kind", "channel", "recipient", "status", "skip_reason",
                    "delivered_by", "fallback_used", "sent_at")
    list_filter = ("status", "channel", "fallback_used", "category", "kind", "merchant")
    search_fields = ("recipient", "dedupe_key", "order__number")
    list_select_related = ("merchant",)
    date_hierarchy = "created_at"



@admin.register(m.NotificationOptOut)
class NotificationOptOutAdmin(ScopedAdmin):
    merchant_field = "customer__merchant"
    list_display = ("created_at", "customer", "category")
    list_filter = ("category", "customer__merchant")
    search_fields = ("customer__email",)
    raw_id_fields = ("customer",)


@admin.register(m.AlimtalkTemplate)
class AlimtalkTemplateAdmin(ScopedAdmin):
    """The merchant's 알림톡 templates (registered with Kakao through Solapi), one per notification kind."""

    list_display = ("merchant", "kind", "template_id", "is_active", "updated_at")
    list_filter = ("is_active", "kind", "merchant")
    search_fields = ("template_id", "kind", "text")

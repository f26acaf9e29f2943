"""Admin for what the tracking page produces: failed-delivery cases (worked by support staff) and
the shopper notification log and opt-outs. Imported from tracking/admin.py."""
from django.contrib import admin

from tracking import models as m
from tracking.services.delivery_requests import delivery_request_update


class DeliveryRequestEventInline(admin.TabularInline):
    model = m.DeliveryRequestEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor_label", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.DeliveryRequest)
class DeliveryRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "merchant", "tracking_number", "kind", "status", "route", "assignee")
    list_filter = ("status", "route", "kind", "merchant")
    search_fields = ("shipment__tracking_number", "shipment__order__number", "shipment__order__customer__email")
    list_select_related = ("merchant", "shipment", "assignee")
    autocomplete_fields = ()
    date_hierarchy = "created_at"
    inlines = [DeliveryRequestEventInline]
    # Staff change only how the case is worked; what the shopper asked for stays as asked.
    fields = ("merchant", "shipment", "kind", "requested_date", "pickup_point_label", "instructions", "route",
              "carrier_confirmation", "carrier_message", "status", "assignee", "notes", "created_at", "updated_at")
    readonly_fields = ("merchant", "shipment", "kind", "requested_date", "pickup_point_label", "instructions",
                       "route", "carrier_confirmation", "carrier_message", "created_at", "updated_at")

    @admin.display(ordering="shipment__tracking_number")
    def tracking_number(self, obj):
        return obj.shipment.tracking_number

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service so every change lands in the audit log with the staff member's name.
        delivery_request_update(request=obj, user=request.user, status=obj.status, assignee=obj.assignee,
                                assignee_changed="assignee" in form.changed_data, notes=obj.notes)


@admin.register(m.NotificationLog)
class NotificationLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "merchant", "kind", "channel", "recipient", "status", "skip_reason", "sent_at")
    list_filter = ("status", "channel", "category", "kind", "merchant")
    search_fields = ("recipient", "dedupe_key", "order__number")
    list_select_related = ("merchant",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.NotificationOptOut)
class NotificationOptOutAdmin(admin.ModelAdmin):
    list_display = ("created_at", "customer", "category")
    list_filter = ("category", "customer__merchant")
    search_fields = ("customer__email",)
    raw_id_fields = ("customer",)

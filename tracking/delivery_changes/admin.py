"""Failed-delivery cases: what a shopper asked for after a failed attempt, worked by support staff."""
from django.contrib import admin

from tracking import models as m
from tracking.delivery_changes.services import delivery_request_update
from tracking.staff.mixins import MerchantScopedAdminMixin, ScopedAdmin


class DeliveryRequestEventInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = m.DeliveryRequestEvent
    merchant_field = "request__merchant"
    extra = 0
    can_delete = False
    fields = ("at", "actor_label", "from_status", "to_status", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.DeliveryRequest)
class DeliveryRequestAdmin(ScopedAdmin):
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

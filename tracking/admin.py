"""Django admin for support staff: find an order by number, email or tracking number in one search,
see its lines, parcels and each parcel's event log. Event logs are read-only (append-only data)."""
from django.contrib import admin
from django.utils.html import format_html
from django.db.models import Count

from tracking import models as m
from tracking.ingest.admin import retrack_now
from tracking.staff.mixins import MerchantScopedAdminMixin, ScopedAdmin, ScopedReadOnlyInline

# Each capability registers its own models in its own admin.py; Django imports only this module
# (<app>.admin), so these imports are what brings them in.
from tracking.apikit import admin as _apikit_admin  # noqa: F401
from tracking.credentials import admin as _credentials_admin  # noqa: F401
from tracking.delivery_changes import admin as _delivery_changes_admin  # noqa: F401
from tracking.edd import admin as _edd_admin  # noqa: F401
from tracking.notifications import admin as _notifications_admin  # noqa: F401
from tracking.recommendations import admin as _recommendations_admin  # noqa: F401
from tracking.staff import admin as _staff_admin  # noqa: F401
from tracking.stores import admin as _stores_admin  # noqa: F401
from tracking.webhooks_out import admin as _webhooks_out_admin  # noqa: F401



@admin.register(m.Merchant)
class MerchantAdmin(ScopedAdmin):
    merchant_field = "pk"  # a staff user sees the merchants they are a member of
    list_display = ["name", "slug", "default_locale", "timezone", "currency", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "store_url", "faq_url", "default_locale", "timezone", "currency", "country"]}),
        ("Brand", {"fields": ["logo_url", "primary_color", "accent_color", "font"]}),
        ("Support contacts", {"fields": ["support_email", "support_phone", "support_url"]}),
        ("Notifications", {"fields": ["quiet_hours_start", "quiet_hours_end"],
                           "description": "Messages due in quiet hours (merchant time zone) wait until they end."}),
    ]


@admin.register(m.Customer)
class CustomerAdmin(ScopedAdmin):
    list_display = ["email", "name", "merchant", "locale", "order_count", "created_at"]
    list_filter = ["merchant", "locale"]
    list_select_related = ["merchant"]
    search_fields = ["email", "name", "phone", "external_id"]
    autocomplete_fields = ["merchant"]

    def get_queryset(self, request):
        # A GROUP BY query drops Meta.ordering: order explicitly (autocomplete pages through this).
        return super().get_queryset(request).annotate(_order_count=Count("orders")).order_by("email")

    @admin.display(ordering="_order_count", description="orders")
    def order_count(self, obj):
        return obj._order_count


class VariantInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = m.ProductVariant
    extra = 0
    fields = ["sku", "title", "price", "currency", "stock", "returnable", "final_sale"]


@admin.register(m.Product)
class ProductAdmin(ScopedAdmin):
    list_display = ["title", "category", "merchant", "is_active"]
    list_filter = ["merchant", "category", "is_active"]
    list_select_related = ["merchant"]
    search_fields = ["title", "external_id", "variants__sku"]
    autocomplete_fields = ["merchant"]
    inlines = [VariantInline]

    def save_formset(self, request, form, formset, change):
        # Variants inherit the product's merchant: the inline does not ask for it.
        for variant in formset.save(commit=False):
            variant.merchant_id = form.instance.merchant_id
            variant.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(m.ProductVariant)
class ProductVariantAdmin(ScopedAdmin):
    list_display = ["sku", "title", "product", "price", "currency", "stock", "returnable", "final_sale"]
    list_filter = ["merchant", "returnable", "final_sale"]
    list_select_related = ["product"]
    search_fields = ["sku", "title", "product__title"]
    autocomplete_fields = ["merchant", "product"]


class OrderLineInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = m.OrderLine
    merchant_field = "order__merchant"
    extra = 0
    fields = ["variant", "sku", "title", "quantity", "unit_price"]
    autocomplete_fields = ["variant"]


class OrderShipmentInline(ScopedReadOnlyInline):
    model = m.Shipment
    fields = ["carrier", "tracking_number", "status", "status_reason", "is_return", "predicted_delivery_date",
              "delivered_at"]
    readonly_fields = fields


@admin.register(m.Order)
class OrderAdmin(ScopedAdmin):
    list_display = ["number", "merchant", "customer", "placed_at", "total", "currency", "source"]
    list_filter = ["merchant", "source", ("placed_at", admin.DateFieldListFilter)]
    list_select_related = ["merchant", "customer"]
    # One box finds an order by its number, the shopper's email or any of its tracking numbers.
    search_fields = ["number", "customer__email", "shipments__tracking_number"]
    search_help_text = "Order number, customer email or tracking number"
    autocomplete_fields = ["merchant", "customer"]
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, OrderShipmentInline]
    readonly_fields = ["view_as_shopper"]
    fieldsets = [
        (None, {"fields": ["merchant", "number", "customer", "placed_at", "source", "view_as_shopper"]}),
        ("Money", {"fields": ["currency", "subtotal", "shipping_total", "tax_total", "discount_total", "total",
                              "payment_gateway", "payment_reference"]}),
        ("Ship to", {"fields": ["ship_name", "ship_line1", "ship_line2", "ship_city", "ship_region",
                                "ship_postal_code", "ship_country"]}),
    ]


    @admin.display(description="shopper's page")
    def view_as_shopper(self, obj):
        """A fresh signed link to the order's tracking page, exactly as the shopper sees it."""
        if obj is None or obj.pk is None:
            return "—"
        from tracking.page.views import order_url

        return format_html('<a href="{}" target="_blank" rel="noopener">View as shopper</a>', order_url(obj))


class ShipmentLineInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = m.ShipmentLine
    merchant_field = "shipment__merchant"
    extra = 0
    raw_id_fields = ["order_line"]


class EventInline(ScopedReadOnlyInline):
    model = m.TrackingEvent
    merchant_field = "shipment__merchant"
    fields = ["occurred_at", "status", "reason", "carrier_code", "carrier_text", "location", "source", "received_at"]
    readonly_fields = fields
    ordering = ["-occurred_at"]
    show_change_link = False


@admin.register(m.Shipment)
class ShipmentAdmin(ScopedAdmin):
    list_display = ["tracking_number", "carrier", "order", "merchant", "status", "status_reason", "is_return",
                    "predicted_delivery_date", "last_event_at"]
    list_filter = ["merchant", "status", "carrier", "is_return", ("last_event_at", admin.DateFieldListFilter)]
    list_select_related = ["order", "merchant"]
    search_fields = ["tracking_number", "order__number", "order__customer__email"]
    autocomplete_fields = ["merchant", "order"]
    # Status fields are derived from the event log; editing them by hand would contradict it.
    readonly_fields = ["status", "status_reason", "last_event_at", "shipped_at", "delivered_at", "created_at",
                       "updated_at"]
    inlines = [ShipmentLineInline, EventInline]
    actions = [retrack_now]


@admin.register(m.TrackingEvent)
class TrackingEventAdmin(ScopedAdmin):
    merchant_field = "shipment__merchant"
    list_display = ["occurred_at", "shipment", "status", "reason", "carrier_code", "location", "source"]
    list_filter = ["status", "source", "reason"]
    list_select_related = ["shipment"]
    search_fields = ["shipment__tracking_number", "carrier_code", "carrier_text"]
    date_hierarchy = "occurred_at"

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

from django.contrib import admin

from tracking.staff.mixins import MerchantScopedAdminMixin, ScopedAdmin

from returns.models import CategoryRule, ReturnPolicy, ReturnReason


class ReasonInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = ReturnReason
    merchant_field = "policy__merchant"
    extra = 0
    fields = ["position", "code", "label", "label_ko", "waive_restocking_fee", "waive_shipping_fee",
              "photo_required", "is_active"]


class CategoryRuleInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = CategoryRule
    merchant_field = "policy__merchant"
    extra = 0
    fields = ["category", "returnable", "window_days", "restocking_fee_percent", "return_shipping_fee"]


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(ScopedAdmin):
    list_display = ["merchant", "window_days", "refund_timing", "auto_approve", "store_credit_bonus_percent",
                    "exchanges_enabled"]
    list_select_related = ["merchant"]
    search_fields = ["merchant__name", "merchant__slug"]
    autocomplete_fields = ["merchant"]
    inlines = [ReasonInline, CategoryRuleInline]
    fieldsets = [
        (None, {"fields": ["merchant", "window_days", "max_items_per_return", "exchanges_enabled"]}),
        ("Fees and credit", {"fields": ["restocking_fee_percent", "return_shipping_fee",
                                        "store_credit_bonus_percent"]}),
        ("Approval", {"fields": ["auto_approve", "auto_approve_max_order_value", "auto_approve_max_return_rate"]}),
        ("Money timing", {"fields": ["refund_timing"]}),
        ("Return shipping", {"fields": ["carrier", "warehouse_name", "warehouse_line1", "warehouse_city",
                                        "warehouse_postal_code", "warehouse_country"]}),
    ]

from django.contrib import admin

from returns.models import Refund, RefundLedger, StoreCreditAccount, StoreCreditEntry
from returns.selectors import store_credit_balance
from tracking.staff.mixins import ReadOnlyAdmin



@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["return_request", "kind", "amount", "currency", "status", "gateway", "gateway_reference",
                    "attempts", "requested_by", "created_at", "completed_at"]
    list_filter = ["status", "kind", "gateway", "merchant"]
    search_fields = ["return_request__rma", "order__number", "gateway_reference", "idempotency_key"]


@admin.register(RefundLedger)
class RefundLedgerAdmin(ReadOnlyAdmin):
    list_display = ["order", "merchant", "paid_total", "refunded_total", "currency", "updated_at"]
    list_filter = ["merchant"]
    search_fields = ["order__number"]


class EntryInline(admin.TabularInline):
    model = StoreCreditEntry
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "amount", "currency", "return_request", "reference", "note", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StoreCreditAccount)
class StoreCreditAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "customer", "merchant", "balance", "created_at"]
    list_filter = ["merchant"]
    search_fields = ["code", "customer__email"]
    inlines = [EntryInline]

    @admin.display(description="balance")
    def balance(self, obj):
        return f"{store_credit_balance(obj.customer)} {obj.currency}"

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from tracking.staff.mixins import MerchantScopedAdminMixin, ScopedReadOnlyAdmin
from tracking.staff.selectors import is_lead_of, merchant_ids_for

from returns.errors import ReturnError
from returns.models import MoneyApproval, Refund, RefundAccount, RefundLedger, StoreCreditAccount, StoreCreditEntry
from returns.money.authority import money_approval_approve, money_approval_reject
from returns.selectors import store_credit_balance


@admin.register(Refund)
class RefundAdmin(ScopedReadOnlyAdmin):
    list_display = ["return_request", "kind", "amount", "currency", "status", "error_code", "gateway",
                    "gateway_reference", "attempts", "requested_by", "created_at", "completed_at"]
    list_filter = ["status", "error_code", "kind", "gateway", "merchant"]
    search_fields = ["return_request__rma", "order__number", "gateway_reference", "idempotency_key"]


@admin.register(RefundLedger)
class RefundLedgerAdmin(ScopedReadOnlyAdmin):
    list_display = ["order", "merchant", "paid_total", "refunded_total", "currency", "updated_at"]
    list_filter = ["merchant"]
    search_fields = ["order__number"]


class EntryInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = StoreCreditEntry
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "amount", "currency", "return_request", "reference", "note", "created_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StoreCreditAccount)
class StoreCreditAccountAdmin(ScopedReadOnlyAdmin):
    list_display = ["code", "customer", "merchant", "balance", "created_at"]
    list_filter = ["merchant"]
    search_fields = ["code", "customer__email"]
    inlines = [EntryInline]

    @admin.display(description="balance")
    def balance(self, obj):
        return f"{store_credit_balance(obj.customer)} {obj.currency}"


@admin.register(MoneyApproval)
class MoneyApprovalAdmin(ScopedReadOnlyAdmin):
    """Refunds and credit above a staff member's limit, waiting for a lead of the merchant (or a
    superuser) other than the requester. Approving issues the money as the approver."""

    list_display = ["requested_at", "return_request", "merchant", "kind", "amount", "currency", "status",
                    "requested_by", "decided_by", "decided_at"]
    list_filter = ["status", "kind", "merchant"]
    list_select_related = ["return_request", "merchant", "requested_by", "decided_by"]
    search_fields = ["return_request__rma", "return_request__order__number"]
    date_hierarchy = "requested_at"
    actions = ["approve_selected", "reject_selected"]

    def has_decide_permission(self, request):
        """A lead of at least one merchant, or a superuser; each request is checked again for its own
        merchant, its requester and the approver's own limit."""
        user = request.user
        if user.is_active and user.is_superuser:
            return True
        ids = merchant_ids_for(user) or ()
        return any(is_lead_of(user, merchant_id) for merchant_id in ids)

    def _decide(self, request, queryset, service, verb):
        done = 0
        for approval in queryset.filter(status=MoneyApproval.Status.PENDING).select_related("return_request"):
            try:
                decided = service(approval=approval, by=request.user)
            except ReturnError as exc:
                self.message_user(request, f"{approval.return_request.rma}: {exc}", messages.ERROR)
                continue
            if decided.status == MoneyApproval.Status.SUPERSEDED:
                self.message_user(request, f"{approval.return_request.rma}: already issued; nothing more to send.",
                                  messages.INFO)
            else:
                done += 1
        if done:
            self.message_user(request, f"{verb} {done} request(s).", messages.SUCCESS)

    @admin.action(description="Approve and issue the money", permissions=["decide"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, money_approval_approve, "Approved and issued")

    @admin.action(description="Refuse", permissions=["decide"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, money_approval_reject, "Refused")


@admin.register(RefundAccount)
class RefundAccountAdmin(ScopedReadOnlyAdmin):
    """Bank accounts shoppers named for virtual-account refunds: bank and last digits only."""

    list_display = ["return_request", "merchant", "bank", "masked_account", "created_at"]
    list_filter = ["bank", "merchant"]
    search_fields = ["return_request__rma"]
    fields = ["return_request", "merchant", "bank", "masked_account", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("account"))
    def masked_account(self, obj):
        return f"••••{obj.account_hint}"

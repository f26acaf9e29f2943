"""The claims queue in admin: a claim's change page is read-only apart from its buttons (approve,
reject, issue the money), each a service with the approve_claim permission and the same money rules
as refunds; and the merchant's claims policy."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from returns.admin import (
    EventInline,
    LineInline,
    MoneyApprovalInline,
    RefundInline,
    ReturnRequestAdmin,
)
from returns.claims.models import Claim, ClaimPolicy
from returns.claims.services import claim_approve
from returns.errors import ReturnError
from returns.money.authority import APPROVE_CLAIM, MoneyNeedsApproval
from returns.services import return_close, return_reject, return_release_money
from returns.states import InvalidTransition
from tracking.staff.mixins import ScopedAdmin


class ClaimLineInline(LineInline):
    verbose_name_plural = "claimed items (nothing comes back, so nothing to inspect)"
    fields = ["order_line", "quantity", "unit_price", "exchange_variant"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(ReturnRequestAdmin):
    inlines = [ClaimLineInline, RefundInline, MoneyApprovalInline, EventInline]
    change_form_template = "admin/returns/claim/change_form.html"
    list_display = ["rma", "merchant", "order", "claim_type", "status", "resolution", "value", "auto_approved",
                    "created_at"]
    list_filter = ["status", "claim_type", "resolution", "merchant", "created_at"]
    search_fields = ["rma", "order__number", "customer__email", "claim_shipment__tracking_number"]
    actions = ["approve_claims", "reject_claims"]
    fieldsets = [
        (None, {"fields": ["rma", "merchant", "order", "customer", "status", "claim_type", "parcel", "resolution",
                           "comment", "rejection_reason"]}),
        ("Money", {"fields": ["currency", "items_total", "refund_amount", "replacement_order"]}),
        ("Decision", {"fields": ["claim_decision"]}),
        ("Photos", {"fields": ["photo_thumbnails"]}),
        ("Customer", {"fields": ["customer_history"]}),
        ("Timeline", {"fields": ["created_at", "approved_at", "resolved_at"]}),
    ]

    # A claim is a return request: the same view/change permissions; approving needs approve_claim.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("returns.view_returnrequest")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("returns.change_returnrequest")

    def has_approve_claim_permission(self, request, obj=None):
        return self.has_change_permission(request, obj) and request.user.has_perm(APPROVE_CLAIM)

    @admin.display(description="replacement order")
    def replacement_order(self, obj):
        if not obj.exchange_order_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:tracking_order_change", args=[obj.exchange_order_id]),
                           obj.exchange_order.number)

    @admin.display(description="value", ordering="items_total")
    def value(self, obj):
        return f"{obj.items_total:,} {obj.currency}"

    @admin.display(description="auto-approved", boolean=True)
    def auto_approved(self, obj):
        return bool((obj.decision or {}).get("approval", {}).get("auto"))

    @admin.display(description="parcel")
    def parcel(self, obj):
        shipment = obj.claim_shipment
        if shipment is None:
            return "—"
        return format_html("{} · {} ({})", shipment.tracking_number, shipment.get_status_display(),
                           shipment.carrier)

    @admin.display(description="decision")
    def claim_decision(self, obj):
        decision = obj.decision or {}
        approval = decision.get("approval", {})
        claim = decision.get("claim", {})
        return format_html("<p><strong>{}</strong> ({})</p><p>Carrier reported it lost: {}</p>",
                           "auto-approved" if approval.get("auto") else "manual review",
                           ", ".join(approval.get("reasons", [])) or "—",
                           "yes" if claim.get("carrier_says_lost") else "no")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_approve_claim": self.has_approve_claim_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _run(self, request, queryset, service, verb, **kwargs):
        done, failed = 0, []
        for rr in queryset:
            try:
                result = service(rr=rr, by=request.user, **kwargs)
            except MoneyNeedsApproval as exc:
                self.message_user(request, f"{rr.rma}: {exc}", messages.WARNING)
                continue
            except (ReturnError, InvalidTransition) as exc:
                failed.append(f"{rr.rma}: {exc}")
                continue
            done += 1
            held = getattr(result, "money_held", None)
            if held is not None:
                self.message_user(request, f"{rr.rma}: {held}", messages.WARNING)
        if done:
            self.message_user(request, f"{verb} {done} claim(s).", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description="Approve selected claims (refund, credit or replacement)",
                  permissions=["approve_claim"])
    def approve_claims(self, request, queryset):
        return self._with_reason(request, queryset, title="Approve claims", service=claim_approve,
                                 verb="Approved", required=False)

    @admin.action(description="Reject selected claims…", permissions=["change"])
    def reject_claims(self, request, queryset):
        return self._with_reason(request, queryset, title="Reject claims", service=return_reject,
                                 verb="Rejected", required=True)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<int:pk>/do/<str:what>/", self.admin_site.admin_view(self.do_view), name="%s_%s_do" % info),
        ] + super(ReturnRequestAdmin, self).get_urls()

    def do_view(self, request, pk, what):
        if not self.has_change_permission(request):
            raise PermissionDenied
        queryset = self.get_queryset(request).filter(pk=pk)  # another merchant's claim: 404
        get_object_or_404(queryset)
        if what == "approve":
            if not self.has_approve_claim_permission(request):
                raise PermissionDenied
            response = self._with_reason(request, queryset, title="Approve claim", service=claim_approve,
                                         verb="Approved", required=False)
        elif what == "reject":
            response = self._with_reason(request, queryset, title="Reject claim", service=return_reject,
                                         verb="Rejected", required=True)
        elif what == "close":
            response = self._with_reason(request, queryset, title="Close claim", service=return_close,
                                         verb="Closed", required=True)
        elif what == "money" and request.method == "POST":
            response = self._run(request, queryset, return_release_money, "Settled")
        else:
            raise PermissionDenied
        return response or HttpResponseRedirect(reverse("admin:returns_claim_change", args=[pk]))


@admin.register(ClaimPolicy)
class ClaimPolicyAdmin(ScopedAdmin):
    list_display = ["merchant", "window_days", "lost_after_days", "photo_required_for_damaged",
                    "auto_approve_carrier_lost", "auto_approve_max_value"]
    list_select_related = ["merchant"]
    search_fields = ["merchant__name", "merchant__slug"]
    autocomplete_fields = ["merchant"]
    fieldsets = [
        (None, {"fields": ["merchant", "window_days", "lost_after_days", "photo_required_for_damaged"]}),
        ("What the shopper may choose", {"fields": ["allow_replacement", "allow_refund", "allow_store_credit"]}),
        ("Approval without review", {"fields": ["auto_approve_carrier_lost", "auto_approve_max_value"]}),
    ]

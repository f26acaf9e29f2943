"""Returns in admin: every write goes through returns.services (state machine + audit trail); the
change page is read-only apart from the action buttons."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms import formset_factory
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from returns.errors import ReturnError
from returns.models import (
    AwaitingParcel,
    MoneyApproval,
    NeedsReview,
    Refund,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    ToInspect,
    ToRefund,
)
from returns.models.requests import status_label

# The policy editor and the money ledgers register in their own packages; Django imports only
# this module (<app>.admin).
from returns.money import admin as _money_admin  # noqa: F401
from returns.money.authority import PERMISSIONS, MoneyHeld, MoneyNeedsApproval
from returns.policy import admin as _policy_admin  # noqa: F401
from returns.policy.engine import describe
from returns.policy.models import ReturnReason
from returns.reports import return_report
from returns.selectors import customer_return_rate, customer_returns
from returns.services import (
    LineInspection,
    return_approve,
    return_close,
    return_inspect,
    return_mark_received,
    return_reject,
    return_release_money,
)
from returns.services.workflow import INSPECTION_CONDITIONS
from returns.states import InvalidTransition
from tracking.money import format_money
from tracking.staff.mixins import MerchantScopedAdminMixin, ScopedAdmin
from tracking.staff.selectors import (
    merchant_from_query,
    merchant_ids_for,
    visible_merchants,
)

# Claims have their own queue (returns.claims.admin): these are returns with a parcel to come back.
QUEUES = {
    "review": ("Needs review", Q(status=ReturnStatus.REQUESTED, kind="return")),
    "parcel": ("Awaiting the parcel", Q(status__in=[ReturnStatus.APPROVED, ReturnStatus.IN_TRANSIT], kind="return")),
    "inspect": ("To inspect", Q(status=ReturnStatus.RECEIVED, kind="return")),
    "refund": ("To refund or credit", Q(status=ReturnStatus.INSPECTED, kind="return")),
}


class QueueFilter(admin.SimpleListFilter):
    title = "work queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _q) in QUEUES.items()]

    def queryset(self, request, queryset):
        if self.value() in QUEUES:
            return queryset.filter(QUEUES[self.value()][1])
        return queryset


class LineInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = ReturnLine
    merchant_field = "return_request__merchant"
    extra = 0
    can_delete = False
    fields = ["order_line", "quantity", "unit_price", "exchange_variant", "inspection", "accepted_quantity",
              "condition", "inspection_note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = ReturnEvent
    merchant_field = "return_request__merchant"
    extra = 0
    can_delete = False
    verbose_name_plural = "audit trail"
    fields = ["created_at", "from_state", "to_state", "who", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="from")
    def from_state(self, obj):
        return status_label(obj.from_status) if obj.from_status else "—"

    @admin.display(description="to")
    def to_state(self, obj):
        return obj.to_status_label


class RefundInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = Refund
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "amount", "currency", "status", "gateway_reference", "error", "requested_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class MoneyApprovalInline(MerchantScopedAdminMixin, admin.TabularInline):
    model = MoneyApproval
    extra = 0
    can_delete = False
    verbose_name_plural = "money approvals (a lead approves in Money approvals)"
    fields = ["requested_at", "kind", "amount", "currency", "status", "requested_by", "decided_by", "decided_at",
              "note"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), required=False,
                           label="Reason / note (sent to the shopper when rejecting)")


class InspectionForm(forms.Form):
    line_id = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(choices=[(c, c) for c in ("accepted", "partial", "rejected")])
    accepted_quantity = forms.IntegerField(min_value=0, required=False)
    condition = forms.ChoiceField(choices=[("", "—")] + [(c, c.replace("_", " ")) for c in INSPECTION_CONDITIONS],
                                  required=False)
    note = forms.CharField(required=False, max_length=2000)


InspectionFormSet = formset_factory(InspectionForm, extra=0)


# The policy quote kept with each decision, as staff read it.
_QUOTE_LABELS = {
    "items_total": "Items", "restocking_fee": "Restocking fee", "shipping_fee": "Return shipping",
    "refund_amount": "Refund", "credit_bonus": "Store credit bonus", "credit_total": "Store credit",
    "exchange_difference": "Exchange difference", "waived": "Fees waived",
}


def _quote_value(value, currency: str) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (str, int, float)) and str(value).replace(".", "", 1).lstrip("-").isdigit():
        return format_money(value, currency, "en")
    return str(value)


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ScopedAdmin):
    change_form_template = "admin/returns/returnrequest/change_form.html"
    list_display = ["rma", "merchant", "order", "customer", "status", "resolution", "method", "refund_amount",
                    "currency", "created_at"]
    list_filter = [QueueFilter, "kind", "status", "resolution", "method", "reason_code", "merchant", "created_at"]
    list_select_related = ["merchant", "order", "customer"]
    search_fields = ["rma", "order__number", "customer__email", "shipment__tracking_number"]
    date_hierarchy = "created_at"
    inlines = [LineInline, RefundInline, MoneyApprovalInline, EventInline]
    actions = ["approve_selected", "reject_selected", "mark_received_selected", "issue_money_selected"]
    fieldsets = [
        (None, {"fields": ["rma", "merchant", "order", "customer", "status", "resolution", "method",
                           "pickup_date", "reason_display", "comment", "rejection_reason"]}),
        ("Money", {"fields": ["currency", "items_total", "restocking_fee", "shipping_fee", "exchange_difference",
                              "difference_as_credit", "refund_amount", "credit_bonus", "exchange_order"]}),
        ("Policy decision", {"fields": ["decision_explained"]}),
        ("Parcel", {"fields": ["shipment", "label_link", "pickup_confirmation", "pickup_window", "co2_grams"]}),
        ("Photos", {"fields": ["photo_thumbnails"]}),
        ("Customer", {"fields": ["customer_history"]}),
        ("Timeline", {"fields": ["created_at", "approved_at", "in_transit_at", "received_at", "inspected_at",
                                 "resolved_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Everything: writes happen through the action buttons and their services.
        return [f for fs in self.fieldsets for f in fs[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Read-only displays --------------------------------------------------------------------------
    @admin.display(description="decision")
    def decision_explained(self, obj):
        decision = obj.decision or {}
        approval = decision.get("approval", {})
        lines = decision.get("lines", {})
        refused = [f"line {k}: {describe(v['code'], v.get('params'))}" for k, v in lines.items() if v.get("code")]
        quote = decision.get("quote", {}) if isinstance(decision.get("quote"), dict) else {}
        currency = quote.get("currency", obj.currency)
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>",
            ((_QUOTE_LABELS.get(key, key.replace("_", " ").capitalize()), _quote_value(value, currency))
             for key, value in quote.items() if key != "currency"))
        return format_html(
            "<p><strong>{}</strong> ({})</p><p>Customer return rate then: {}%</p><p>{}</p><table>{}</table>",
            "auto-approved" if approval.get("auto") else "manual review",
            ", ".join(str(r).replace("_", " ") for r in approval.get("reasons", []))
            + (f" — {approval['error']}" if approval.get("error") else ""),
            decision.get("customer_return_rate", "?"),
            "; ".join(refused) or "All other lines of the order were returnable.",
            rows,
        )

    @admin.display(description="label")
    def label_link(self, obj):
        if not obj.label_file:
            return "—"
        return format_html('<a href="{}" target="_blank" rel="noopener">{} ({})</a>',
                           reverse("returns:staff_label", args=[obj.rma]), "open label", obj.label_format)

    @admin.display(description="photos")
    def photo_thumbnails(self, obj):
        photos = list(obj.photos.all())
        if not photos:
            return "—"
        return format_html_join(
            " ", '<a href="{0}" target="_blank" rel="noopener"><img src="{0}" width="120" height="120" '
                 'style="object-fit:cover;border-radius:4px" alt="photo"></a>',
            ((reverse("returns:staff_photo", args=[p.key]),) for p in photos))

    @admin.display(description="customer's returns")
    def customer_history(self, obj):
        others = customer_returns(obj.customer)[:20]
        # The merchant's reason labels once, not a query per row (ReturnRequest.reason_display).
        reasons = {reason.code: reason.display
                   for reason in ReturnReason.objects.filter(policy__merchant_id=obj.merchant_id)}
        rows = format_html_join(
            "", '<li><a href="{}">{}</a> · {} · {} · {}</li>',
            ((reverse("admin:returns_returnrequest_change", args=[r.pk]), r.rma, r.get_status_display(),
              reasons.get(r.reason_code, r.reason_label), r.created_at.date()) for r in others))
        return format_html("<p>Return rate: <strong>{}%</strong> of items ordered.</p><ul>{}</ul>",
                           customer_return_rate(obj.customer), rows)

    # --- Bulk actions (each with an intermediate form where a reason is needed) -----------------------
    def _run(self, request, queryset, service, verb, **kwargs):
        done, failed, held = 0, [], []
        for rr in queryset:
            try:
                service(rr=rr, by=request.user, **kwargs)
                done += 1
            except MoneyNeedsApproval as exc:
                held.append(f"{rr.rma}: {exc}")
            except (ReturnError, InvalidTransition) as exc:
                failed.append(f"{rr.rma}: {exc}")
        if done:
            self.message_user(request, f"{verb} {done} return(s).", messages.SUCCESS)
        for waiting in held:
            self.message_user(request, waiting, messages.WARNING)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    def has_issue_money_permission(self, request, obj=None):
        """Changing a return is not enough: sending money needs one of the money permissions too
        (each return is checked again for its own kind and amount when the money goes)."""
        return self.has_change_permission(request, obj) and any(
            request.user.has_perm(permission) for permission in PERMISSIONS.values())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_issue_money": self.has_issue_money_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _with_reason(self, request, queryset, *, title, service, verb, required):
        if not request.user.has_perm("returns.change_returnrequest"):
            raise PermissionDenied
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid() and (form.cleaned_data["note"].strip() or not required):
                arg = {"reason": form.cleaned_data["note"]} if service is return_reject else {
                    "note": form.cleaned_data["note"]}
                self._run(request, queryset, service, verb, **arg)
                return None
            if required:
                self.message_user(request, "A reason is required.", messages.ERROR)
        else:
            form = ReasonForm()
        return TemplateResponse(request, "admin/returns/returnrequest/reason_form.html", {
            **self.admin_site.each_context(request), "title": title, "form": form, "queryset": queryset,
            "action": request.POST.get("action"), "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })

    @admin.action(description="Approve selected returns (books labels)", permissions=["change"])
    def approve_selected(self, request, queryset):
        return self._with_reason(request, queryset, title="Approve returns", service=return_approve,
                                 verb="Approved", required=False)

    @admin.action(description="Reject selected returns…", permissions=["change"])
    def reject_selected(self, request, queryset):
        return self._with_reason(request, queryset, title="Reject returns", service=return_reject,
                                 verb="Rejected", required=True)

    @admin.action(description="Mark selected as received at the warehouse", permissions=["change"])
    def mark_received_selected(self, request, queryset):
        self._run(request, queryset, return_mark_received, "Marked received")

    @admin.action(description="Issue the refund / credit / exchange now", permissions=["issue_money"])
    def issue_money_selected(self, request, queryset):
        self._run(request, queryset, return_release_money, "Issued money for")

    # --- Per-object buttons --------------------------------------------------------------------------
    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<int:pk>/do/<str:what>/", self.admin_site.admin_view(self.do_view), name="%s_%s_do" % info),
            path("<int:pk>/inspect/", self.admin_site.admin_view(self.inspect_view), name="%s_%s_inspect" % info),
            path("reports/", self.admin_site.admin_view(self.reports_view), name="%s_%s_reports" % info),
        ] + super().get_urls()

    def do_view(self, request, pk, what):
        if not self.has_change_permission(request):
            raise PermissionDenied
        queryset = self.get_queryset(request).filter(pk=pk)  # another merchant's return: 404
        get_object_or_404(queryset)
        if what == "approve":
            response = self._with_reason(request, queryset, title="Approve return", service=return_approve,
                                         verb="Approved", required=False)
        elif what == "reject":
            response = self._with_reason(request, queryset, title="Reject return", service=return_reject,
                                         verb="Rejected", required=True)
        elif what == "close":
            response = self._with_reason(request, queryset, title="Close return", service=return_close,
                                         verb="Closed", required=True)
        elif what == "received" and request.method == "POST":
            response = self._run(request, queryset, return_mark_received, "Marked received")
        elif what == "money" and request.method == "POST":
            response = self._run(request, queryset, return_release_money, "Issued money for")
        else:
            raise PermissionDenied
        return response or HttpResponseRedirect(reverse("admin:returns_returnrequest_change", args=[pk]))

    def inspect_view(self, request, pk):
        if not self.has_change_permission(request):
            raise PermissionDenied
        rr = get_object_or_404(self.get_queryset(request), pk=pk)  # another merchant's return: 404
        lines = list(rr.lines.select_related("order_line"))
        initial = [{"line_id": line.pk, "result": "accepted"} for line in lines]
        formset = InspectionFormSet(request.POST or None, initial=initial)
        if request.method == "POST" and formset.is_valid():
            results = [LineInspection(line_id=f["line_id"], result=f["result"],
                                      accepted_quantity=f.get("accepted_quantity"), condition=f.get("condition", ""),
                                      note=f.get("note", "")) for f in formset.cleaned_data]
            try:
                inspected = return_inspect(rr=rr, by=request.user, results=results)
            except (ReturnError, InvalidTransition) as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"Inspection of {rr.rma} recorded.", messages.SUCCESS)
                held = getattr(inspected, "money_held", None)
                if isinstance(held, MoneyHeld):
                    self.message_user(request, f"{rr.rma}: {held}", messages.WARNING)
                return HttpResponseRedirect(reverse("admin:returns_returnrequest_change", args=[pk]))
        by_id = {line.pk: line for line in lines}
        rows = [(form, by_id.get(int(form["line_id"].value()))) for form in formset]
        return TemplateResponse(request, "admin/returns/returnrequest/inspect.html", {
            **self.admin_site.each_context(request), "title": f"Inspect {rr.rma}", "rr": rr, "formset": formset,
            "rows": rows, "opts": ReturnRequest._meta,
        })

    def reports_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        merchant = merchant_from_query(request)  # another merchant's id: 404
        try:
            days = max(1, min(int(request.GET.get("days", 90)), 3650))
        except ValueError:
            days = 90
        if merchant is not None:
            report = return_report(merchant_id=merchant.pk, days=days)
        else:  # every merchant the user may see
            report = return_report(merchant_ids=merchant_ids_for(request.user), days=days)
        return TemplateResponse(request, "admin/returns/reports.html", {
            **self.admin_site.each_context(request), "title": "Returns report", "report": report,
            "merchants": visible_merchants(request.user), "merchant": merchant, "opts": ReturnRequest._meta,
        })


class QueueAdmin(ReturnRequestAdmin):
    queue: str = ""
    list_filter = ["resolution", "method", "reason_code", "merchant", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(QUEUES[self.queue][1]).order_by("created_at")

    def get_urls(self):
        return super(ReturnRequestAdmin, self).get_urls()

    # A queue is a view of returns: the same permissions as returns themselves.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("returns.view_returnrequest")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("returns.change_returnrequest")


@admin.register(NeedsReview)
class NeedsReviewAdmin(QueueAdmin):
    queue = "review"


@admin.register(AwaitingParcel)
class AwaitingParcelAdmin(QueueAdmin):
    queue = "parcel"


@admin.register(ToInspect)
class ToInspectAdmin(QueueAdmin):
    queue = "inspect"


@admin.register(ToRefund)
class ToRefundAdmin(QueueAdmin):
    queue = "refund"


# Registered after ReturnRequestAdmin, which it extends.
from returns.claims import admin as _claims_admin  # noqa: E402, F401

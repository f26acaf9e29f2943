"""Admin for delivery-date estimates: shipping settings, learned lanes with a live accuracy report,
stored backtests, and delay cases. Imported from tracking/admin.py."""
from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from tracking import models as m
from tracking.edd.accuracy import summarize, summarize_by
from tracking.edd.report import goals, render
from tracking.edd.selectors import delivered_outcomes
from tracking.staff.mixins import InstallWideAdminMixin, ReadOnlyAdmin, ScopedAdmin, ScopedReadOnlyAdmin
from tracking.staff.selectors import merchant_from_query, merchant_ids_for, visible_merchants



@admin.register(m.MerchantShippingSettings)
class MerchantShippingSettingsAdmin(ScopedAdmin):
    list_display = ["merchant", "cutoff_hour", "handling_days", "default_carrier", "default_service_level",
                    "origin_postal_code", "updated_at"]
    list_select_related = ["merchant"]
    search_fields = ["merchant__name", "merchant__slug"]
    autocomplete_fields = ["merchant"]


@admin.register(m.LaneTransitStats)
class LaneTransitStatsAdmin(InstallWideAdminMixin, ReadOnlyAdmin):
    """Pooled over every merchant's parcels (see the model), so its counts are install-wide: superusers
    only. The accuracy report below is per merchant and open to staff who may view shipments."""
    list_display = ["carrier", "service_level", "level", "origin_zone", "destination_zone", "p10", "p50", "p90",
                    "sample_size", "computed_at"]
    list_filter = ["level", "carrier", "service_level"]
    search_fields = ["carrier", "origin_zone", "destination_zone"]

    def get_urls(self):
        extra = [path("accuracy/", self.admin_site.admin_view(self.accuracy_view), name="tracking_edd_accuracy")]
        return extra + super().get_urls()

    def accuracy_view(self, request):
        if not request.user.has_perm("tracking.view_shipment"):
            raise PermissionDenied
        try:
            days = min(max(int(request.GET.get("days", 90)), 1), 365)
        except ValueError:
            days = 90
        merchant = merchant_from_query(request)  # another merchant's id: 404
        merchant_id = merchant.pk if merchant else None
        since = timezone.now() - timedelta(days=days)
        if merchant is not None:
            outcomes = delivered_outcomes(since=since, merchant_id=merchant.pk)
        else:  # all the merchants this user may see
            outcomes = delivered_outcomes(since=since, merchant_ids=merchant_ids_for(request.user))
        tables = [
            ("Overall", [("All carriers", summarize(outcomes))] if outcomes else []),
            ("Carrier", list(summarize_by(outcomes, lambda o: o.carrier).items())),
            ("Lane", list(summarize_by(outcomes, lambda o: f"{o.carrier} {o.lane}").items())),
        ]
        context = {**self.admin_site.each_context(request), "title": "EDD accuracy", "days": days,
                   "merchant_id": merchant_id, "merchants": visible_merchants(request.user).only("pk", "name"),
                   "tables": tables, "opts": self.model._meta}
        return TemplateResponse(request, "admin/tracking/edd_accuracy.html", context)


@admin.register(m.EddBacktestRun)
class EddBacktestRunAdmin(InstallWideAdminMixin, ReadOnlyAdmin):
    list_display = ["created_at", "source", "seed", "shipments", "model_inside", "model_width", "mae_ratio",
                    "baseline_inside"]
    list_filter = ["source"]
    fields = ["created_at", "source", "seed", "shipments", "params", "report_text"]
    readonly_fields = fields

    @admin.display(description="model inside")
    def model_inside(self, obj):
        return f"{obj.report['overall']['model']['inside']:.1%}"

    @admin.display(description="model median width")
    def model_width(self, obj):
        return obj.report["overall"]["model"]["median_width"]

    @admin.display(description="MAE vs baseline")
    def mae_ratio(self, obj):
        return f"{goals(obj.report)['ratio']:.2f}×"

    @admin.display(description="baseline inside")
    def baseline_inside(self, obj):
        return f"{obj.report['overall']['baseline']['inside']:.1%}"

    @admin.display(description="report (per carrier and lane)")
    def report_text(self, obj):
        return format_html('<pre style="white-space: pre; overflow-x: auto">{}</pre>', render(obj.report, per_lane=True))


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(m.DelayCase)
class DelayCaseAdmin(ScopedReadOnlyAdmin):
    list_display = ["shipment", "order_number", "merchant", "carrier", "kind", "reason", "promised_date",
                    "predicted_date", "began_at", "opened_at", "notified", "silent_reason", "follow_up_due",
                    "resolved_at", "resolution"]
    list_filter = [OpenFilter, "merchant", "carrier", "reason", "kind", "notified", "silent_reason",
                   ("opened_at", admin.DateFieldListFilter)]
    list_select_related = ["shipment__order", "merchant"]
    search_fields = ["shipment__tracking_number", "shipment__order__number", "shipment__order__customer__email"]
    date_hierarchy = "opened_at"

    @admin.display(description="order", ordering="shipment__order__number")
    def order_number(self, obj):
        return obj.shipment.order.number

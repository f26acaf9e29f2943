"""Admin: offers (editable), the trained table, impressions and clicks (read-only logs), settings, and a
small metrics view (Admin › Recommendation clicks › Metrics)."""
from datetime import datetime, time, timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date

from tracking.recommendations.models import (OfferImpression, PostPurchaseOffer, ProductRecommendation, RecommendationClick,
                     RecommendationImpression, RecommendationSettings)
from tracking.recommendations.selectors import recommendation_metrics
from tracking.staff.mixins import ScopedAdmin, ScopedReadOnlyAdmin
from tracking.staff.selectors import merchant_from_query, visible_merchants



@admin.register(PostPurchaseOffer)
class PostPurchaseOfferAdmin(ScopedAdmin):
    list_display = ["headline", "code", "merchant", "active", "valid_days", "show_when_order_troubled", "created_at"]
    list_filter = ["merchant", "active", "show_when_order_troubled"]
    list_select_related = ["merchant"]
    search_fields = ["headline", "headline_ko", "code"]
    autocomplete_fields = ["merchant"]
    fieldsets = [
        (None, {"fields": ["merchant", "active", "code", "valid_days", "show_when_order_troubled"]}),
        ("English", {"fields": ["headline", "discount_text"]}),
        ("Korean", {"fields": ["headline_ko", "discount_text_ko"]}),
    ]


@admin.register(RecommendationSettings)
class RecommendationSettingsAdmin(ScopedAdmin):
    list_display = ["merchant", "widget_enabled", "attribution_window_days"]
    list_select_related = ["merchant"]
    autocomplete_fields = ["merchant"]


@admin.register(ProductRecommendation)
class ProductRecommendationAdmin(ScopedReadOnlyAdmin):
    list_display = ["merchant", "kind", "product", "category", "rank", "recommended_product", "score",
                    "model_version", "trained_at"]
    list_filter = ["merchant", "kind", "model_version"]
    list_select_related = ["merchant", "product", "recommended_product"]
    search_fields = ["product__title", "recommended_product__title", "category"]
    show_full_result_count = False


@admin.register(OfferImpression)
class OfferImpressionAdmin(ScopedReadOnlyAdmin):
    list_display = ["shown_at", "offer", "order", "merchant"]
    list_filter = ["merchant"]
    list_select_related = ["offer", "order", "merchant"]
    search_fields = ["order__number", "offer__code"]
    date_hierarchy = "shown_at"


@admin.register(RecommendationImpression)
class RecommendationImpressionAdmin(ScopedReadOnlyAdmin):
    list_display = ["shown_at", "merchant", "placement", "order", "customer"]
    list_filter = ["merchant", "placement"]
    list_select_related = ["merchant", "order", "customer"]
    search_fields = ["order__number", "customer__email"]
    date_hierarchy = "shown_at"
    show_full_result_count = False


@admin.register(RecommendationClick)
class RecommendationClickAdmin(ScopedReadOnlyAdmin):
    list_display = ["clicked_at", "merchant", "placement", "product", "customer"]
    list_filter = ["merchant", "placement"]
    list_select_related = ["merchant", "product", "customer"]
    search_fields = ["product__title", "customer__email"]
    date_hierarchy = "clicked_at"
    change_list_template = "admin/tracking/recommendationclick/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.metrics_view)
        return [path("metrics/", view, name="tracking_recommendation_metrics")] + super().get_urls()

    def metrics_view(self, request):
        """Per-merchant widget figures for a date range (default: the last 30 days), for the merchants
        the user is a member of; another merchant's id in ``?merchant=`` is a 404."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        end_day = parse_date(request.GET.get("end", "")) or timezone.localdate()
        start_day = parse_date(request.GET.get("start", "")) or end_day - timedelta(days=29)
        start = timezone.make_aware(datetime.combine(start_day, time.min))
        end = timezone.make_aware(datetime.combine(end_day + timedelta(days=1), time.min))
        chosen = merchant_from_query(request)
        merchants = [chosen] if chosen is not None else visible_merchants(request.user)
        rows = [(merchant, recommendation_metrics(merchant=merchant, start=start, end=end)) for merchant in merchants]
        context = {**self.admin_site.each_context(request), "title": "Recommendation metrics", "rows": rows,
                   "start": start_day, "end": end_day, "opts": self.model._meta,
                   "changelist_url": reverse("admin:tracking_recommendationclick_changelist")}
        return TemplateResponse(request, "admin/tracking/recommendation_metrics.html", context)

from django.contrib import admin
from django.urls import include, path

from tracking.edd.api import EddApi
from tracking.health.views import healthz
from tracking.page.views import language_switch

admin.site.site_header = "Doorstep support"
admin.site.site_title = "Doorstep"
admin.site.index_title = "Orders, shipments, returns and feedback"

urlpatterns = [
    # First: carrier webhooks and shopper pages are most of the traffic, and Django tries patterns in order.
    path("webhooks/stores/", include("tracking.stores.webhook_urls")),
    path("webhooks/", include("tracking.ingest.urls")),
    path("stores/", include("tracking.stores.urls")),
    path("", include("tracking.urls")),
    path("admin/", admin.site.urls),
    # Before Django's own i18n URLs: the same name and path, without the per-visitor CSRF token.
    path("i18n/setlang/", language_switch, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("n/", include("tracking.notifications.urls")),
    path("f/", include("feedback.urls")),
    path("healthz", healthz, name="healthz"),
    path("returns/", include("returns.portal.urls")),
    path("api/v1/edd/", EddApi.as_view(), name="edd-api"),
    path("api/", include("config.api_urls")),
    path("", include("tracking.recommendations.urls")),
]

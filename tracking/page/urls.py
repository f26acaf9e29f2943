from django.urls import path

from tracking import urlconverters  # noqa: F401 — registers <ident:…> and <token:…>
from tracking.page import views

# Included by tracking/urls.py under the "tracking" namespace.
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("track/", views.lookup, name="lookup"),
    path("track/<slug:slug>/", views.lookup, name="merchant_lookup"),
    path("t/<token:token>/", views.order_page, name="order_link"),
    path("t/<token:token>/delivery/<ident:tracking_number>/", views.delivery_change, name="delivery_change"),
    path("t/<token:token>/emails/", views.email_preferences, name="email_preferences"),
    path("brand/<slug:slug>.css", views.brand_css, name="brand_css"),
]

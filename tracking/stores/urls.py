"""The OAuth install flow, under /stores/ (the webhook endpoint: tracking/stores/webhook_urls.py)."""
from django.urls import path

from tracking.stores import views

urlpatterns = [
    path("shopify/install", views.shopify_install, name="store-shopify-install"),
    path("shopify/callback", views.shopify_callback, name="store-shopify-callback"),
    path("cafe24/install", views.cafe24_install, name="store-cafe24-install"),
    path("cafe24/callback", views.cafe24_callback, name="store-cafe24-callback"),
]

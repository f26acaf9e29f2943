"""Tracking's public URLs, namespace "tracking" (e.g. tracking:order_link for /t/<token>/)."""
from tracking.page.urls import urlpatterns as page_urlpatterns

app_name = "tracking"
urlpatterns = [*page_urlpatterns]

"""feedback's routes under /api/v1/ (mounted by config/api_urls.py)."""
from django.urls import path

from feedback import api

urlpatterns = [
    path("nps/responses/", api.NpsResponseListApi.as_view(), name="api-nps-responses"),
    path("nps/metrics/", api.NpsMetricsApi.as_view(), name="api-nps-metrics"),
]

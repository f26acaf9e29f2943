from django.urls import path

from tracking import urlconverters  # noqa: F401 — registers <ident:…> and <token:…>
from tracking.recommendations.views import click_redirect

urlpatterns = [
    path("r/<token:token>/", click_redirect, name="recommendation-click"),
]

from django.urls import path

from tracking import urlconverters  # noqa: F401 — registers <ident:…> and <token:…>
from tracking.ingest.views import carrier_webhook

urlpatterns = [
    path("carriers/<ident:public_id>/", carrier_webhook, name="carrier-webhook"),
]

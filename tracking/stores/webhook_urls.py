"""POST /webhooks/stores/<public_id>/ — connected stores push order, product and privacy events here."""
from django.urls import path

from tracking import urlconverters  # noqa: F401 — registers <ident:…>
from tracking.stores.views import store_webhook

urlpatterns = [
    path("<ident:public_id>/", store_webhook, name="store-webhook"),
]

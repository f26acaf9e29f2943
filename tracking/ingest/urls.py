from django.urls import path

from tracking.ingest.views import carrier_webhook

urlpatterns = [
    path("carriers/<str:public_id>/", carrier_webhook, name="carrier-webhook"),
]

from django.urls import path

from tracking import urlconverters  # noqa: F401 — registers <ident:…> and <token:…>
from tracking.notifications import views

app_name = "notifications"
urlpatterns = [path("unsubscribe/<token:token>/", views.unsubscribe, name="unsubscribe")]

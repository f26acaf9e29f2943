from django.urls import path

from returns.claims import views as views_claims
from returns.files import views as views_files
from returns.portal import views
from tracking import urlconverters  # noqa: F401 — registers <ident:…> and <token:…>

app_name = "returns"

urlpatterns = [
    path("", views.start, name="start"),
    path("o/<token:token>/", views.order_link, name="order"),
    path("d/<ident:key>/items/", views.items, name="items"),
    path("d/<ident:key>/details/", views.details, name="details"),
    path("d/<ident:key>/method/", views.method, name="method"),
    path("d/<ident:key>/summary/", views.summary, name="summary"),
    path("claim/<token:token>/<ident:tracking_number>/", views_claims.claim, name="claim"),
    path("r/<token:token>/", views.detail, name="detail"),
    path("r/<token:token>/label/", views_files.label, name="label"),
    path("r/<token:token>/photos/<ident:key>/", views_files.shopper_photo, name="photo"),
    path("staff/photos/<ident:key>/", views_files.staff_photo, name="staff_photo"),
    path("staff/labels/<ident:rma>/", views_files.staff_label, name="staff_label"),
]

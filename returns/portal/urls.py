from django.urls import path

from returns.portal import views
from returns.claims import views as views_claims
from returns.files import views as views_files

app_name = "returns"

urlpatterns = [
    path("", views.start, name="start"),
    path("o/<str:token>/", views.order_link, name="order"),
    path("d/<str:key>/items/", views.items, name="items"),
    path("d/<str:key>/details/", views.details, name="details"),
    path("d/<str:key>/method/", views.method, name="method"),
    path("d/<str:key>/summary/", views.summary, name="summary"),
    path("claim/<str:token>/<str:tracking_number>/", views_claims.claim, name="claim"),
    path("r/<str:token>/", views.detail, name="detail"),
    path("r/<str:token>/label/", views_files.label, name="label"),
    path("r/<str:token>/photos/<str:key>/", views_files.shopper_photo, name="photo"),
    path("staff/photos/<str:key>/", views_files.staff_photo, name="staff_photo"),
    path("staff/labels/<str:rma>/", views_files.staff_label, name="staff_label"),
]

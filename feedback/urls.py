from django.urls import path

from feedback import views
from tracking import urlconverters  # noqa: F401 — registers <ident:…> and <token:…>

app_name = "feedback"
urlpatterns = [
    path("s/<token:token>/", views.score_click, name="score"),
    path("survey/<token:token>/", views.survey_page, name="survey"),
]

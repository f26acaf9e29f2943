from django.urls import path

from feedback import views

app_name = "feedback"
urlpatterns = [
    path("s/<str:token>/", views.score_click, name="score"),
    path("survey/<str:token>/", views.survey_page, name="survey"),
]

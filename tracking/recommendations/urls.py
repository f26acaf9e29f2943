from django.urls import path

from tracking.recommendations.views import click_redirect

urlpatterns = [
    path("r/<str:token>/", click_redirect, name="recommendation-click"),
]

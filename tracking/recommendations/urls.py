from django.urls import path

from .views import click_redirect

urlpatterns = [
    path("r/<str:token>/", click_redirect, name="recommendation-click"),
]

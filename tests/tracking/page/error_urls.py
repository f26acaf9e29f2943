"""The app's URLs plus one view that fails, for the 500 page test."""
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom), *app_urlpatterns]

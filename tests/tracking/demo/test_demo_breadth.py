"""The demo shows every screen with data, and everything it shows loads from the app itself."""
import pytest
from django.contrib.staticfiles import finders

from tracking.demo.seed import seed
from tracking.models import Product

pytestmark = pytest.mark.django_db


def test_demo_pictures_are_served_by_the_app():
    seed(scale=0.01)
    urls = set(Product.objects.values_list("image_url", flat=True))
    assert urls and all(url.startswith("/static/doorstep/demo/") for url in urls)
    for url in urls | {"/static/doorstep/demo/proof-of-delivery.jpg"}:
        assert finders.find(url.removeprefix("/static/")), url

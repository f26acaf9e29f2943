import pytest
from django.urls import reverse

from tracking.models import PostPurchaseOffer

pytestmark = pytest.mark.django_db


def test_admin_pages_and_metrics_view_render(admin_client, shop):
    shop.product("Tent")
    shop.buy(shop.customer(), "Tent")
    PostPurchaseOffer.objects.create(merchant=shop.merchant, headline="Thanks", code="T10")
    for name in ["postpurchaseoffer", "productrecommendation", "recommendationclick", "recommendationimpression",
                 "offerimpression", "recommendationsettings"]:
        assert admin_client.get(reverse(f"admin:tracking_{name}_changelist")).status_code == 200, name
    response = admin_client.get(reverse("admin:tracking_recommendation_metrics"), {"merchant": shop.merchant.pk})
    assert response.status_code == 200
    assert shop.merchant.name.encode() in response.content and b"Attributed" in response.content


def test_trained_rows_are_read_only(admin_client):
    assert admin_client.get(reverse("admin:tracking_productrecommendation_add")).status_code == 403

"""The demo shop comes with a trained model and an offer, so its tracking pages show both at once."""
from io import StringIO

import pytest
from django.core.management import call_command

from tracking.models import Order, PostPurchaseOffer, ProductRecommendation
from tracking.recommendations.selectors import recommendations_for_order


@pytest.mark.django_db
def test_seeded_demo_merchants_have_recommendations_and_an_offer():
    call_command("seed_demo", "--scale", "0.03", stdout=StringIO())
    order = Order.objects.filter(lines__isnull=False).select_related("merchant").first()
    assert ProductRecommendation.objects.filter(merchant=order.merchant, kind="item").exists()
    assert PostPurchaseOffer.objects.filter(merchant=order.merchant, active=True).count() == 1
    recs = recommendations_for_order(order=order, limit=4, log_impression=False)
    assert len(recs) == 4
    bought = set(order.customer.orders.values_list("lines__variant__product_id", flat=True))
    assert not bought & {item.product_id for item in recs}

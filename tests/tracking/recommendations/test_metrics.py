"""Attribution and the metrics the NPS dashboard reads: database aggregates, merchant window."""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import OrderFactory, OrderLineFactory
from tests.support.shops import Shop
from tracking.models import RecommendationClick, RecommendationSettings
from tracking.recommendations.selectors import recommendation_metrics
from tracking.recommendations.services import recommendation_impression_record

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _order(shop, customer, product, *, days_after_click, total, click_at, source="api", currency=None):
    order = OrderFactory(merchant=shop.merchant, customer=customer, placed_at=click_at + timedelta(days=days_after_click),
                         total=Decimal(total), source=source, currency=currency or shop.merchant.currency)
    OrderLineFactory(order=order, variant=product.variants.first())
    return order


@pytest.fixture
def scene(shop):
    tent, stakes, lamp = shop.product("Tent"), shop.product("Stakes"), shop.product("Lamp")
    kim, lee = shop.customer(), shop.customer()
    first = shop.buy(kim, "Tent", days_ago=20)
    impressions = [recommendation_impression_record(
        impression_id=uuid.uuid4(), merchant_id=shop.merchant.pk, order_id=first.pk, customer_id=kim.pk,
        placement="tracking", product_ids=[stakes.pk, lamp.pk], shown_at=NOW - timedelta(days=15)) for _ in range(4)]
    click_at = NOW - timedelta(days=15)
    for impression in impressions[:2]:  # two renders clicked, one of them twice
        RecommendationClick.objects.create(merchant=shop.merchant, impression_id=impression.id, product=stakes,
                                           customer=kim, placement="tracking", clicked_at=click_at)
    RecommendationClick.objects.create(merchant=shop.merchant, impression_id=impressions[0].id, product=stakes,
                                       customer=kim, placement="tracking", clicked_at=click_at)
    return shop, kim, lee, tent, stakes, lamp, click_at


def _metrics(shop):
    return recommendation_metrics(merchant=shop.merchant, start=NOW - timedelta(days=30), end=NOW + timedelta(days=1))


def test_counts_ctr_and_attributed_revenue(scene, django_assert_max_num_queries):
    shop, kim, lee, tent, stakes, lamp, click_at = scene
    _order(shop, kim, stakes, days_after_click=3, total="30000", click_at=click_at, source="import")  # counts
    _order(shop, kim, stakes, days_after_click=8, total="70000", click_at=click_at)  # outside 7 days
    _order(shop, kim, lamp, days_after_click=1, total="11000", click_at=click_at)  # lamp not clicked
    _order(shop, lee, stakes, days_after_click=1, total="13000", click_at=click_at)  # another customer
    _order(shop, kim, stakes, days_after_click=-1, total="17000", click_at=click_at)  # before the click
    with django_assert_max_num_queries(4):
        metrics = _metrics(shop)
    assert metrics == {
        "impressions": 4, "clicks": 3, "clicked_impressions": 2, "ctr": Decimal("0.5000"),
        "attributed_orders": 1, "attributed_revenue": Decimal("30000"), "currency": "KRW",
        "attributed_revenue_by_currency": {"KRW": Decimal("30000")},
    }


def test_merchant_window_setting(scene):
    shop, kim, lee, tent, stakes, lamp, click_at = scene
    _order(shop, kim, stakes, days_after_click=8, total="70000", click_at=click_at)
    assert _metrics(shop)["attributed_orders"] == 0
    RecommendationSettings.objects.create(merchant=shop.merchant, attribution_window_days=10)
    assert _metrics(shop)["attributed_revenue"] == Decimal("70000")


def test_order_with_two_clicked_products_counts_once(scene):
    shop, kim, lee, tent, stakes, lamp, click_at = scene
    RecommendationClick.objects.create(merchant=shop.merchant, impression_id=uuid.uuid4(), product=lamp,
                                       customer=kim, placement="tracking", clicked_at=click_at)
    order = _order(shop, kim, stakes, days_after_click=2, total="40000", click_at=click_at)
    OrderLineFactory(order=order, variant=lamp.variants.first())
    metrics = _metrics(shop)
    assert (metrics["attributed_orders"], metrics["attributed_revenue"]) == (1, Decimal("40000"))


def test_other_currencies_are_reported_apart(scene):
    shop, kim, lee, tent, stakes, lamp, click_at = scene
    _order(shop, kim, stakes, days_after_click=2, total="25.50", click_at=click_at, currency="USD")
    metrics = _metrics(shop)
    assert metrics["attributed_revenue"] == Decimal("0")
    assert metrics["attributed_revenue_by_currency"] == {"USD": Decimal("25.50")}
    assert metrics["attributed_orders"] == 1


def test_merchants_are_isolated(scene):
    shop, kim, lee, tent, stakes, lamp, click_at = scene
    _order(shop, kim, stakes, days_after_click=2, total="40000", click_at=click_at)
    other = Shop()
    empty = recommendation_metrics(merchant=other.merchant, start=NOW - timedelta(days=30), end=NOW)
    assert (empty["impressions"], empty["clicks"], empty["attributed_orders"], empty["ctr"]) == (0, 0, 0, Decimal("0"))
    assert empty["attributed_revenue"] == Decimal("0") and empty["currency"] == other.merchant.currency


def test_range_filters_impressions_clicks_and_orders(scene):
    shop, kim, lee, tent, stakes, lamp, click_at = scene
    _order(shop, kim, stakes, days_after_click=2, total="40000", click_at=click_at)
    later = recommendation_metrics(merchant=shop.merchant, start=NOW - timedelta(days=5), end=NOW)
    assert (later["impressions"], later["clicks"], later["attributed_orders"]) == (0, 0, 0)

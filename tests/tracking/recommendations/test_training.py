"""The beat task and the per-merchant table replacement."""
import pytest
from django.core.cache import cache

from tests.support.shops import Shop
from tracking.models import ProductRecommendation
from tracking.recommendations import algorithm
from tracking.recommendations.tasks import train_all_recommendations, train_merchant_recommendations
from tracking.recommendations.training import recommendations_train

pytestmark = pytest.mark.django_db
Kind = ProductRecommendation.Kind


def _shop():
    shop = Shop()
    for name in ["Tent", "Stakes", "Socks"]:
        shop.product(name, category="camping" if name != "Socks" else "apparel")
    shop.buy(shop.customer(), "Tent", "Stakes")
    shop.buy(shop.customer(), "Tent", "Stakes")
    shop.buy(shop.customer(), "Socks")
    return shop


def test_training_writes_item_category_and_best_seller_rows():
    shop = _shop()
    summary = recommendations_train(merchant_id=shop.merchant.pk)
    p = shop.products
    assert (summary.orders, summary.lines) == (3, 5)
    tent_rows = list(ProductRecommendation.objects.filter(kind=Kind.ITEM, product=p["Tent"]).order_by("rank"))
    assert [r.recommended_product_id for r in tent_rows] == [p["Stakes"].pk, p["Socks"].pk]
    beta, pop = algorithm.Params().shrinkage, 2 / 3
    assert tent_rows[0].score == pytest.approx((2 + beta * pop) / (2 + beta))
    assert tent_rows[0].model_version == algorithm.MODEL_VERSION
    assert set(ProductRecommendation.objects.filter(kind=Kind.CATEGORY).values_list("category", flat=True)) == {
        "camping", "apparel"}
    assert list(ProductRecommendation.objects.filter(kind=Kind.POPULAR).order_by("rank")
                .values_list("recommended_product_id", flat=True)) == [p["Tent"].pk, p["Stakes"].pk, p["Socks"].pk]  # tie: lower id
    assert summary.rows == ProductRecommendation.objects.count()


def test_retraining_replaces_the_merchants_rows_only():
    shop, other = _shop(), _shop()
    recommendations_train(merchant_id=shop.merchant.pk)
    recommendations_train(merchant_id=other.merchant.pk)
    before_other = set(ProductRecommendation.objects.filter(merchant=other.merchant).values_list("pk", flat=True))
    shop.merchant.orders.all().delete()
    recommendations_train(merchant_id=shop.merchant.pk)  # no orders left: an empty table, no crash
    assert not ProductRecommendation.objects.filter(merchant=shop.merchant).exists()
    assert set(ProductRecommendation.objects.filter(merchant=other.merchant).values_list("pk", flat=True)) == before_other


def test_rows_only_reference_the_merchants_own_products():
    shop, other = _shop(), _shop()
    recommendations_train(merchant_id=shop.merchant.pk)
    assert not ProductRecommendation.objects.exclude(recommended_product__merchant=shop.merchant).exists()
    assert not ProductRecommendation.objects.exclude(product__isnull=True).exclude(product__merchant=shop.merchant).exists()


def test_beat_task_trains_every_merchant_with_orders_and_respects_the_lock():
    shop, other, idle = _shop(), _shop(), Shop()
    assert train_all_recommendations.delay().get() == 2
    assert ProductRecommendation.objects.filter(merchant=other.merchant).exists()
    assert not ProductRecommendation.objects.filter(merchant=idle.merchant).exists()
    cache.add("lock:recommendations:train", "someone-else", 60)
    assert train_all_recommendations.delay().get() == 0


def test_merchant_task_skips_while_that_merchant_is_being_trained():
    shop = _shop()
    cache.add(f"lock:recommendations:train:{shop.merchant.pk}", "someone-else", 60)
    assert train_merchant_recommendations.delay(shop.merchant.pk).get() is None
    cache.delete(f"lock:recommendations:train:{shop.merchant.pk}")
    assert train_merchant_recommendations.delay(shop.merchant.pk).get() > 0


def test_beat_schedule_lists_the_training_job(settings):
    assert settings.CELERY_BEAT_SCHEDULE["recommendations-train"]["task"] == (
        "tracking.recommendations.tasks.train_all_recommendations")

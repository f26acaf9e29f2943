"""The widget's selector: one query, never something already bought, in stock first, the shopper's
language, fallbacks, bad input."""
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from tests.support.shops import Shop
from tracking.models import Order, ProductRecommendation, RecommendationImpression, RecommendationSettings
from tracking.recommendations.selectors import recommendations_for_order
from tracking.recommendations.training import recommendations_train

pytestmark = pytest.mark.django_db


def _bundle_shop(shop: Shop):
    """Tent goes with Stakes and Lamp; Socks is the best-seller with nothing in particular."""
    for name in ["Tent", "Stakes", "Lamp", "Socks", "Mug"]:
        shop.product(name, category="camping" if name != "Socks" else "apparel")
    for _ in range(6):
        shop.buy(shop.customer(), "Tent", "Stakes", "Lamp")
    for _ in range(8):
        shop.buy(shop.customer(), "Socks")
    shop.buy(shop.customer(), "Mug", "Socks")
    recommendations_train(merchant_id=shop.merchant.pk)


def _ids(recs):
    return [item.product_id for item in recs]


def test_recommends_complements_and_never_what_the_shopper_bought(shop):
    _bundle_shop(shop)
    customer = shop.customer()
    shop.buy(customer, "Lamp", days_ago=40)  # bought before: never recommended again
    order = shop.buy(customer, "Tent", days_ago=1)

    recs = recommendations_for_order(order=order, limit=4, log_impression=False)

    p = shop.products
    assert _ids(recs)[0] == p["Stakes"].pk
    assert p["Tent"].pk not in _ids(recs) and p["Lamp"].pk not in _ids(recs)
    assert set(_ids(recs)) == {p["Stakes"].pk, p["Socks"].pk, p["Mug"].pk}


def test_widget_costs_one_query_and_rendering_none(shop, django_assert_max_num_queries):
    _bundle_shop(shop)
    order = shop.buy(shop.customer(), "Tent")
    order = Order.objects.get(pk=order.pk)  # a page has its order loaded already
    with django_assert_max_num_queries(1):
        recs = recommendations_for_order(order=order, limit=4)
    with CaptureQueriesContext(connection) as ctx:
        html = render_to_string("tracking/partials/recommendations.html", {"recs": recs})
    assert len(ctx.captured_queries) == 0
    assert "Stakes" in html and "/r/" in html and "utm_" not in html  # UTM tags are added by the redirect


def test_impression_written_after_commit_with_order_and_customer(shop, django_capture_on_commit_callbacks):
    _bundle_shop(shop)
    order = shop.buy(shop.customer(), "Tent")
    with django_capture_on_commit_callbacks(execute=True):
        recs = recommendations_for_order(order=order, placement="exchange")
    impression = RecommendationImpression.objects.get()
    assert impression.id == recs.impression_id
    assert (impression.order_id, impression.customer_id, impression.placement) == (order.pk, order.customer_id, "exchange")
    assert impression.product_ids == _ids(recs)


def test_in_stock_products_come_before_out_of_stock_ones(shop):
    _bundle_shop(shop)
    stakes = shop.products["Stakes"]
    stakes.variants.update(stock=0)
    order = shop.buy(shop.customer(), "Tent")
    recs = recommendations_for_order(order=order, limit=4, log_impression=False)
    assert _ids(recs)[-1] == stakes.pk  # highest score, but sold out: shown last
    assert recs.items[-1].in_stock is False
    assert all(item.in_stock for item in recs.items[:-1])


def test_inactive_products_are_not_shown(shop):
    _bundle_shop(shop)
    shop.products["Stakes"].__class__.objects.filter(pk=shop.products["Stakes"].pk).update(is_active=False)
    order = shop.buy(shop.customer(), "Tent")
    assert shop.products["Stakes"].pk not in _ids(recommendations_for_order(order=order, log_impression=False))


def test_korean_title_and_won_price(shop):
    _bundle_shop(shop)
    stakes = shop.products["Stakes"]
    stakes.title_ko = "텐트 팩"
    stakes.save()
    stakes.variants.update(price="12900")
    order = shop.buy(shop.customer(), "Tent")
    ko = recommendations_for_order(order=order, limit=1, language="ko", log_impression=False).items[0]
    en = recommendations_for_order(order=order, limit=1, language="en", log_impression=False).items[0]
    assert (ko.title, ko.price_display) == ("텐트 팩", "12,900원")
    assert (en.title, en.price_display) == ("Stakes", "₩12,900")


def test_usd_price_uses_cents():
    shop = Shop(currency="USD")
    shop.product("Tent", price="10")
    shop.product("Stakes", price="4.5")
    shop.buy(shop.customer(), "Tent", "Stakes")
    recommendations_train(merchant_id=shop.merchant.pk)
    order = shop.buy(shop.customer(), "Tent")
    assert recommendations_for_order(order=order, log_impression=False).items[0].price_display == "$4.50"


def test_merchant_without_orders_renders_nothing(shop):
    shop.product("Tent")
    customer = shop.customer()
    order = shop.buy(customer, "Tent")
    Order.objects.exclude(pk=order.pk).delete()
    recommendations_train(merchant_id=shop.merchant.pk)  # only this order: nothing else to suggest
    recs = recommendations_for_order(order=order, log_impression=False)
    assert not recs
    assert render_to_string("tracking/partials/recommendations.html", {"recs": recs}).strip() == ""


def test_never_trained_merchant_renders_nothing(shop):
    shop.product("Tent")
    order = shop.buy(shop.customer(), "Tent")
    assert list(recommendations_for_order(order=order)) == []


def test_new_product_falls_back_to_its_category_best_sellers_then_merchant_best_sellers(shop):
    _bundle_shop(shop)
    shop.product("Stove", category="camping")  # added after training: no rows of its own
    order = shop.buy(shop.customer(), "Stove")
    recs = _ids(recommendations_for_order(order=order, limit=5, log_impression=False))
    camping = {shop.products[n].pk for n in ["Tent", "Stakes", "Lamp", "Mug"]}
    assert set(recs[:4]) == camping  # category best-sellers first
    assert recs[4] == shop.products["Socks"].pk  # then the merchant's best-seller


def test_product_deleted_after_training_is_skipped(shop):
    _bundle_shop(shop)
    shop.product("Tarp", category="camping")
    buyer = shop.customer()
    sold = shop.buy(buyer, "Tent", "Tarp")
    recommendations_train(merchant_id=shop.merchant.pk)
    tarp = shop.products["Tarp"]
    assert ProductRecommendation.objects.filter(recommended_product=tarp).exists()
    sold.delete()  # the store cancelled the only order holding it, then removed the product
    tarp.delete()
    order = shop.buy(shop.customer(), "Tent")
    recs = recommendations_for_order(order=order, limit=10, log_impression=False)
    assert recs and tarp.pk not in _ids(recs)


def test_other_merchants_rows_never_leak(shop):
    _bundle_shop(shop)
    other = Shop()
    other.product("Kayak")
    other.buy(other.customer(), "Kayak")
    order = other.buy(other.customer(), "Kayak")
    recommendations_train(merchant_id=other.merchant.pk)
    recs = recommendations_for_order(order=order, limit=10, log_impression=False)
    assert not recs  # the other shop has no product left to suggest; the first shop's never appear


def test_merchant_can_switch_the_widget_off(shop):
    _bundle_shop(shop)
    RecommendationSettings.objects.create(merchant=shop.merchant, widget_enabled=False)
    order = shop.buy(shop.customer(), "Tent")
    assert not recommendations_for_order(order=order)


def test_unknown_placement_is_refused(shop):
    shop.product("Tent")
    order = shop.buy(shop.customer(), "Tent")
    with pytest.raises(ValueError):
        recommendations_for_order(order=order, placement="homepage")


def test_widget_heading_is_translated(shop):
    from django.utils import translation
    _bundle_shop(shop)
    order = shop.buy(shop.customer(), "Tent")
    with translation.override("ko"):
        recs = recommendations_for_order(order=order, log_impression=False)
        html = render_to_string("tracking/partials/recommendations.html", {"recs": recs})
    assert "이런 상품은 어떠세요" in html

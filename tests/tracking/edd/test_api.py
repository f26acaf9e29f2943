"""GET /api/v1/edd/: valid answers, 4xx for bad input, CORS for the store only, cache, throttle."""
from datetime import date

import pytest
from django.urls import reverse

from tests.factories import MerchantFactory, ProductVariantFactory
from tracking.models import MerchantShippingSettings

pytestmark = pytest.mark.django_db
URL = "/api/v1/edd/"


@pytest.fixture(autouse=True)
def shipping_settings(merchant):
    """Acme ships from Seoul with a 14:00 cut-off; its store lives under /shop (CORS compares origins only)
    and a second store origin, the mobile site, may call the API too."""
    merchant.store_url = "https://acme.example.com/shop"
    merchant.save(update_fields=["store_url"])
    return MerchantShippingSettings.objects.create(merchant=merchant, cutoff_hour=14, handling_days=0,
                                                   default_carrier="cj", default_service_level="standard",
                                                   extra_allowed_origins="https://m.acme.example.com\n")


def test_url_name():
    assert reverse("edd-api") == URL


def test_valid_request_returns_a_window(client, merchant):
    response = client.get(URL, {"merchant": "acme", "postal_code": "04524", "country": "kr", "lang": "en"})
    assert response.status_code == 200
    body = response.json()
    start, end = date.fromisoformat(body["window_start"]), date.fromisoformat(body["window_end"])
    assert start <= date.fromisoformat(body["most_likely"]) <= end
    assert 0 <= body["confidence"] <= 1 and body["basis"] == "promise"
    assert body["message"].startswith("Get it by ") and end.strftime("%b") in body["message"]
    assert body["country"] == "KR" and body["postal_code"] == "04524" and body["in_stock"] is None
    assert body["order_by"]


def test_korean_message(client, merchant):
    body = client.get(URL, {"merchant": "acme", "postal_code": "04524", "country": "KR", "lang": "ko"}).json()
    end = date.fromisoformat(body["window_end"])
    assert body["message"].startswith(f"{end.month}월 {end.day}일 (")
    assert body["message"].endswith("까지 도착 예정")


def test_language_from_accept_language(client, merchant):
    body = client.get(URL, {"merchant": "acme", "postal_code": "04524", "country": "KR"},
                      HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9").json()
    assert body["lang"] == "ko"


def test_unknown_merchant_is_404(client):
    response = client.get(URL, {"merchant": "nobody", "postal_code": "04524", "country": "KR"})
    assert response.status_code == 404


@pytest.mark.parametrize("params", [
    {"postal_code": "4524", "country": "KR"},
    {"postal_code": "ABCDE", "country": "US"},
    {"postal_code": "04524", "country": "ZZ"},
    {"postal_code": "04524", "country": "KOR"},
    {"postal_code": "0" * 500, "country": "KR"},
    {"postal_code": "<script>", "country": "KR"},
    {"country": "KR"},
    {"postal_code": "04524"},
])
def test_bad_postal_or_country_is_400(client, merchant, params):
    response = client.get(URL, {"merchant": "acme", **params})
    assert response.status_code == 400
    assert "<script>" not in response.content.decode()


def test_bad_merchant_slug_is_400_not_500(client):
    assert client.get(URL, {"merchant": "../../etc", "postal_code": "04524", "country": "KR"}).status_code == 400


def test_sku_known_unknown_and_out_of_stock(client, merchant):
    ProductVariantFactory(product__merchant=merchant, sku="TEA-1", stock=3)
    ProductVariantFactory(product__merchant=merchant, sku="TEA-0", stock=0)
    other = MerchantFactory(slug="other")
    ProductVariantFactory(product__merchant=other, sku="OTHER-1")
    base = {"merchant": "acme", "postal_code": "04524", "country": "KR"}
    assert client.get(URL, {**base, "sku": "TEA-1"}).json()["in_stock"] is True
    assert client.get(URL, {**base, "sku": "TEA-0"}).json()["in_stock"] is False
    assert client.get(URL, {**base, "sku": "NOPE"}).status_code == 404
    assert client.get(URL, {**base, "sku": "OTHER-1"}).status_code == 404  # another merchant's SKU


def test_cors_only_for_the_merchant_store_origins(client, merchant):
    params = {"merchant": "acme", "postal_code": "04524", "country": "KR"}
    store = client.get(URL, params, HTTP_ORIGIN="https://acme.example.com")
    assert store["Access-Control-Allow-Origin"] == "https://acme.example.com"
    extra = client.get(URL, params, HTTP_ORIGIN="https://m.acme.example.com")
    assert extra["Access-Control-Allow-Origin"] == "https://m.acme.example.com"
    evil = client.get(URL, params, HTTP_ORIGIN="https://evil.example.com")
    assert evil.status_code == 200 and "Access-Control-Allow-Origin" not in evil
    assert "Origin" in store["Vary"]


def test_answers_are_cached_per_zone(client, merchant, django_assert_max_num_queries):
    params = {"merchant": "acme", "country": "KR", "lang": "en"}
    first = client.get(URL, {**params, "postal_code": "04524"}).json()
    with django_assert_max_num_queries(1):  # merchant lookup only: same zone KR-04 is served from cache
        again = client.get(URL, {**params, "postal_code": "04599"}).json()
    assert again["window_end"] == first["window_end"] and again["postal_code"] == "04599"


def test_rate_limited(client, merchant, settings):
    settings.DOORSTEP_EDD_API_RATE = "3/min"
    params = {"merchant": "acme", "postal_code": "04524", "country": "KR"}
    codes = [client.get(URL, params).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_merchant_without_shipping_settings_still_gets_a_promise(client):
    MerchantFactory(slug="plain", country="US", timezone="America/New_York")
    response = client.get(URL, {"merchant": "plain", "postal_code": "10001", "country": "US"})
    assert response.status_code == 200


def test_widget_is_served_without_a_cdn(client):
    from django.contrib.staticfiles import finders

    path = finders.find("doorstep/edd-widget.js")
    assert path
    source = open(path, encoding="utf-8").read()
    assert "/api/v1/edd/" in source and "innerHTML" not in source and "http://" not in source.split("*/", 1)[1]

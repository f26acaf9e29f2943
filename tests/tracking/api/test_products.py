import pytest

from tests.support.api import problem_fields
from tests.factories import ProductVariantFactory
from tracking.models import Product, ProductVariant

pytestmark = pytest.mark.django_db


def product_body(**overrides):
    body = {"external_id": "tee", "title": "T-shirt", "category": "apparel",
            "variants": [{"sku": "TEE-S", "title": "S", "price": "19000", "currency": "KRW", "stock": 3},
                         {"sku": "TEE-M", "title": "M", "price": "19000", "currency": "KRW"}]}
    body.update(overrides)
    return body


def test_post_creates_then_updates(api):
    response = api.post("/api/v1/products/", product_body(), format="json")
    assert response.status_code == 201
    assert [v["sku"] for v in response.json()["variants"]] == ["TEE-M", "TEE-S"]
    response = api.post("/api/v1/products/", product_body(
        title="Tee", variants=[{"sku": "TEE-S", "title": "S", "price": "17000", "currency": "KRW"},
                               {"sku": "TEE-L", "title": "L", "price": "19000", "currency": "KRW"}]), format="json")
    assert response.status_code == 200
    assert Product.objects.get().title == "Tee"
    assert ProductVariant.objects.get(sku="TEE-S").price == 17000
    assert ProductVariant.objects.filter(product__external_id="tee").count() == 3


def test_put_upserts_by_path(api):
    body = product_body()
    del body["external_id"]
    assert api.put("/api/v1/products/tee/", body, format="json").status_code == 201
    assert api.put("/api/v1/products/tee/", body, format="json").status_code == 200
    assert api.get("/api/v1/products/tee/").json()["external_id"] == "tee"


@pytest.mark.parametrize("variant, field, status", [
    ({"sku": "X", "price": "-1", "currency": "KRW"}, "variants.0.price", 400),
    ({"sku": "X", "price": "1", "currency": "ZZZ"}, "variants.0.currency", 400),
    ({"sku": "X", "price": "abc", "currency": "KRW"}, "variants.0.price", 400),
    ({"price": "1", "currency": "KRW"}, "variants.0.sku", 400),
    ({"sku": "X", "price": "1", "currency": "KRW", "stock": -1}, "variants.0.stock", 400),
])
def test_bad_variants_name_the_field(api, variant, field, status):
    response = api.post("/api/v1/products/", product_body(variants=[variant]), format="json")
    assert response.status_code == status
    assert field in problem_fields(response)
    assert not Product.objects.exists()


def test_sku_of_another_product_is_422(api):
    ProductVariantFactory(product__merchant=api.merchant, sku="TEE-S")
    response = api.post("/api/v1/products/", product_body(), format="json")
    assert response.status_code == 422 and problem_fields(response) == {"variants.0.sku"}


def test_same_sku_at_another_merchant_is_fine(api):
    ProductVariantFactory(sku="TEE-S")
    assert api.post("/api/v1/products/", product_body(), format="json").status_code == 201


def test_list_products_bounded_queries(api, django_assert_max_num_queries):
    for i in range(12):
        ProductVariantFactory(product__merchant=api.merchant)
    with django_assert_max_num_queries(5):
        body = api.get("/api/v1/products/?limit=10").json()
    assert len(body["results"]) == 10 and body["next"]

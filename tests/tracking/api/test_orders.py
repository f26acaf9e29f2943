from decimal import Decimal

import pytest

from tests.support.api import order_body, problem_fields
from tests.factories import OrderFactory, ShipmentFactory, ShipmentLineFactory
from tracking.models import Customer, Order, OrderLine

pytestmark = pytest.mark.django_db


def test_create_order_with_inline_customer(api, variants):
    response = api.post("/api/v1/orders/", order_body(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "1001"
    assert body["customer"]["email"] == "jane@example.com"
    assert body["shipping_address"]["country"] == "KR"
    assert [(line["sku"], line["quantity"], line["unit_price"]) for line in body["lines"]] == [
        ("SKU-0", 2, "1000.00"), ("SKU-1", 2, "2000.00")]
    assert Decimal(body["subtotal"]) == Decimal("6000") == Decimal(body["total"])
    order = Order.objects.get(merchant=api.merchant, number="1001")
    assert order.source == "api" and order.customer.email == "jane@example.com"


def test_post_same_number_upserts(api, variants):
    api.post("/api/v1/orders/", order_body(), format="json")
    response = api.post("/api/v1/orders/", order_body(skus=("SKU-1", "SKU-2"), quantity=3,
                                                       payment_reference="pi_1"), format="json")
    assert response.status_code == 200
    order = Order.objects.get(number="1001")
    assert sorted(order.lines.values_list("sku", "quantity")) == [("SKU-1", 3), ("SKU-2", 3)]
    assert order.payment_reference == "pi_1"
    assert Order.objects.count() == 1 and Customer.objects.count() == 1


def test_upsert_cannot_drop_or_shrink_shipped_lines(api, variants):
    api.post("/api/v1/orders/", order_body(), format="json")
    order = Order.objects.get(number="1001")
    line = order.lines.get(sku="SKU-0")
    ShipmentLineFactory(shipment=ShipmentFactory(order=order), order_line=line, quantity=2)
    response = api.post("/api/v1/orders/", order_body(skus=("SKU-0", "SKU-1"), quantity=1), format="json")
    assert response.status_code == 422
    assert problem_fields(response) == {"lines.0.quantity"}
    response = api.post("/api/v1/orders/", order_body(skus=("SKU-1",)), format="json")
    assert response.status_code == 422 and problem_fields(response) == {"lines"}
    assert order.lines.count() == 2


def test_ten_lines_one_unknown_sku_writes_nothing(api, variants):
    skus = [f"SKU-{i}" for i in range(9)] + ["NOPE"]
    response = api.post("/api/v1/orders/", order_body(skus=skus), format="json")
    assert response.status_code == 422
    assert problem_fields(response) == {"lines.9.sku"}
    assert not Order.objects.exists() and not OrderLine.objects.exists() and not Customer.objects.exists()


def test_ten_lines_all_good(api, variants):
    response = api.post("/api/v1/orders/", order_body(skus=[f"SKU-{i}" for i in range(10)]), format="json")
    assert response.status_code == 201
    assert OrderLine.objects.count() == 10


@pytest.mark.parametrize("mutate, field, status", [
    (lambda b: b.update(currency="ABC"), "currency", 400),
    (lambda b: b.update(placed_at="yesterday"), "placed_at", 400),
    (lambda b: b["customer"].update(email="not-an-email"), "customer.email", 400),
    (lambda b: b.pop("customer"), "customer", 400),
    (lambda b: b["shipping_address"].pop("postal_code"), "shipping_address.postal_code", 400),
    (lambda b: b["lines"][0].update(quantity="two"), "lines.0.quantity", 400),
    (lambda b: b["lines"][0].update(quantity=0), "lines.0.quantity", 400),
    (lambda b: b["lines"][1].update(unit_price="-1"), "lines.1.unit_price", 400),
    (lambda b: b.update(lines=[]), "lines", 400),
    (lambda b: b.update(lines="SKU-0"), "lines", 400),
    (lambda b: b["lines"][1].update(sku="SKU-0"), "lines.1.sku", 422),
    (lambda b: b.update(currency="USD"), "lines.0.unit_price", 422),
    (lambda b: b.update(discount_total="999999"), "total", 422),
])
def test_bad_input_names_the_field(api, variants, mutate, field, status):
    body = order_body()
    mutate(body)
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == status, response.json()
    assert field in problem_fields(response)
    assert not Order.objects.exists()


def test_get_order_by_number_url_encoded(api, variants):
    api.post("/api/v1/orders/", order_body(number="#A-1"), format="json")
    response = api.get("/api/v1/orders/%23A-1/")
    assert response.status_code == 200 and response.json()["number"] == "#A-1"
    assert api.get("/api/v1/orders/nope/").status_code == 404


def test_list_orders_pages_with_cursor_and_bounded_queries(api, django_assert_max_num_queries):
    for _ in range(7):
        ShipmentFactory(order=OrderFactory(merchant=api.merchant))
    OrderFactory()  # another merchant's
    seen = []
    url = "/api/v1/orders/?limit=3"
    while url:
        with django_assert_max_num_queries(8):
            response = api.get(url)
        assert response.status_code == 200
        seen += [o["number"] for o in response.json()["results"]]
        url = response.json()["next"]
    assert len(seen) == len(set(seen)) == 7


def test_list_orders_filters(api, variants):
    api.post("/api/v1/orders/", order_body(number="1"), format="json")
    api.post("/api/v1/orders/", order_body(number="2", customer={"email": "bob@example.com"}), format="json")
    results = api.get("/api/v1/orders/?customer_email=BOB@example.com").json()["results"]
    assert [o["number"] for o in results] == ["2"]
    assert api.get("/api/v1/orders/?updated_since=2999-01-01T00:00:00Z").json()["results"] == []
    response = api.get("/api/v1/orders/?updated_since=garbage")
    assert response.status_code == 400 and problem_fields(response) == {"updated_since"}

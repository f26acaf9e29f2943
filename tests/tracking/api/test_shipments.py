from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.support.api import order_body, problem_fields
from tests.factories import OrderFactory, ShipmentFactory, TrackingEventFactory
from tracking.carriers import status as st
from tracking.models import Order, Shipment, ShipmentLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted_order(api, variants):
    assert api.post("/api/v1/orders/", order_body(skus=("SKU-0", "SKU-1"), quantity=3), format="json").status_code == 201
    return Order.objects.get(number="1001")


def ship(api, **overrides):
    body = {"order_number": "1001", "tracking_number": "MOCK 0000000001", "carrier": "mock",
            "lines": [{"sku": "SKU-0", "quantity": 2}]}
    body.update(overrides)
    return api.post("/api/v1/shipments/", body, format="json")


def test_create_shipment_with_lines(api, posted_order):
    response = ship(api, promised_delivery_date="2026-01-09")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tracking_number"] == "MOCK0000000001"  # normalised
    assert body["carrier"] == "mock" and body["status"] == "pending" and body["order_number"] == "1001"
    assert body["lines"] == [{"sku": "SKU-0", "title": posted_order.lines.get(sku="SKU-0").title, "quantity": 2}]
    assert body["estimated_delivery"]["promised_date"] == "2026-01-09"
    assert body["events"] == []
    shipment = Shipment.objects.get()
    assert shipment.merchant == api.merchant and shipment.destination_postal_code == "04524"


def test_omitting_lines_ships_everything_left(api, posted_order):
    ship(api)
    response = ship(api, tracking_number="MOCK0000000002", lines=None)
    assert response.status_code == 201
    assert sorted((line["sku"], line["quantity"]) for line in response.json()["lines"]) == [("SKU-0", 1), ("SKU-1", 3)]
    response = ship(api, tracking_number="MOCK0000000003", lines=None)
    assert response.status_code == 422 and problem_fields(response) == {"lines"}


def test_quantities_cannot_exceed_ordered_minus_shipped(api, posted_order):
    assert ship(api).status_code == 201
    response = ship(api, tracking_number="MOCK0000000002", lines=[{"sku": "SKU-0", "quantity": 2}])
    assert response.status_code == 422
    assert problem_fields(response) == {"lines.0.quantity"}
    assert "Only 1 left" in response.json()["errors"][0]["detail"]
    assert Shipment.objects.count() == 1 and ShipmentLine.objects.count() == 1


@pytest.mark.parametrize("overrides, field, status", [
    ({"lines": [{"sku": "SKU-9", "quantity": 1}]}, "lines.0.sku", 422),
    ({"lines": [{"sku": "SKU-0", "quantity": -1}]}, "lines.0.quantity", 400),
    ({"lines": [{"sku": "SKU-0", "quantity": 1}, {"sku": "SKU-0", "quantity": 1}]}, "lines.1.sku", 422),
    ({"lines": []}, "lines", 422),
    ({"order_number": "9999"}, "order_number", 422),
    ({"carrier": "pigeon"}, "carrier", 422),
    ({"tracking_number": "x"}, "tracking_number", 400),
    ({"tracking_number": 12}, "tracking_number", 400),
    ({"promised_delivery_date": "soon"}, "promised_delivery_date", 400),
])
def test_bad_shipment_input_names_the_field(api, posted_order, overrides, field, status):
    response = ship(api, **overrides)
    assert response.status_code == status, response.json()
    assert field in problem_fields(response)
    assert not Shipment.objects.exists()


def test_duplicate_tracking_number_is_409(api, posted_order, other_api):
    assert ship(api).status_code == 201
    response = ship(api, lines=[{"sku": "SKU-1", "quantity": 1}])
    assert response.status_code == 409
    assert problem_fields(response) == {"tracking_number"}
    # Another merchant cannot register the same parcel either, and learns nothing else about it.
    OrderFactory(merchant=other_api.merchant, number="1001")
    response = ship(other_api, lines=None)
    assert response.status_code in (409, 422)
    assert Shipment.objects.count() == 1


def test_order_of_another_merchant_is_unknown(other_api, posted_order):
    response = ship(other_api)
    assert response.status_code == 422 and problem_fields(response) == {"order_number"}


def test_detail_has_events_and_edd(api, posted_order):
    shipment = Shipment.objects.get(pk=ship(api).json()["id"])
    Shipment.objects.filter(pk=shipment.pk).update(
        predicted_delivery_date=date(2026, 1, 10), predicted_window_start=date(2026, 1, 9),
        predicted_window_end=date(2026, 1, 11), promised_delivery_date=date(2026, 1, 8), status=st.IN_TRANSIT)
    TrackingEventFactory(shipment=shipment, status=st.IN_TRANSIT, occurred_at=timezone.now() - timedelta(hours=2))
    TrackingEventFactory(shipment=shipment, status=st.INFO_RECEIVED, occurred_at=timezone.now() - timedelta(hours=5))
    body = api.get(f"/api/v1/shipments/{shipment.pk}/").json()
    assert [e["status"] for e in body["events"]] == ["in_transit", "info_received"]
    assert body["estimated_delivery"] == {
        "promised_date": "2026-01-08", "carrier_date": None, "predicted_date": "2026-01-10",
        "predicted_window_start": "2026-01-09", "predicted_window_end": "2026-01-11", "is_delayed": True}


def test_list_filters_and_pagination(api, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(6):
        ShipmentFactory(order=OrderFactory(merchant=api.merchant), carrier="mock",
                        status=st.DELIVERED if i % 2 else st.IN_TRANSIT)
    ShipmentFactory(status=st.DELIVERED)  # other merchant
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/shipments/?status=delivered&limit=2").json()
    assert len(body["results"]) == 2 and body["next"]
    rest = api.get(body["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    assert len(api.get("/api/v1/shipments/?status=delivered,in_transit").json()["results"]) == 6
    assert api.get("/api/v1/shipments/?carrier=dhl").json()["results"] == []
    since = (now - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert len(api.get("/api/v1/shipments/", {"created_since": since}).json()["results"]) == 6
    assert api.get("/api/v1/shipments/", {"updated_since": "2999-01-01T00:00:00Z"}).json()["results"] == []
    response = api.get("/api/v1/shipments/?status=teleported")
    assert response.status_code == 400 and problem_fields(response) == {"status"}
    assert api.get("/api/v1/shipments/?cursor=garbage").status_code == 404


def test_list_query_count_does_not_grow_with_rows(api, django_assert_max_num_queries):
    for _ in range(25):
        ShipmentFactory(order=OrderFactory(merchant=api.merchant))
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/shipments/?limit=25").json()["results"]) == 25


def test_carrier_is_detected_when_omitted(api, posted_order):
    response = ship(api, carrier="", tracking_number="1Z999AA10123456784")
    assert response.status_code == 201, response.json()
    assert response.json()["carrier"] == "easypost"  # best-scoring detected adapter Doorstep has


def test_undetectable_carrier_names_the_field(api, posted_order):
    response = ship(api, carrier="", tracking_number="ZZZZ-NOT-A-NUMBER")
    assert response.status_code == 422 and problem_fields(response) == {"carrier"}

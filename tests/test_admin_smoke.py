"""Every registered admin page renders for a superuser with data present, within a query budget
that does not grow with the number of rows (no N+1 on changelists)."""
import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f

# A changelist, add or change page may cost at most this many queries, however many rows exist.
QUERY_BUDGET = 40


@pytest.fixture
def populated(db):
    """A row of every model (tests/factories), and a few of the core ones, so every changelist and
    change page renders real rows."""
    for name in f.__all__:
        if name != "UserFactory":
            getattr(f, name)()
    for status in ("approved", "received", "inspected"):  # a row in every returns work queue
        f.ReturnRequestFactory(status=status)
    for _ in range(3):
        line = f.OrderLineFactory()
        shipment = f.ShipmentFactory(order=line.order)
        f.ShipmentLineFactory(shipment=shipment, order_line=line)
        f.TrackingEventFactory(shipment=shipment)
        f.NotificationLogFactory(order=line.order)
        f.NotificationOptOutFactory(customer=line.order.customer)


def admin_models():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _ids(items):
    return [model._meta.label for model, _ in items]


@pytest.mark.django_db
@pytest.mark.parametrize("model,model_admin", admin_models(), ids=_ids(admin_models()))
def test_changelist_add_and_change_pages_render(admin_client, populated, model, model_admin):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(changelist)
    assert response.status_code == 200, changelist
    assert len(queries) <= QUERY_BUDGET, f"{changelist}: {len(queries)} queries"

    # Searching must work too (it is how support finds things).
    if model_admin.search_fields:
        assert admin_client.get(changelist, {"q": "x"}).status_code == 200

    if model_admin.has_add_permission(_request(admin_client)):
        response = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        assert response.status_code == 200

    # A row the admin itself lists (a work queue shows only some returns; others redirect away).
    obj = model_admin.get_queryset(_request(admin_client)).first()
    if obj is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)
        assert response.status_code == 200, url
        assert len(queries) <= QUERY_BUDGET, f"{url}: {len(queries)} queries"


@pytest.mark.django_db
def test_changelist_queries_do_not_grow_with_rows(admin_client):
    """Ten times the orders, shipments and events: the same number of queries."""
    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url).status_code == 200
        return len(queries)

    merchant = f.MerchantFactory()
    f.ShipmentFactory(order__merchant=merchant)
    urls = [reverse(f"admin:tracking_{name}_changelist") for name in ("order", "shipment", "customer", "trackingevent")]
    before = [count(url) for url in urls]
    for _ in range(10):
        shipment = f.ShipmentFactory(order__merchant=merchant)
        f.TrackingEventFactory(shipment=shipment)
    assert [count(url) for url in urls] == before


@pytest.mark.django_db
def test_one_search_finds_an_order_by_number_email_or_tracking_number(admin_client):
    shipment = f.ShipmentFactory(tracking_number="MK0099887766", order__number="HK-2048",
                                 order__customer__email="jiwoo@example.com")
    f.OrderFactory(number="OTHER-1")
    url = reverse("admin:tracking_order_changelist")
    for term in ("HK-2048", "jiwoo@example.com", "MK0099887766"):
        response = admin_client.get(url, {"q": term})
        assert list(response.context["cl"].result_list) == [shipment.order], term


@pytest.mark.django_db
def test_order_page_shows_lines_shipments_and_shipment_shows_event_log(admin_client):
    line = f.OrderLineFactory(title="Linen shirt")
    shipment = f.ShipmentFactory(order=line.order, tracking_number="MK1234567890")
    f.TrackingEventFactory(shipment=shipment, carrier_text="Arrived at Incheon hub")
    order_page = admin_client.get(reverse("admin:tracking_order_change", args=[line.order.pk])).content.decode()
    assert "Linen shirt" in order_page and "MK1234567890" in order_page
    shipment_page = admin_client.get(reverse("admin:tracking_shipment_change", args=[shipment.pk])).content.decode()
    assert "Arrived at Incheon hub" in shipment_page



def _request(client):
    """A request carrying the logged-in superuser, for has_add_permission()."""
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(is_superuser=True)
    return request

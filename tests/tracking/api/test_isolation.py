"""Tenant isolation: walk EVERY /api/v1/ route (from the URL resolver, so routes added later by other
apps are walked too) with merchant A's key against merchant B's objects."""
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import OrderLineFactory, ProductVariantFactory, ShipmentFactory, ShipmentLineFactory
from tracking.models import WebhookEndpoint
from tracking.webhooks_out.signing import secret_generate

pytestmark = pytest.mark.django_db

MARKER = "ZZFOREIGN"  # appears in every identifier of merchant B's objects


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


# Public, unauthenticated routes under /api/v1/ (no tenant data behind a key). Anything else must be a
# MerchantAPIView; test_every_api_route_is_merchant_scoped_or_declared_public keeps this list honest.
PUBLIC_ROUTES = {"api/v1/edd/"}


def _all_api_routes():
    for route, pattern in _walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "cls", None)
        if route.startswith("api/v1/") and view_class is not None:
            yield route, view_class


def api_routes():
    """Every merchant-authenticated route, with the methods its view handles."""
    from tracking.apikit.views import MerchantAPIView

    routes = []
    for route, view_class in _all_api_routes():
        if issubclass(view_class, MerchantAPIView):
            methods = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]
            routes.append((route, view_class, methods))
    return routes


def test_every_api_route_is_merchant_scoped_or_declared_public():
    from tracking.apikit.views import MerchantAPIView

    for route, view_class in _all_api_routes():
        assert issubclass(view_class, MerchantAPIView) or route in PUBLIC_ROUTES, route


@pytest.fixture
def foreign(other_merchant):
    """One of each object merchant B owns, by the path parameter that addresses it. Apps adding routes
    with a new parameter add their object here (the walk fails loudly until they do)."""
    variant = ProductVariantFactory(product__merchant=other_merchant, product__external_id=f"{MARKER}-P",
                                    sku=f"{MARKER}-SKU")
    line = OrderLineFactory(order__merchant=other_merchant, order__number=f"{MARKER}-1", variant=variant)
    shipment = ShipmentFactory(order=line.order, tracking_number=f"{MARKER}0001")
    ShipmentLineFactory(shipment=shipment, order_line=line)
    endpoint = WebhookEndpoint.objects.create(merchant=other_merchant, url=f"https://{MARKER.lower()}.example.com/h",
                                              secret=secret_generate())
    from returns.models import ReturnRequest, StoreCreditAccount

    rr = ReturnRequest.objects.create(merchant=other_merchant, order=line.order, customer=line.order.customer,
                                      idempotency_key=f"{MARKER}-K", resolution="refund", method="drop_off",
                                      reason_code="changed_mind", reason_label="x", currency="KRW",
                                      items_total=1)
    credit = StoreCreditAccount.objects.create(merchant=other_merchant, customer=line.order.customer,
                                               code=f"SC-{MARKER}", currency="KRW")
    return {
        "rma": rr.rma,
        "code": credit.code,
        "number": line.order.number,
        "shipment_id": shipment.pk,
        "external_id": variant.product.external_id,
        "endpoint_id": endpoint.pk,
    }


def _fill(route: str, values: dict) -> str:
    def sub(match):
        name = match.group(1).split(":")[-1]
        if name not in values:
            pytest.fail(f"No foreign object for path parameter {name!r} in {route}: add one to the fixture")
        return str(values[name])
    return "/" + re.sub(r"<([^>]+)>", sub, route)


def test_routes_are_found():
    routes = {route for route, _, _ in api_routes()}
    assert {"api/v1/orders/", "api/v1/shipments/<int:shipment_id>/", "api/v1/webhook-endpoints/"} <= routes


def test_every_write_handler_is_idempotent():
    for route, view_class, methods in api_routes():
        for method in ("post", "put"):
            if method in methods:
                assert getattr(getattr(view_class, method), "idempotent", False), f"{method} {route}"


def test_foreign_objects_are_404_on_every_route(api, foreign, other_merchant):
    from tracking.models import Order, Product, Shipment

    before = (Order.objects.filter(merchant=other_merchant).values_list("updated_at", flat=True).first(),
              Shipment.objects.filter(merchant=other_merchant).count(),
              Product.objects.filter(merchant=other_merchant).values_list("updated_at", flat=True).first(),
              WebhookEndpoint.objects.filter(merchant=other_merchant, deleted_at__isnull=True).count())
    walked = 0
    for route, view_class, methods in api_routes():
        url = _fill(route, foreign)
        has_params = "<" in route
        for method in methods:
            body = {"title": "hijack", "variants": []} if method in ("put", "patch") else {}
            response = getattr(api, method)(url, body, format="json") if method != "get" else api.get(url)
            walked += 1
            if has_params and method == "put":
                # Upsert by path: creates A's own object under that id (B's is checked unchanged below).
                assert response.status_code in (201, 404), f"PUT {url} -> {response.status_code}"
                assert MARKER not in response.content.decode().replace(foreign["external_id"], "")
            elif has_params:
                assert response.status_code == 404, f"{method.upper()} {url} -> {response.status_code}"
            elif method == "get":
                assert response.status_code == 200, f"GET {url} -> {response.status_code}"
                assert MARKER not in response.content.decode(), f"GET {url} leaks merchant B's data"
            else:
                assert response.status_code in (400, 409, 422), f"{method.upper()} {url} -> {response.status_code}"
    assert walked >= 10
    after = (Order.objects.filter(merchant=other_merchant).values_list("updated_at", flat=True).first(),
             Shipment.objects.filter(merchant=other_merchant).count(),
             Product.objects.filter(merchant=other_merchant).values_list("updated_at", flat=True).first(),
             WebhookEndpoint.objects.filter(merchant=other_merchant, deleted_at__isnull=True).count())
    assert before == after


def test_writes_referencing_foreign_objects_are_refused(api, foreign, other_merchant):
    from tests.support.api import order_body
    from tracking.models import Order, Product, Shipment

    response = api.post("/api/v1/orders/", order_body(skus=(f"{MARKER}-SKU",)), format="json")
    assert response.status_code == 422
    response = api.post("/api/v1/orders/", order_body(number=foreign["number"], skus=(f"{MARKER}-SKU",)),
                        format="json")
    assert response.status_code == 422
    response = api.post("/api/v1/shipments/", {"order_number": foreign["number"], "carrier": "mock",
                                               "tracking_number": "MOCK123456"}, format="json")
    assert response.status_code == 422
    # Same external_id / order number in A's namespace creates A's own object, never touches B's.
    ProductVariantFactory(product__merchant=api.merchant, sku="A-SKU")
    assert api.post("/api/v1/products/", {"external_id": foreign["external_id"], "title": "Mine"},
                    format="json").status_code == 201
    assert Product.objects.get(merchant=other_merchant).title != "Mine"
    assert api.post("/api/v1/orders/", order_body(number=foreign["number"], skus=("A-SKU",)),
                    format="json").status_code == 201
    assert Order.objects.filter(number=foreign["number"]).count() == 2
    assert Shipment.objects.filter(merchant=api.merchant).count() == 0

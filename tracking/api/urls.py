"""tracking's routes under /api/v1/ (mounted by config/api_urls.py)."""
from django.urls import path

from tracking import urlconverters  # noqa: F401 — registers <ident:…> and <token:…>
from tracking.api import orders, products, shipments, webhook_endpoints

urlpatterns = [
    path("orders/", orders.OrderListCreateApi.as_view(), name="api-orders"),
    path("orders/<ident:number>/", orders.OrderDetailApi.as_view(), name="api-order-detail"),
    path("shipments/", shipments.ShipmentListCreateApi.as_view(), name="api-shipments"),
    path("shipments/<int:shipment_id>/", shipments.ShipmentDetailApi.as_view(), name="api-shipment-detail"),
    path("products/", products.ProductListUpsertApi.as_view(), name="api-products"),
    path("products/<ident:external_id>/", products.ProductDetailApi.as_view(), name="api-product-detail"),
    path("webhook-endpoints/", webhook_endpoints.WebhookEndpointListCreateApi.as_view(),
         name="api-webhook-endpoints"),
    path("webhook-endpoints/<int:endpoint_id>/", webhook_endpoints.WebhookEndpointDetailApi.as_view(),
         name="api-webhook-endpoint-detail"),
]

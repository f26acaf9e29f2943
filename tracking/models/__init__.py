from .catalog import Product, ProductVariant
from .merchants import Customer, Merchant
from .orders import Order, OrderLine
from .shipments import Shipment, ShipmentLine, TrackingEvent

__all__ = [
    "Customer",
    "Merchant",
    "Order",
    "OrderLine",
    "Product",
    "ProductVariant",
    "Shipment",
    "ShipmentLine",
    "TrackingEvent",
]

from .api_access import ApiKey, IdempotencyRecord  # noqa: E402
from .webhooks_out import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: E402

__all__ += ["ApiKey", "IdempotencyRecord", "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]

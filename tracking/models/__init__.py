from .catalog import Product, ProductVariant
from .delivery_requests import DeliveryRequest, DeliveryRequestEvent
from .merchants import Customer, Merchant
from .notifications import NotificationCategory, NotificationChannel, NotificationLog, NotificationOptOut
from .orders import Order, OrderLine
from .shipments import Shipment, ShipmentLine, TrackingEvent

__all__ = [
    "Customer",
    "DeliveryRequest",
    "DeliveryRequestEvent",
    "Merchant",
    "NotificationCategory",
    "NotificationChannel",
    "NotificationLog",
    "NotificationOptOut",
    "Order",
    "OrderLine",
    "Product",
    "ProductVariant",
    "Shipment",
    "ShipmentLine",
    "TrackingEvent",
]

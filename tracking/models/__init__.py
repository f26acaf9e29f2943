from .carrier_accounts import CarrierAccount
from .catalog import Product, ProductVariant
from .ingest import InboundWebhook, PendingEvent, ShipmentPollState
from .merchants import Customer, Merchant
from .notifications import NotificationCategory, NotificationChannel, NotificationLog, NotificationOptOut
from .orders import Order, OrderLine
from .shipments import Shipment, ShipmentLine, TrackingEvent

__all__ = [
    "CarrierAccount",
    "InboundWebhook",
    "PendingEvent",
    "ShipmentPollState",
    "Customer",
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

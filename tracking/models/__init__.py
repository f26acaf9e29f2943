from .carrier_accounts import CarrierAccount
from .catalog import Product, ProductVariant
from .ingest import InboundWebhook, PendingEvent, ShipmentPollState
from .merchants import Customer, Merchant
from .orders import Order, OrderLine
from .shipments import Shipment, ShipmentLine, TrackingEvent

__all__ = [
    "CarrierAccount",
    "InboundWebhook",
    "PendingEvent",
    "ShipmentPollState",
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

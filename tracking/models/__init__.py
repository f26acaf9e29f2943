from .catalog import Product, ProductVariant
from .delays import DelayCase
from .edd import EddBacktestRun, LaneTransitStats, MerchantShippingSettings
from .merchants import Customer, Merchant
from .notifications import NotificationCategory, NotificationChannel, NotificationLog, NotificationOptOut
from .orders import Order, OrderLine
from .shipments import Shipment, ShipmentLine, TrackingEvent

__all__ = [
    "Customer",
    "DelayCase",
    "EddBacktestRun",
    "LaneTransitStats",
    "Merchant",
    "MerchantShippingSettings",
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

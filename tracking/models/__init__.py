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

# Recommendations keep their models beside their code (tracking/recommendations/); registered here.
from tracking.recommendations.models import (  # noqa: E402
    OfferImpression,
    PostPurchaseOffer,
    ProductRecommendation,
    RecommendationClick,
    RecommendationImpression,
    RecommendationSettings,
)

__all__ += [
    "OfferImpression",
    "PostPurchaseOffer",
    "ProductRecommendation",
    "RecommendationClick",
    "RecommendationImpression",
    "RecommendationSettings",
]

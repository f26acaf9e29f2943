from .carrier_accounts import CarrierAccount
from .catalog import Product, ProductVariant
from .delays import DelayCase
from .edd import EddBacktestRun, LaneTransitStats, MerchantShippingSettings
from .ingest import InboundWebhook, PendingEvent, ShipmentPollState
from .delivery_requests import DeliveryRequest, DeliveryRequestEvent
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
    "DelayCase",
    "EddBacktestRun",
    "LaneTransitStats",
    "DeliveryRequest",
    "DeliveryRequestEvent",
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

from .api_access import ApiKey, IdempotencyRecord  # noqa: E402
from .webhooks_out import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: E402

__all__ += ["ApiKey", "IdempotencyRecord", "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint"]
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

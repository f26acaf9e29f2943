from tracking.models.carrier_accounts import CarrierAccount
from tracking.models.catalog import Product, ProductVariant
from tracking.models.delays import DelayCase
from tracking.models.edd import EddBacktestRun, LaneTransitStats, MerchantShippingSettings
from tracking.models.ingest import InboundWebhook, PendingEvent, ShipmentPollState
from tracking.models.delivery_requests import DeliveryRequest, DeliveryRequestEvent
from tracking.models.merchants import Customer, Merchant
from tracking.models.notifications import NotificationCategory, NotificationChannel, NotificationLog, NotificationOptOut
from tracking.models.orders import Order, OrderLine
from tracking.models.shipments import Shipment, ShipmentLine, TrackingEvent

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

from tracking.models.api_access import ApiKey, IdempotencyRecord  # noqa: E402
from tracking.models.webhooks_out import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: E402

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

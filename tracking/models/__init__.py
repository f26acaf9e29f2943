"""Every model of the tracking app, for Django and for ``from tracking.models import …``.

The core (merchants and customers, catalogue, orders, shipments and their event logs) lives in this
package; each capability keeps its own models beside its code and is re-exported here, which is how
Django finds them (it imports ``<app>.models``)."""
from tracking.models.catalog import Product, ProductVariant
from tracking.models.merchants import Customer, Merchant
from tracking.models.orders import Order, OrderLine
from tracking.models.shipments import Shipment, ShipmentLine, TrackingEvent

from tracking.apikit.models import ApiKey, IdempotencyRecord
from tracking.delivery_changes.models import DeliveryRequest, DeliveryRequestEvent
from tracking.edd.models import DelayCase, EddBacktestRun, LaneTransitStats, MerchantShippingSettings
from tracking.ingest.models import CarrierAccount, InboundWebhook, PendingEvent, ShipmentPollState
from tracking.notifications.models import (
    NotificationCategory,
    NotificationChannel,
    NotificationLog,
    NotificationOptOut,
)
from tracking.recommendations.models import (
    OfferImpression,
    PostPurchaseOffer,
    ProductRecommendation,
    RecommendationClick,
    RecommendationImpression,
    RecommendationSettings,
)
from tracking.staff.models import StaffMembership
from tracking.stores.models import StoreConnection, StoreObjectLink, StorePrivacyRequest, StoreWebhookDelivery
from tracking.webhooks_out.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey", "CarrierAccount", "Customer", "DelayCase", "DeliveryRequest", "DeliveryRequestEvent",
    "EddBacktestRun", "IdempotencyRecord", "InboundWebhook", "LaneTransitStats", "Merchant",
    "MerchantShippingSettings", "NotificationCategory", "NotificationChannel", "NotificationLog",
    "NotificationOptOut", "OfferImpression", "Order", "OrderLine", "PendingEvent", "PostPurchaseOffer",
    "Product", "ProductRecommendation", "ProductVariant", "RecommendationClick", "RecommendationImpression",
    "RecommendationSettings", "Shipment", "ShipmentLine", "ShipmentPollState", "StaffMembership",
    "StoreConnection", "StoreObjectLink", "StorePrivacyRequest", "StoreWebhookDelivery", "TrackingEvent",
    "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint",
]

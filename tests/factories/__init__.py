"""factory_boy factories for every model of tracking, returns and feedback, one module per app or
capability; everything is re-exported here (``from tests.factories import OrderFactory``).

Each factory builds a valid row that satisfies every database constraint. Related rows share one
merchant unless told otherwise (``OrderLineFactory(order=…)`` takes the order's merchant, and so on).
tests/test_factories.py fails when a model has no factory, so add one with every new model.
"""
from tests.factories.apikit import ApiKeyFactory, IdempotencyRecordFactory
from tests.factories.delivery_changes import DeliveryRequestEventFactory, DeliveryRequestFactory
from tests.factories.edd import (
    DelayCaseFactory,
    EddBacktestRunFactory,
    LaneTransitStatsFactory,
    MerchantShippingSettingsFactory,
)
from tests.factories.feedback import (
    FollowUpCaseFactory,
    FollowUpCaseLogFactory,
    IncentiveIssueFactory,
    SurveyAnswerLogFactory,
    SurveyFactory,
    SurveyResponseFactory,
    SurveySettingsFactory,
)
from tests.factories.ingest import (
    CarrierAccountFactory,
    InboundWebhookFactory,
    PendingEventFactory,
    ShipmentPollStateFactory,
)
from tests.factories.stores import (
    StoreConnectionFactory,
    StoreObjectLinkFactory,
    StorePrivacyRequestFactory,
    StoreWebhookDeliveryFactory,
)
from tests.factories.notifications import NotificationLogFactory, NotificationOptOutFactory
from tests.factories.recommendations import (
    OfferImpressionFactory,
    PostPurchaseOfferFactory,
    ProductRecommendationFactory,
    RecommendationClickFactory,
    RecommendationImpressionFactory,
    RecommendationSettingsFactory,
)
from tests.factories.returns import (
    CategoryRuleFactory,
    MoneyApprovalFactory,
    RefundFactory,
    RefundLedgerFactory,
    ReturnDraftFactory,
    ReturnEventFactory,
    ReturnLineFactory,
    ReturnPhotoFactory,
    ReturnPolicyFactory,
    ReturnReasonFactory,
    ReturnRequestFactory,
    StoreCreditAccountFactory,
    StoreCreditEntryFactory,
)
from tests.factories.tracking import (
    CustomerFactory,
    MerchantFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    ProductVariantFactory,
    ShipmentFactory,
    ShipmentLineFactory,
    TrackingEventFactory,
)
from tests.factories.staff import StaffMembershipFactory
from tests.factories.users import UserFactory
from tests.factories.webhooks_out import WebhookAttemptFactory, WebhookDeliveryFactory, WebhookEndpointFactory

__all__ = [
    "StoreConnectionFactory", "StoreObjectLinkFactory", "StorePrivacyRequestFactory", "StoreWebhookDeliveryFactory",
    "ApiKeyFactory", "CarrierAccountFactory", "CategoryRuleFactory", "CustomerFactory", "DelayCaseFactory",
    "DeliveryRequestEventFactory", "DeliveryRequestFactory", "EddBacktestRunFactory", "FollowUpCaseFactory",
    "FollowUpCaseLogFactory", "IdempotencyRecordFactory", "InboundWebhookFactory", "IncentiveIssueFactory",
    "LaneTransitStatsFactory", "MerchantFactory", "MoneyApprovalFactory", "MerchantShippingSettingsFactory", "NotificationLogFactory",
    "NotificationOptOutFactory", "OfferImpressionFactory", "OrderFactory", "OrderLineFactory", "PendingEventFactory",
    "PostPurchaseOfferFactory", "ProductFactory", "ProductRecommendationFactory", "ProductVariantFactory",
    "RecommendationClickFactory", "RecommendationImpressionFactory", "RecommendationSettingsFactory",
    "RefundFactory", "RefundLedgerFactory", "ReturnDraftFactory", "ReturnEventFactory", "ReturnLineFactory",
    "ReturnPhotoFactory", "ReturnPolicyFactory", "ReturnReasonFactory", "ReturnRequestFactory",
    "ShipmentFactory", "ShipmentLineFactory", "ShipmentPollStateFactory", "StoreCreditAccountFactory",
    "StaffMembershipFactory", "StoreCreditEntryFactory", "SurveyAnswerLogFactory", "SurveyFactory", "SurveyResponseFactory",
    "SurveySettingsFactory", "TrackingEventFactory", "UserFactory", "WebhookAttemptFactory",
    "WebhookDeliveryFactory", "WebhookEndpointFactory",
]

"""Factories for recommendations: trained rows, settings, post-purchase offers and the impression/click logs."""
import uuid

import factory
from django.utils import timezone

from tests.factories.tracking import CustomerFactory, MerchantFactory, OrderFactory, ProductFactory
from tracking.models import (
    OfferImpression,
    PostPurchaseOffer,
    ProductRecommendation,
    RecommendationClick,
    RecommendationImpression,
    RecommendationSettings,
)
from tracking.recommendations.models import Placement


class ProductRecommendationFactory(factory.django.DjangoModelFactory):
    """A merchant best-seller row; ``item=True`` makes a bought-together row, ``category="tents"`` a
    category row (the database checks each kind's shape)."""

    class Meta:
        model = ProductRecommendation

    class Params:
        item = factory.Trait(
            kind=ProductRecommendation.Kind.ITEM,
            product=factory.SubFactory(ProductFactory, merchant=factory.SelfAttribute("..merchant")),
        )

    merchant = factory.SubFactory(MerchantFactory)
    kind = factory.LazyAttribute(lambda o: ProductRecommendation.Kind.CATEGORY if o.category
                                 else ProductRecommendation.Kind.POPULAR)
    product = None
    category = ""
    recommended_product = factory.SubFactory(ProductFactory, merchant=factory.SelfAttribute("..merchant"))
    score = 0.5
    rank = 1
    model_version = "test-1"
    trained_at = factory.LazyFunction(timezone.now)


class RecommendationSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationSettings

    merchant = factory.SubFactory(MerchantFactory)
    widget_enabled = True
    attribution_window_days = 7


class PostPurchaseOfferFactory(factory.django.DjangoModelFactory):
    """The merchant's live offer (one active offer per merchant: pass ``active=False`` for more)."""

    class Meta:
        model = PostPurchaseOffer

    merchant = factory.SubFactory(MerchantFactory)
    headline = "Thanks! 10% off your next order"
    headline_ko = "감사합니다! 다음 주문 10% 할인"
    discount_text = "On everything in the store"
    code = factory.Sequence(lambda n: f"THANKS{n}")
    valid_days = 30


class OfferImpressionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfferImpression

    offer = factory.SubFactory(PostPurchaseOfferFactory)
    merchant = factory.SelfAttribute("offer.merchant")
    order = factory.SubFactory(OrderFactory, merchant=factory.SelfAttribute("..merchant"))


class RecommendationImpressionFactory(factory.django.DjangoModelFactory):
    """One render of the widget on an order's tracking page, showing one product of the merchant."""

    class Meta:
        model = RecommendationImpression

    class Params:
        shown = factory.SubFactory(ProductFactory, merchant=factory.SelfAttribute("..merchant"))

    merchant = factory.SubFactory(MerchantFactory)
    order = factory.SubFactory(OrderFactory, merchant=factory.SelfAttribute("..merchant"))
    customer = factory.SelfAttribute("order.customer")
    placement = Placement.TRACKING
    product_ids = factory.LazyAttribute(lambda o: [o.shown.pk])


class RecommendationClickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationClick

    merchant = factory.SubFactory(MerchantFactory)
    impression_id = factory.LazyFunction(uuid.uuid4)
    product = factory.SubFactory(ProductFactory, merchant=factory.SelfAttribute("..merchant"))
    customer = factory.SubFactory(CustomerFactory, merchant=factory.SelfAttribute("..merchant"))
    placement = Placement.TRACKING

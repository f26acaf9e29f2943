"""Factories for store connections: the connection (credentials encrypted as the service does), the
platform-id map, the webhook delivery log and privacy requests."""
import factory

from tests.factories.tracking import MerchantFactory
from tracking import crypto
from tracking.models import (
    StoreConnection,
    StoreObjectLink,
    StorePrivacyRequest,
    StoreWebhookDelivery,
)


class StoreConnectionFactory(factory.django.DjangoModelFactory):
    """A live Shopify connection with an Admin API token."""

    class Meta:
        model = StoreConnection

    class Params:
        access_token = factory.Sequence(lambda n: f"shpat_factory_{n:06d}")
        webhook_secret = ""

    merchant = factory.SubFactory(MerchantFactory)
    platform = "shopify"
    shop = factory.Sequence(lambda n: f"factory-shop-{n}.myshopify.com")
    access_token_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.access_token))
    webhook_secret_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.webhook_secret))
    currency = "USD"


class StoreObjectLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreObjectLink

    connection = factory.SubFactory(StoreConnectionFactory)
    merchant = factory.SelfAttribute("connection.merchant")
    kind = StoreObjectLink.Kind.PRODUCT
    external_id = factory.Sequence(lambda n: f"{8000000 + n}")


class StoreWebhookDeliveryFactory(factory.django.DjangoModelFactory):
    """An accepted, not yet processed delivery."""

    class Meta:
        model = StoreWebhookDelivery

    connection = factory.SubFactory(StoreConnectionFactory)
    merchant = factory.SelfAttribute("connection.merchant")
    public_id = factory.SelfAttribute("connection.public_id")
    topic = "unknown"
    platform_topic = "shop/update"
    delivery_id = factory.Sequence(lambda n: f"dlv-{n:06d}")
    headers = factory.LazyFunction(lambda: {"Content-Type": "application/json"})
    body = b"{}"
    body_size = factory.LazyAttribute(lambda o: len(o.body))
    verdict = StoreWebhookDelivery.Verdict.ACCEPTED


class StorePrivacyRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StorePrivacyRequest

    connection = factory.SubFactory(StoreConnectionFactory)
    merchant = factory.SelfAttribute("connection.merchant")
    kind = StorePrivacyRequest.Kind.DATA_REQUEST
    customer_email = factory.Sequence(lambda n: f"shopper{n}@example.com")

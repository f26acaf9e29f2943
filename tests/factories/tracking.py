"""Factories for tracking's core: merchants and customers, the catalogue, orders, shipments and their events."""
from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from tracking import crypto
from tracking import models as m
from tracking.carriers import status as st


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Merchant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"shop-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    store_url = factory.LazyAttribute(lambda o: f"https://{o.slug}.example.com")
    support_email = factory.LazyAttribute(lambda o: f"help@{o.slug}.example.com")
    timezone = "Asia/Seoul"
    currency = "KRW"
    country = "KR"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Customer

    merchant = factory.SubFactory(MerchantFactory)
    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    name = factory.Faker("name")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Product

    merchant = factory.SubFactory(MerchantFactory)
    external_id = factory.Sequence(lambda n: f"prod-{n}")
    title = factory.Sequence(lambda n: f"Product {n}")
    category = "apparel"
    url = factory.LazyAttribute(lambda o: f"https://shop.example.com/products/{o.external_id}")


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ProductVariant

    product = factory.SubFactory(ProductFactory)
    merchant = factory.SelfAttribute("product.merchant")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    title = "Default"
    price = Decimal("25000")
    currency = factory.SelfAttribute("merchant.currency")
    stock = 10


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Order

    merchant = factory.SubFactory(MerchantFactory)
    customer = factory.SubFactory(CustomerFactory, merchant=factory.SelfAttribute("..merchant"))
    number = factory.Sequence(lambda n: f"#{1000 + n}")
    placed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=3))
    currency = factory.SelfAttribute("merchant.currency")
    subtotal = Decimal("50000")
    total = Decimal("50000")
    ship_name = factory.SelfAttribute("customer.name")
    ship_line1 = "1 Test-ro"
    ship_city = "Seoul"
    ship_postal_code = "04524"
    ship_country = "KR"


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.OrderLine

    order = factory.SubFactory(OrderFactory)
    variant = factory.SubFactory(ProductVariantFactory, product__merchant=factory.SelfAttribute("...order.merchant"))
    sku = factory.SelfAttribute("variant.sku")
    title = factory.SelfAttribute("variant.product.title")
    quantity = 1
    unit_price = factory.SelfAttribute("variant.price")


class ShipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Shipment

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    carrier = "mock"
    service_level = "standard"
    tracking_number = factory.Sequence(lambda n: f"MOCK{n:010d}")
    origin_postal_code = "10881"
    origin_country = "KR"
    destination_postal_code = factory.SelfAttribute("order.ship_postal_code")
    destination_country = factory.SelfAttribute("order.ship_country")


class ShipmentLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ShipmentLine

    shipment = factory.SubFactory(ShipmentFactory)
    order_line = factory.SubFactory(OrderLineFactory, order=factory.SelfAttribute("..shipment.order"))
    quantity = factory.SelfAttribute("order_line.quantity")


class TrackingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.TrackingEvent

    shipment = factory.SubFactory(ShipmentFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    status = st.IN_TRANSIT
    carrier_code = "IT"
    carrier_text = "In transit"
    location = "Seoul, KR"
    source = m.TrackingEvent.Source.WEBHOOK
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")


class ServiceCredentialFactory(factory.django.DjangoModelFactory):
    """A merchant's own Toss Payments secret key, stored encrypted as the service does."""

    class Meta:
        model = m.ServiceCredential

    class Params:
        secret = factory.Sequence(lambda n: f"test_sk_factory_{n:08d}")

    merchant = factory.SubFactory(MerchantFactory)
    service = "toss"
    secret_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.secret))
    secret_hint = factory.LazyAttribute(lambda o: o.secret[-4:])

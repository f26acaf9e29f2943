"""Factories for shopper notifications: the send log and opt-outs."""
import factory
from django.utils import timezone

from tests.factories.tracking import CustomerFactory, OrderFactory
from tracking import models as m


class NotificationLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.NotificationLog

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    customer = factory.SelfAttribute("order.customer")
    kind = "shipment_delivered"
    category = m.NotificationCategory.SHIPPING
    channel = m.NotificationChannel.EMAIL
    recipient = factory.SelfAttribute("customer.email")
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    send_after = factory.LazyFunction(timezone.now)


class NotificationOptOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.NotificationOptOut

    customer = factory.SubFactory(CustomerFactory)
    category = m.NotificationCategory.SHIPPING

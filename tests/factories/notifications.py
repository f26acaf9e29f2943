"""Factories for shopper notifications: the send log and opt-outs."""
import factory
from django.utils import timezone

from tests.factories.tracking import CustomerFactory, MerchantFactory, OrderFactory
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


class AlimtalkTemplateFactory(factory.django.DjangoModelFactory):
    """The merchant's registered 알림톡 template for "delivered" notices."""

    class Meta:
        model = m.AlimtalkTemplate

    merchant = factory.SubFactory(MerchantFactory)
    kind = "shipment_delivered"
    template_id = factory.Sequence(lambda n: f"KA01TP{n:026d}")
    text = "[#{상점명}] #{고객명}님, 주문 #{주문번호}이(가) 배송 완료되었습니다.\n배송 조회: #{배송조회}"

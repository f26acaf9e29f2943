"""Factories for Doorstep's outgoing webhooks: endpoints, deliveries and the attempt log."""
import json
import secrets

import factory
from django.utils import timezone

from tests.factories.tracking import MerchantFactory
from tracking.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    merchant = factory.SubFactory(MerchantFactory)
    url = factory.Sequence(lambda n: f"https://hooks.example.com/doorstep/{n}")
    description = "ERP sync"
    secret = factory.LazyFunction(lambda: "whsec_" + secrets.token_urlsafe(24))


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    """A pending shipment.delivered event for the endpoint, body stored as it would be signed."""

    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    merchant = factory.SelfAttribute("endpoint.merchant")
    event_id = factory.Sequence(lambda n: f"evt_{n:020d}")
    event_type = "shipment.delivered"
    body = factory.LazyAttribute(lambda o: json.dumps({"id": o.event_id, "type": o.event_type, "data": {}}))
    next_attempt_at = factory.LazyFunction(timezone.now)


class WebhookAttemptFactory(factory.django.DjangoModelFactory):
    """The first try at sending a delivery, answered 200."""

    class Meta:
        model = WebhookAttempt

    delivery = factory.SubFactory(WebhookDeliveryFactory)
    number = 1
    started_at = factory.LazyFunction(timezone.now)
    duration_ms = 42
    status_code = 200
    response_excerpt = "ok"

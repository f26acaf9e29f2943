"""Factories for carrier ingestion: carrier accounts, the webhook log, orphan events, the polling schedule.

Rows are written directly; a test of the account *service* uses tracking.ingest.accounts instead."""
from datetime import timedelta

import factory
from django.utils import timezone

from tests.factories.tracking import MerchantFactory, ShipmentFactory
from tracking import crypto
from tracking.carriers import status as st
from tracking.models import (
    CarrierAccount,
    InboundWebhook,
    PendingEvent,
    ShipmentPollState,
    TrackingEvent,
    TrackingWebhookRegistration,
)


class CarrierAccountFactory(factory.django.DjangoModelFactory):
    """A mock-carrier account. ``webhook_secret`` and ``api_key`` are stored encrypted, as the service does."""

    class Meta:
        model = CarrierAccount

    class Params:
        webhook_secret = factory.Sequence(lambda n: f"whsec_factory_{n:06d}")
        api_key = ""

    merchant = factory.SubFactory(MerchantFactory)
    carrier = "mock"
    label = factory.Sequence(lambda n: f"account {n}")
    webhook_secret_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.webhook_secret))
    api_key_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.api_key))


class InboundWebhookFactory(factory.django.DjangoModelFactory):
    """An accepted, not yet processed delivery to the account's URL."""

    class Meta:
        model = InboundWebhook

    account = factory.SubFactory(CarrierAccountFactory)
    merchant = factory.SelfAttribute("account.merchant")
    public_id = factory.SelfAttribute("account.public_id")
    headers = factory.LazyFunction(lambda: {"Content-Type": "application/json"})
    body = b"{}"
    body_size = factory.LazyAttribute(lambda o: len(o.body))
    remote_addr = "203.0.113.7"
    verdict = InboundWebhook.Verdict.ACCEPTED
    provider_event_id = factory.Sequence(lambda n: f"dlv_{n:06d}")


class PendingEventFactory(factory.django.DjangoModelFactory):
    """A carrier event for a tracking number the merchant has not registered yet."""

    class Meta:
        model = PendingEvent

    merchant = factory.SubFactory(MerchantFactory)
    carrier = "mock"
    tracking_number = factory.Sequence(lambda n: f"ORPHAN{n:08d}")
    inbound = factory.SubFactory(InboundWebhookFactory, account__merchant=factory.SelfAttribute("...merchant"))
    source = TrackingEvent.Source.WEBHOOK
    occurred_at = factory.LazyFunction(timezone.now)
    status = st.IN_TRANSIT
    carrier_code = "IT"
    carrier_text = "In transit"
    dedupe_key = factory.Sequence(lambda n: f"pending:{n}")


class ShipmentPollStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShipmentPollState

    shipment = factory.SubFactory(ShipmentFactory)
    next_poll_at = factory.LazyFunction(timezone.now)


class TrackingWebhookRegistrationFactory(factory.django.DjangoModelFactory):
    """A live tracker.delivery registration of a CJ parcel, lapsing in 48 hours."""

    class Meta:
        model = TrackingWebhookRegistration

    shipment = factory.SubFactory(ShipmentFactory, carrier="trackerdelivery")
    merchant = factory.SelfAttribute("shipment.merchant")
    account = factory.SubFactory(CarrierAccountFactory, merchant=factory.SelfAttribute("..merchant"),
                                 carrier="trackerdelivery", api_key="client-id:client-secret")
    carrier_code = "kr.cjlogistics"
    registered_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=48))

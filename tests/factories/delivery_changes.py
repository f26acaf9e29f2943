"""Factories for what shoppers ask after a failed delivery attempt, and its audit trail."""
import factory

from tests.factories.tracking import ShipmentFactory
from tracking.models import DeliveryRequest, DeliveryRequestEvent


class DeliveryRequestFactory(factory.django.DjangoModelFactory):
    """Delivery instructions for a parcel, handled by support (use kind/requested_date or
    pickup_point_id for the other kinds: the database requires them)."""

    class Meta:
        model = DeliveryRequest

    shipment = factory.SubFactory(ShipmentFactory)
    merchant = factory.SelfAttribute("shipment.merchant")
    kind = DeliveryRequest.Kind.INSTRUCTIONS
    instructions = "Please leave it with the building concierge."
    route = DeliveryRequest.Route.SUPPORT
    idempotency_key = factory.Sequence(lambda n: f"form-{n:08d}")


class DeliveryRequestEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryRequestEvent

    request = factory.SubFactory(DeliveryRequestFactory)
    actor_label = "shopper"
    from_status = ""
    to_status = DeliveryRequest.Status.OPEN

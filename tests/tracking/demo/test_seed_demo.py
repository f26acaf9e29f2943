import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tracking.carriers import status as st
from tracking.models import Merchant, Order, Shipment, TrackingEvent


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--scale", "0.03", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_is_realistic_and_idempotent():
    data = json.loads(seed("--json"))
    assert data["created"]["merchants"] == 2
    assert Merchant.objects.count() == 2
    brands = set(Merchant.objects.values_list("primary_color", "font"))
    assert len(brands) == 2  # two different looks
    counts = (Order.objects.count(), Shipment.objects.count(), TrackingEvent.objects.count())
    # Replacement orders of the demo's claims are the returns app's, not the seed's.
    assert Order.objects.exclude(source=Order.Source.EXCHANGE).count() == data["created"]["orders"] > 0

    # Parcels in the states the demo promises, with statuses derived from their events.
    statuses = set(Shipment.objects.values_list("status", flat=True))
    assert {st.DELIVERED, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, st.EXCEPTION} <= statuses
    for shipment in Shipment.objects.filter(status=st.OUT_FOR_DELIVERY)[:5]:
        assert st.derive_status(shipment.events.all()).status == shipment.status

    # Repeat buyers exist.
    assert Order.objects.values("customer").distinct().count() < counts[0]

    # Showcase orders come with what a shopper needs to look them up; no database ids.
    states = {order["state"] for order in data["orders"]}
    assert {st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, st.DELIVERED} <= states
    assert all({"order_number", "email", "postal_code"} <= order.keys() and "order_id" not in order
               for order in data["orders"])
    assert data["admin"]["username"] == "support" and data["admin"]["password"]

    # Twice: nothing changes.
    again = json.loads(seed("--json"))
    assert again["created"]["orders"] == 0 and sorted(again["skipped_existing"]) == ["hanok-home", "trailhead"]
    assert (Order.objects.count(), Shipment.objects.count(), TrackingEvent.objects.count()) == counts


@pytest.mark.django_db
def test_staff_user_can_log_in_and_existing_password_is_never_reset(client):
    seed()
    assert client.login(username="support", password="doorstep-demo")
    user = get_user_model().objects.get(username="support")
    user.set_password("changed-by-the-team-1")
    user.save()
    output = seed()
    assert "doorstep-demo" not in output
    assert client.login(username="support", password="changed-by-the-team-1")


@pytest.mark.django_db
def test_production_never_gets_a_default_password(settings):
    settings.PRODUCTION = True
    settings.DEBUG = False
    data = json.loads(seed("--json"))
    assert data["admin"]["password"] != "doorstep-demo" and len(data["admin"]["password"]) >= 20


@pytest.mark.django_db
def test_travelling_demo_parcels_have_a_delivery_estimate():
    seed()
    travelling = Shipment.objects.filter(status__in=[st.IN_TRANSIT, st.OUT_FOR_DELIVERY])
    assert travelling.exists()
    assert not travelling.filter(predicted_window_end__isnull=True).exists()

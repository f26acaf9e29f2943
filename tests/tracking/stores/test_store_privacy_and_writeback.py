"""Shopify's compliance topics (data request export, customer and shop erasure keeping money and
delivery facts), shipment status written back to the store (once per status), and refunds of store
orders issued through the platform with the same per-order money safety."""
import json
from decimal import Decimal

import pytest
import responses
from django.test import TestCase

from tests.factories import StoreConnectionFactory
from tests.support.fixtures import store_bytes, store_json
from tests.support.stores import SHOPIFY_SECRET, shopify_headers
from tracking.carriers import status as st
from tracking.models import Customer, Order, Shipment, StoreObjectLink, StorePrivacyRequest
from tracking.stores.writeback import shipment_status_push

SHOP = "doorstep-test.myshopify.com"
GRAPHQL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _app(settings):
    settings.DOORSTEP_SHOPIFY_CLIENT_SECRET = SHOPIFY_SECRET


@pytest.fixture
def shopify(merchant):
    return StoreConnectionFactory(merchant=merchant, shop=SHOP)


def deliver(client, connection, body: bytes, topic: str):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(connection.webhook_path, data=body, content_type="application/json",
                           **shopify_headers(body, topic, shop=SHOP))


def shopify_order_for(client, shopify, email="john@example.com"):
    document = json.loads(store_bytes("shopify", "webhook_orders_create.json"))
    document["email"] = email
    document["customer"]["email"] = email
    deliver(client, shopify, json.dumps(document).encode(), "orders/create")
    return Order.objects.get()


def test_data_request_produces_an_export_staff_can_send(client, shopify, admin_client):
    order = shopify_order_for(client, shopify)
    assert deliver(client, shopify, store_bytes("shopify", "webhook_customers_data_request.json"),
                   "customers/data_request").status_code == 202
    request = StorePrivacyRequest.objects.get()
    assert request.kind == "customer.data_request" and request.completed_at is not None
    assert [o["number"] for o in request.export["orders"]] == [order.number]
    assert request.export["customers"][0]["email"] == "john@example.com"
    response = admin_client.post("/admin/tracking/storeprivacyrequest/",
                                 {"action": "download_export", "_selected_action": [request.pk]})
    assert response.status_code == 200 and b"john@example.com" in response.content


def test_customer_redact_erases_personal_data_and_keeps_money_and_delivery_facts(client, shopify):
    order = shopify_order_for(client, shopify)
    parcels = Shipment.objects.filter(order=order).count()
    assert deliver(client, shopify, store_bytes("shopify", "webhook_customers_redact.json"),
                   "customers/redact").status_code == 202
    order.refresh_from_db()
    customer = Customer.objects.get(pk=order.customer_id)
    assert customer.email.endswith("@erased.invalid") and customer.name == "" and customer.phone == ""
    assert order.ship_name == "" and order.ship_line1 == "" and order.ship_city == ""
    assert order.total == Decimal("331.81") and order.ship_postal_code == "K2P0V6" and order.ship_country == "CA"
    assert Shipment.objects.filter(order=order).count() == parcels
    assert StorePrivacyRequest.objects.get().erased == {"orders": 1, "customers": 1}


def test_customer_redact_for_someone_else_erases_nothing(client, shopify):
    order = shopify_order_for(client, shopify, email="other@example.com")
    deliver(client, shopify, store_bytes("shopify", "webhook_customers_redact.json"), "customers/redact")
    order.refresh_from_db()
    assert order.customer.email == "other@example.com" and order.ship_name


def test_shop_redact_erases_the_shop_and_disconnects(client, shopify):
    order = shopify_order_for(client, shopify)
    deliver(client, shopify, store_bytes("shopify", "webhook_shop_redact.json"), "shop/redact")
    order.refresh_from_db()
    shopify.refresh_from_db()
    assert order.customer.email.endswith("@erased.invalid") and shopify.state == "disconnected"


# --- write-back -------------------------------------------------------------------------------------
@responses.activate
def test_status_change_is_pushed_to_shopify_once(client, shopify):
    order = shopify_order_for(client, shopify)
    parcel = Shipment.objects.filter(order=order, tracking_number="1Z999AA10123456784").get()
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_fulfillment_event_create.json"))
    assert shipment_status_push(shipment_id=parcel.pk, status=st.IN_TRANSIT) == "pushed"
    sent = json.loads(responses.calls[0].request.body)
    assert sent["variables"]["fulfillmentEvent"]["fulfillmentId"] == "gid://shopify/Fulfillment/255858046"
    assert shipment_status_push(shipment_id=parcel.pk, status=st.IN_TRANSIT) == "already pushed"
    assert len(responses.calls) == 1
    assert StoreObjectLink.objects.get(kind="shipment", object_id=parcel.pk).pushed_status == st.IN_TRANSIT


def test_status_signal_queues_a_push_only_for_store_parcels(client, shopify, monkeypatch):
    from tracking import signals
    from tracking.stores import tasks

    pushed = []
    monkeypatch.setattr(tasks.push_shipment_status, "delay", lambda *args: pushed.append(args))
    order = shopify_order_for(client, shopify)
    parcel = Shipment.objects.filter(order=order).first()
    signals.shipment_status_changed.send(sender=Shipment, shipment_id=parcel.pk, merchant_id=order.merchant_id,
                                         old_status=st.PENDING, new_status=st.IN_TRANSIT, reason="")
    signals.shipment_status_changed.send(sender=Shipment, shipment_id=10**9, merchant_id=order.merchant_id,
                                         old_status=st.PENDING, new_status=st.IN_TRANSIT, reason="")
    assert pushed == [(parcel.pk, st.IN_TRANSIT)]


def test_nothing_is_pushed_for_a_disconnected_store(client, shopify):
    from tracking.stores.connections import connection_disconnect

    order = shopify_order_for(client, shopify)
    parcel = Shipment.objects.filter(order=order).first()
    connection_disconnect(connection=shopify)
    assert shipment_status_push(shipment_id=parcel.pk, status=st.DELIVERED) == "connection disconnected"


# --- refunds through the platform -------------------------------------------------------------------
@responses.activate
def test_refund_of_a_store_order_goes_through_shopify_and_is_not_counted_twice(client, shopify):
    from returns.models import RefundLedger
    from returns.payments.base import RefundRequestData
    from returns.payments.registry import get_gateway

    order = shopify_order_for(client, shopify)
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_order_transactions.json"))
    responses.post(GRAPHQL, json=store_json("shopify", "graphql_refund_create.json"))
    gateway = get_gateway(order.payment_gateway)
    result = gateway.refund(RefundRequestData(payment_reference=order.payment_reference, amount=Decimal("10.00"),
                                              currency=order.currency, idempotency_key="doorstep-return-1-payment-1"))
    assert result.status == "succeeded" and result.reference.startswith("shopify:")
    sent = json.loads(responses.calls[1].request.body)
    assert "[doorstep:doorstep-return-1-payment-1]" in sent["variables"]["input"]["note"]
    # Shopify then announces the refund with refunds/create: Doorstep's own refund is not mirrored.
    before = RefundLedger.objects.get(order=order).refunded_total
    refund_id = result.reference.split(":", 1)[1]
    document = json.loads(store_bytes("shopify", "webhook_refunds_create.json"))
    document.update(id=int(refund_id), note=f"Doorstep refund [doorstep:doorstep-return-1-payment-1]")
    deliver(client, shopify, json.dumps(document).encode(), "refunds/create")
    assert RefundLedger.objects.get(order=order).refunded_total == before


def test_refund_beyond_what_is_refundable_is_refused_before_any_call(client, shopify):
    from returns.payments.base import RefundDeclined, RefundRequestData
    from returns.payments.registry import get_gateway

    order = shopify_order_for(client, shopify)
    with pytest.raises(RefundDeclined):
        get_gateway("shopify").refund(RefundRequestData(
            payment_reference=order.payment_reference, amount=Decimal("50"), currency=order.currency,
            idempotency_key="k-1", known_refundable=Decimal("10")))

"""Privacy requests from a connected store (Shopify's mandatory compliance topics).

* customers/data_request: an export of what Doorstep holds on the shopper (StorePrivacyRequest.export),
  which staff download from the admin and send.
* customers/redact, shop/redact: erase personal data — names, emails, phones, street lines, free
  text — and keep the money and delivery facts metrics need (amounts, dates, statuses, postcode,
  country, carrier events). Other apps erase their own free text through ``customer_redacted``.
"""
from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from tracking.models import (
    Customer,
    Order,
    StoreConnection,
    StoreObjectLink,
    StorePrivacyRequest,
)
from tracking.stores import base as b

# Sent inside the erasing transaction with customer_id and merchant_id: returns and feedback blank
# their own free text (notes, comments) for that shopper.
customer_redacted = Signal()

P = StorePrivacyRequest.Kind


def _orders_for(connection: StoreConnection, request: b.ComplianceRequest):
    linked = list(StoreObjectLink.objects.filter(connection=connection, kind=StoreObjectLink.Kind.ORDER,
                                                 external_id__in=list(request.order_ids)).values_list("object_id",
                                                                                                      flat=True))
    customers = Customer.objects.filter(merchant_id=connection.merchant_id)
    who = Q(pk__in=[]) if not (request.customer_email or request.customer_id) else Q()
    if request.customer_email:
        who &= Q(email=request.customer_email.strip().lower())
    if request.customer_id and not request.customer_email:
        who &= Q(external_id=request.customer_id)
    customer_ids = list(customers.filter(who).values_list("pk", flat=True))
    return Order.objects.filter(merchant_id=connection.merchant_id).filter(
        Q(pk__in=[pk for pk in linked if pk]) | Q(customer_id__in=customer_ids)), customer_ids


def _export(orders, customer_ids) -> dict:
    customers = [{"email": c.email, "name": c.name, "phone": c.phone, "locale": c.locale}
                 for c in Customer.objects.filter(pk__in=customer_ids)]
    rows = []
    for order in orders.prefetch_related("lines", "shipments"):
        rows.append({
            "number": order.number, "placed_at": order.placed_at.isoformat(), "currency": order.currency,
            "total": str(order.total),
            "shipping_address": {"name": order.ship_name, "line1": order.ship_line1, "line2": order.ship_line2,
                                 "city": order.ship_city, "region": order.ship_region,
                                 "postal_code": order.ship_postal_code, "country": order.ship_country},
            "lines": [{"sku": line.sku, "title": line.title, "quantity": line.quantity} for line in order.lines.all()],
            "parcels": [{"carrier": s.carrier, "tracking_number": s.tracking_number, "status": s.status}
                        for s in order.shipments.all()],
        })
    return {"customers": customers, "orders": rows}


def _erase(connection: StoreConnection, orders, customer_ids) -> dict:
    order_ids = list(orders.values_list("pk", flat=True))
    customer_ids = set(customer_ids) | set(Order.objects.filter(pk__in=order_ids).values_list("customer_id", flat=True))
    erased_orders = Order.objects.filter(pk__in=order_ids).update(
        ship_name="", ship_line1="", ship_line2="", ship_city="")
    erased_customers = 0
    for customer in Customer.objects.filter(pk__in=customer_ids, merchant_id=connection.merchant_id):
        token = hashlib.sha256(f"{customer.pk}:{customer.email}".encode()).hexdigest()[:16]
        customer.email = f"erased-{token}@erased.invalid"
        customer.name = ""
        customer.phone = ""
        customer.external_id = ""
        customer.save(update_fields=["email", "name", "phone", "external_id"])
        erased_customers += 1
        customer_redacted.send(sender=Customer, customer_id=customer.pk, merchant_id=connection.merchant_id)
    StoreObjectLink.objects.filter(connection=connection, kind=StoreObjectLink.Kind.SHIPMENT,
                                   object_id__isnull=True).filter(data__has_key="number").update(data={})
    return {"orders": erased_orders, "customers": erased_customers}


@transaction.atomic
def privacy_request_handle(*, connection: StoreConnection, request: b.ComplianceRequest | None, delivery=None) -> str:
    if request is None:
        return "compliance delivery without a request"
    record = StorePrivacyRequest(connection=connection, merchant_id=connection.merchant_id, kind=request.kind,
                                 delivery=delivery, customer_external_id=request.customer_id[:64],
                                 customer_email=request.customer_email[:254], order_ids=list(request.order_ids),
                                 data_request_id=request.data_request_id[:64])
    if request.kind == b.TOPIC_SHOP_REDACT:
        order_ids = StoreObjectLink.objects.filter(connection=connection, kind=StoreObjectLink.Kind.ORDER,
                                                   object_id__isnull=False).values_list("object_id", flat=True)
        orders = Order.objects.filter(pk__in=list(order_ids), merchant_id=connection.merchant_id)
        record.erased = _erase(connection, orders, [])
        from tracking.stores.connections import connection_disconnect

        if connection.state != StoreConnection.State.DISCONNECTED:
            connection_disconnect(connection=connection, reason="shop data erased (shop/redact)")
    else:
        orders, customer_ids = _orders_for(connection, request)
        if request.kind == b.TOPIC_CUSTOMER_DATA_REQUEST:
            record.export = _export(orders, customer_ids)
        else:
            record.erased = _erase(connection, orders, customer_ids)
    record.completed_at = timezone.now()
    record.save()
    if record.kind == P.DATA_REQUEST:
        return f"data request recorded: {len(record.export.get('orders', []))} order(s) to send"
    return f"erased {record.erased.get('customers', 0)} customer(s), {record.erased.get('orders', 0)} order(s)"

"""What a year of a live shop leaves behind besides orders and parcels, so no admin screen is empty:
delivery-change requests, recommendation impressions, clicks and the orders they led to, outgoing
webhook deliveries and the inbound carrier-webhook log. Deterministic (the merchant's rng), bulk
inserts, no signals, nothing queued to send: every row is history."""
from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import datetime, timedelta

from tracking.carriers import status as st
from tracking.models import DeliveryRequest, Order, Shipment
from tracking.recommendations.models import Placement, RecommendationClick, RecommendationImpression

BATCH = 2000


def seed_activity(merchant, *, rng: random.Random, now: datetime) -> dict[str, int]:
    return {
        "delivery_requests": _delivery_requests(merchant, rng, now),
        "recommendation_clicks": _recommendations(merchant, rng, now),
        "webhook_deliveries": _webhooks_out(merchant, rng, now),
        "inbound_webhooks": _webhooks_in(merchant, rng, now),
    }


def set_timestamps(model, field: str, rows: list[tuple[datetime, int]]) -> None:
    """Put history back in time: bulk_create stamps auto_now_add fields with now. One prepared UPDATE
    for all (time, pk) rows (bulk_update's CASE per row would be the slowest step of the seed)."""
    from django.db import connection

    table, quote = model._meta.db_table, connection.ops.quote_name
    column = model._meta.get_field(field).column
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(adapt(at), pk) for at, pk in rows])


def _delivery_requests(merchant, rng, now) -> int:
    """Shoppers who answered a failed delivery, in every state a request can be in."""
    from tracking.delivery_changes.models import DeliveryRequestEvent

    parcels = list(Shipment.objects.filter(merchant=merchant, is_return=False, status=st.DELIVERED,
                                           tracking_number__startswith="DSFD")
                   .order_by("-delivered_at")[:24])
    Kind, Status, Route = DeliveryRequest.Kind, DeliveryRequest.Status, DeliveryRequest.Route
    plans = [(Kind.RESCHEDULE, Status.CARRIER_CONFIRMED, Route.CARRIER), (Kind.INSTRUCTIONS, Status.CARRIER_CONFIRMED,
             Route.CARRIER), (Kind.REDIRECT, Status.RESOLVED, Route.SUPPORT), (Kind.INSTRUCTIONS, Status.OPEN,
             Route.SUPPORT), (Kind.RESCHEDULE, Status.IN_PROGRESS, Route.SUPPORT)]
    korean = merchant.default_locale == "ko"
    notes = ("경비실에 맡겨 주세요", "문 앞에 놓아 주세요") if korean else ("Leave it with the doorman", "Side door, please")
    requests = []
    for index, shipment in enumerate(parcels):
        kind, status, route = plans[index % len(plans)]
        asked_on = (shipment.delivered_at or now) - timedelta(days=1)
        requests.append(DeliveryRequest(
            merchant=merchant, shipment=shipment, kind=kind, status=status, route=route,
            requested_date=asked_on.date() + timedelta(days=1) if kind == Kind.RESCHEDULE else None,
            pickup_point_id="MCK-SP-1" if kind == Kind.REDIRECT else "",
            pickup_point_label="Parcelway Service Point" if kind == Kind.REDIRECT else "",
            instructions=rng.choice(notes) if kind == Kind.INSTRUCTIONS else "",
            carrier_confirmation=f"PW-{rng.randint(100000, 999999)}" if status == Status.CARRIER_CONFIRMED else "",
            carrier_attempts=1 if route == Route.CARRIER else 0, idempotency_key=f"demo-{shipment.pk}",
        ))
    DeliveryRequest.objects.bulk_create(requests, batch_size=BATCH)
    events = [DeliveryRequestEvent(request=r, actor_label="shopper", from_status="", to_status=Status.OPEN)
              for r in requests]
    events += [DeliveryRequestEvent(request=r, actor_label="carrier" if r.route == Route.CARRIER else "system",
                                    from_status=Status.OPEN, to_status=r.status)
               for r in requests if r.status != Status.OPEN]
    DeliveryRequestEvent.objects.bulk_create(events, batch_size=BATCH)
    # The request was made the day before the parcel was delivered.
    set_timestamps(DeliveryRequest, "created_at",
                   [((r.shipment.delivered_at or now) - timedelta(days=1), r.pk) for r in requests])
    return len(requests)


def _recommendations(merchant, rng, now) -> int:
    """The widget shown on tracking pages; some shoppers click, and some clicks become their next order."""
    orders = list(Order.objects.filter(merchant=merchant).order_by("placed_at")
                  .values_list("pk", "customer_id", "placed_at"))
    lines = {}
    for order_id, product_id in Order.objects.filter(merchant=merchant).values_list("pk", "lines__variant__product_id"):
        lines.setdefault(order_id, []).append(product_id)
    products = sorted({p for ps in lines.values() for p in ps if p})
    next_order = {}
    for order_id, customer_id, placed_at in reversed(orders):
        next_order[order_id] = next_order.get(("c", customer_id))
        next_order[("c", customer_id)] = (order_id, placed_at)
    impressions, clicks = [], []
    for order_id, customer_id, placed_at in orders:
        if rng.random() > 0.6:
            continue
        shown_at = placed_at + timedelta(days=rng.uniform(1, 4))
        if shown_at > now:
            continue
        following = next_order.get(order_id)
        shown = rng.sample(products, k=min(4, len(products)))
        if following and rng.random() < 0.35:
            # The product the shopper went on to buy was among those shown, and they clicked it.
            bought = lines.get(following[0], [None])[0]
            if bought:
                shown[0] = bought
        impression = RecommendationImpression(id=uuid.UUID(int=rng.getrandbits(128)), merchant=merchant,
                                              order_id=order_id, customer_id=customer_id,
                                              placement=Placement.TRACKING, product_ids=shown, shown_at=shown_at)
        impressions.append(impression)
        clicked = following is not None and shown[0] in lines.get(following[0], []) or rng.random() < 0.06
        if clicked:
            at = shown_at + timedelta(minutes=rng.randint(1, 90))
            if following and following[1] > at:
                at = min(at, following[1] - timedelta(minutes=5))
            clicks.append(RecommendationClick(merchant=merchant, impression_id=impression.id, product_id=shown[0],
                                              customer_id=customer_id, placement=Placement.TRACKING, clicked_at=at))
    RecommendationImpression.objects.bulk_create(impressions, batch_size=BATCH)
    RecommendationClick.objects.bulk_create(clicks, batch_size=BATCH)
    return len(clicks)


def _webhooks_out(merchant, rng, now) -> int:
    """The shop's own endpoint (paused, so the demo never calls out) and its delivery log."""
    from tracking.webhooks_out.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(
        merchant=merchant, url=f"https://{merchant.slug}.example.com/hooks/doorstep",
        description="Order system (demo, paused)", secret=hashlib.sha256(f"demo:{merchant.slug}".encode()).hexdigest(),
        is_active=False)
    shipments = list(Shipment.objects.filter(merchant=merchant, is_return=False)
                     .order_by("-last_event_at").values_list("pk", "tracking_number", "status", "last_event_at")[:60])
    deliveries = []
    for index, (pk, number, status, at) in enumerate(shipments):
        at = at or now
        failed = index % 17 == 5
        body = json.dumps({"type": f"shipment.{status}", "data": {"tracking_number": number, "status": status}},
                          separators=(",", ":"))
        deliveries.append(WebhookDelivery(
            merchant=merchant, endpoint=endpoint, event_id=f"evt_demo_{merchant.pk}_{pk}",
            event_type=f"shipment.{status}", body=body,
            status=WebhookDelivery.Status.FAILED if failed else WebhookDelivery.Status.SUCCEEDED,
            attempt_count=6 if failed else 1, last_status_code=503 if failed else 200, completed_at=at))
    WebhookDelivery.objects.bulk_create(deliveries, batch_size=BATCH)
    set_timestamps(WebhookDelivery, "created_at", [(d.completed_at, d.pk) for d in deliveries])
    attempts = []
    for delivery in deliveries:
        for number in range(1, delivery.attempt_count + 1):
            code = delivery.last_status_code if number == delivery.attempt_count else 503
            attempts.append(WebhookAttempt(delivery=delivery, number=number, started_at=delivery.completed_at,
                                           duration_ms=rng.randint(40, 900), status_code=code,
                                           response_excerpt="ok" if code == 200 else "Service Unavailable"))
    WebhookAttempt.objects.bulk_create(attempts, batch_size=BATCH)
    return len(deliveries)


def _webhooks_in(merchant, rng, now) -> int:
    """A carrier account and the log of what its webhook received: mostly accepted, a few refused."""
    from tracking.ingest.models import CarrierAccount, InboundWebhook

    account, _ = CarrierAccount.objects.get_or_create(merchant=merchant, carrier="mock", label="demo")
    numbers = list(Shipment.objects.filter(merchant=merchant, is_return=False)
                   .order_by("-last_event_at").values_list("tracking_number", flat=True)[:80])
    V = InboundWebhook.Verdict
    rows = []
    for index, number in enumerate(numbers):
        verdict = (V.DUPLICATE if index % 13 == 3 else V.REJECTED_SIGNATURE if index % 29 == 7
                   else V.REJECTED_STALE if index % 31 == 11 else V.ACCEPTED)
        body = json.dumps({"tracking_number": number, "event": "scan"}).encode()
        rows.append(InboundWebhook(
            account=account, merchant=merchant, public_id=account.public_id,
            headers={"content-type": "application/json", "user-agent": "Parcelway-Webhooks/2.1"},
            body=body, body_size=len(body), remote_addr="203.0.113.10", verdict=verdict,
            reason="" if verdict in (V.ACCEPTED, V.DUPLICATE) else verdict.label,
            provider_event_id=f"pw_{merchant.pk}_{index}" if verdict == V.ACCEPTED else "",
            processed_at=now if verdict == V.ACCEPTED else None, processing_attempts=int(verdict == V.ACCEPTED),
            events_created=1 if verdict == V.ACCEPTED else 0))
    InboundWebhook.objects.bulk_create(rows, batch_size=BATCH)
    set_timestamps(InboundWebhook, "received_at", [(now - timedelta(minutes=37 * i), row.pk)
                                                   for i, row in enumerate(rows)])
    return len(rows)

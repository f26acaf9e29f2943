"""Returns for a demo merchant (registered on tracking.extensions.DEMO_SEEDERS): about one delivered
order in twelve comes back, older ones finished (refunded, credited, exchanged, rejected, closed),
recent ones at every step of the queue. Rows are written directly, each with its audit trail, as the
workflow would have left them; no money moves, no label is bought and nothing is emailed."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from tracking.carriers import status as st
from tracking.demo.activity import set_timestamps
from tracking.money import quantize
from tracking.models import OrderLine, Shipment

from returns.models import Resolution, ReturnEvent, ReturnLine, ReturnMethod, ReturnRequest, ReturnStatus
from returns.services import return_policy_ensure

BATCH = 2000
S = ReturnStatus
# Where a return of this age (days since it was asked for) stands now.
_RECENT = (S.REQUESTED, S.REQUESTED, S.APPROVED, S.APPROVED, S.IN_TRANSIT, S.RECEIVED, S.INSPECTED)
_FINAL = {Resolution.REFUND: S.REFUNDED, Resolution.STORE_CREDIT: S.CREDITED, Resolution.EXCHANGE: S.EXCHANGED}
_STEP_AT = {S.APPROVED: "approved_at", S.IN_TRANSIT: "in_transit_at", S.RECEIVED: "received_at",
            S.INSPECTED: "inspected_at", S.REFUNDED: "resolved_at", S.CREDITED: "resolved_at",
            S.EXCHANGED: "resolved_at"}
COMMENTS = {"en": ("Too small in the shoulders.", "Colour is darker than the photo.", "", ""),
            "ko": ("사이즈가 작아요.", "사진보다 색이 어두워요.", "", "")}


def _path(final: str) -> list[str]:
    happy = [S.REQUESTED, S.APPROVED, S.IN_TRANSIT, S.RECEIVED, S.INSPECTED]
    if final == S.REJECTED:
        return [S.REQUESTED, S.REJECTED]
    if final == S.CLOSED:
        return [S.REQUESTED, S.APPROVED, S.CLOSED]  # never sent back
    if final in happy:
        return happy[: happy.index(final) + 1]
    return happy + [final]


def seed_returns(*, merchant, rng: random.Random, now: datetime) -> dict[str, int]:
    policy = return_policy_ensure(merchant=merchant)
    reasons = list(policy.reasons.filter(is_active=True))
    delivered = (Shipment.objects.filter(merchant=merchant, is_return=False, status=st.DELIVERED,
                                         delivered_at__gte=now - timedelta(days=365))
                 .select_related("order__customer").order_by("order_id"))
    chosen, seen = [], set()
    for shipment in delivered.iterator(chunk_size=2000):
        # Recent deliveries fill today's queues; older ones are finished history.
        chance = 0.25 if shipment.delivered_at > now - timedelta(days=30) else 0.085
        if shipment.order_id not in seen and rng.random() < chance:
            chosen.append(shipment)
        seen.add(shipment.order_id)
    lines = {}
    for line in OrderLine.objects.filter(order_id__in=[s.order_id for s in chosen]).order_by("pk"):
        lines.setdefault(line.order_id, []).append(line)
    requests, plans, recent = [], [], 0
    for shipment in chosen:
        order = shipment.order
        asked = shipment.delivered_at + timedelta(days=rng.uniform(1, 12))
        if asked > now - timedelta(hours=2) or order.pk not in lines:
            continue
        age = (now - asked).days
        resolution = rng.choice((Resolution.REFUND, Resolution.REFUND, Resolution.STORE_CREDIT, Resolution.EXCHANGE))
        if age < 30:
            final = _RECENT[recent % len(_RECENT)]  # every queue gets some
            recent += 1
        else:
            final = rng.choices([_FINAL[resolution], S.REJECTED, S.CLOSED], [0.86, 0.07, 0.07])[0]
        reason = rng.choice(reasons)
        returned = [(line, rng.randint(1, line.quantity)) for line in lines[order.pk][: rng.choice((1, 1, 2))]]
        items = sum((line.unit_price * qty for line, qty in returned), Decimal(0))
        bonus = quantize(items * policy.store_credit_bonus_percent / 100, order.currency) \
            if resolution == Resolution.STORE_CREDIT else Decimal(0)
        language = order.customer.locale or merchant.default_locale
        rr = ReturnRequest(
            merchant=merchant, order=order, customer=order.customer, idempotency_key=f"demo-{order.pk}",
            status=final, resolution=resolution, method=rng.choice((ReturnMethod.DROP_OFF, ReturnMethod.DROP_OFF,
                                                                    ReturnMethod.LABEL)),
            reason_code=reason.code, reason_label=reason.label, locale=language[:5],
            comment=rng.choice(COMMENTS["ko" if language == "ko" else "en"]), currency=order.currency,
            items_total=items, refund_amount=items if resolution != Resolution.EXCHANGE else Decimal(0),
            credit_bonus=bonus, co2_grams=rng.randint(250, 900),
            rejection_reason="Item shows signs of use." if final == S.REJECTED else "",
            decision={"approval": {"auto": True, "reasons": ["within_limits"]}, "customer_return_rate": 0,
                      "lines": {}, "quote": {"currency": order.currency, "items_total": str(items),
                                             "restocking_fee": "0", "shipping_fee": "0",
                                             "refund_amount": str(items), "credit_bonus": str(bonus)}},
            created_at=asked,
        )
        path = _path(final)
        moment = asked
        for state in path[1:]:
            moment = min(now, moment + timedelta(hours=rng.randint(6, 60)))
            if state in _STEP_AT:
                setattr(rr, _STEP_AT[state], moment)
        requests.append(rr)
        plans.append((rr, returned, path, asked))
    parcels = _return_parcels(merchant, plans)
    ReturnRequest.objects.bulk_create(requests, batch_size=BATCH)
    # created_at is auto_now_add: put each return back on the day it was asked for.
    set_timestamps(ReturnRequest, "created_at", [(asked, rr.pk) for rr, _returned, _path, asked in plans])
    return_lines, events = [], []
    for rr, returned, path, asked in plans:
        done = rr.status in (S.INSPECTED, S.REFUNDED, S.CREDITED, S.EXCHANGED)
        for line, qty in returned:
            return_lines.append(ReturnLine(
                return_request=rr, order_line=line, quantity=qty, unit_price=line.unit_price,
                inspection=ReturnLine.Inspection.ACCEPTED if done else ReturnLine.Inspection.PENDING,
                accepted_quantity=qty if done else None))
        moment = asked
        for before, after in zip([""] + path, path):
            events.append(ReturnEvent(return_request=rr, from_status=before, to_status=after,
                                      actor=ReturnEvent.Actor.SHOPPER if not before else ReturnEvent.Actor.SYSTEM,
                                      created_at=moment))
            moment = getattr(rr, _STEP_AT.get(after, ""), None) or moment
    ReturnLine.objects.bulk_create(return_lines, batch_size=BATCH)
    # bulk_create stamps auto_now_add fields on the instances: remember when each step really happened.
    moments = [event.created_at for event in events]
    ReturnEvent.objects.bulk_create(events, batch_size=BATCH)
    set_timestamps(ReturnEvent, "created_at", [(at, event.pk) for at, event in zip(moments, events)])
    return {"returns": len(requests), "return_parcels": parcels}


def _return_parcels(merchant, plans) -> int:
    """The parcel each return that was sent back travels in (the return rate counts these)."""
    from tracking.carriers import mock

    parcels = []
    for rr, _returned, _path, _asked in plans:
        if rr.in_transit_at is None:
            continue
        arrived = rr.received_at
        number = mock.make_tracking_number("return_to_warehouse", rr.in_transit_at, rr.order_id % 900000)
        parcels.append(Shipment(
            merchant=merchant, order=rr.order, carrier="mock", service_level="standard", tracking_number=number,
            is_return=True, status=st.DELIVERED if arrived else st.IN_TRANSIT, shipped_at=rr.in_transit_at,
            delivered_at=arrived, last_event_at=arrived or rr.in_transit_at,
            origin_country=rr.order.ship_country, destination_country=merchant.country))
        rr.shipment = parcels[-1]
    Shipment.objects.bulk_create(parcels, batch_size=BATCH)
    for rr, *_rest in plans:
        if rr.shipment is not None:
            rr.shipment_id = rr.shipment.pk
    return len(parcels)

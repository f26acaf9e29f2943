"""The mock carrier's webhook scheme: signing, verification, payloads and a delivery simulator.

Signature (what ``simulate_carrier`` sends and the ingestion endpoint checks)::

    X-Mock-Timestamp: <unix seconds>
    X-Mock-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.".encode() + raw_body)>[,v1=<…>]

Several ``v1=`` values may be sent while the carrier rotates secrets; any one matching any of our
accepted secrets is enough.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from datetime import UTC, date, datetime, timedelta
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from tracking.carriers.base import CarrierCredentials, TrackingEventData, TrackingResult, WebhookRejected, header
from tracking.carriers.mock import scenarios

TIMESTAMP_HEADER = "X-Mock-Timestamp"
SIGNATURE_HEADER = "X-Mock-Signature"
EVENT_TYPE = "tracking.updated"


def signature(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign_webhook(secret: str | Sequence[str], body: bytes, timestamp: int) -> dict[str, str]:
    """Headers for a delivery. Pass several secrets to sign with each (as a carrier does mid-rotation)."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    return {
        TIMESTAMP_HEADER: str(int(timestamp)),
        SIGNATURE_HEADER: ",".join(f"v1={signature(s, body, int(timestamp))}" for s in secrets),
        "Content-Type": "application/json",
    }


def verify(
    *,
    headers: Mapping[str, str],
    body: bytes,
    credentials: CarrierCredentials,
    tolerance: int,
    now: float | None = None,
) -> None:
    raw_timestamp = header(headers, TIMESTAMP_HEADER).strip()
    raw_signature = header(headers, SIGNATURE_HEADER).strip()
    if not raw_timestamp or not raw_signature:
        raise WebhookRejected("missing X-Mock-Timestamp or X-Mock-Signature", status=401,
                              reason_code=WebhookRejected.REASON_SIGNATURE)
    if not (raw_timestamp.isascii() and raw_timestamp.isdigit()) or len(raw_timestamp) > 12:
        raise WebhookRejected("X-Mock-Timestamp is not unix seconds", status=400)
    offered = []
    for part in raw_signature.split(","):
        scheme, _, value = part.strip().partition("=")
        if scheme != "v1":
            continue  # unknown future schemes are ignored, as long as one v1 is present
        offered.append(value.strip().lower())
    if not offered:
        raise WebhookRejected("X-Mock-Signature has no v1= signature", status=400)
    secrets = [s for s in (credentials.webhook_secret, *credentials.previous_webhook_secrets) if s]
    if not secrets:
        raise WebhookRejected("no webhook secret configured for this carrier account", status=401,
                              reason_code=WebhookRejected.REASON_SIGNATURE)
    timestamp = int(raw_timestamp)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookRejected("timestamp outside the allowed window", status=401,
                              reason_code=WebhookRejected.REASON_STALE)
    matched = False
    for secret in secrets:
        expected = signature(secret, body, timestamp)
        for candidate in offered:
            # No early exit: every pair is compared so timing does not reveal which secret matched.
            matched |= hmac.compare_digest(expected.encode(), candidate.encode("ascii", "replace"))
    if not matched:
        raise WebhookRejected("signature does not match", status=401, reason_code=WebhookRejected.REASON_SIGNATURE)


# --- Payloads -------------------------------------------------------------------------------------
def event_json(event: TrackingEventData) -> dict:
    return {
        "id": event.carrier_event_id,
        "status_code": event.carrier_code,
        "description": event.carrier_text,
        "location": event.location,
        "occurred_at": event.occurred_at.isoformat(),
    }


def webhook_payload(
    tracking_number: str,
    events: Iterable[TrackingEventData],
    delivery_id: str,
    *,
    estimated_delivery: date | None = None,
) -> bytes:
    document = {
        "id": delivery_id,
        "type": EVENT_TYPE,
        "data": {
            "tracking_number": tracking_number,
            "estimated_delivery": estimated_delivery.isoformat() if estimated_delivery else None,
            "events": [event_json(event) for event in events],
        },
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _reject(message: str) -> WebhookRejected:
    return WebhookRejected(message, status=422)


def _text(value, field: str, *, required: bool = True, limit: int = 500) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise _reject(f"{field} must be a non-empty string of at most {limit} characters")
    return value.strip()


def parse(body: bytes, *, carrier: str, tracking_url: Callable[[str], str]) -> list[TrackingResult]:
    try:
        document = json.loads(body)
    except (ValueError, TypeError, RecursionError):
        raise WebhookRejected("body is not JSON", status=400) from None
    if not isinstance(document, dict):
        raise _reject("body must be a JSON object")
    if document.get("type") != EVENT_TYPE:
        raise _reject(f"unknown webhook type {document.get('type')!r:.60}")
    delivery_id = _text(document.get("id"), "id", limit=200)
    data = document.get("data")
    if not isinstance(data, dict):
        raise _reject("data must be an object")
    tracking_number = _text(data.get("tracking_number"), "data.tracking_number", limit=64).upper()
    estimated = data.get("estimated_delivery")
    try:
        estimated_delivery = date.fromisoformat(estimated) if estimated is not None else None
    except (TypeError, ValueError):
        raise _reject("data.estimated_delivery must be YYYY-MM-DD or null") from None
    raw_events = data.get("events")
    if not isinstance(raw_events, list):
        raise _reject("data.events must be a list")
    events = [_parse_event(raw, index) for index, raw in enumerate(raw_events)]
    return [
        TrackingResult(
            tracking_number=tracking_number,
            carrier=carrier,
            events=events,
            estimated_delivery=estimated_delivery,
            carrier_url=tracking_url(tracking_number),
            provider_event_id=delivery_id,
        )
    ]


def _parse_event(raw, index: int) -> TrackingEventData:
    where = f"data.events[{index}]"
    if not isinstance(raw, dict):
        raise _reject(f"{where} must be an object")
    code = _text(raw.get("status_code"), f"{where}.status_code", limit=32)
    if code not in scenarios.STATUS_MAP:
        raise _reject(f"{where}.status_code {code!r:.40} is not a mock carrier code")
    status, reason, default_text = scenarios.STATUS_MAP[code]
    try:
        occurred_at = datetime.fromisoformat(_text(raw.get("occurred_at"), f"{where}.occurred_at", limit=40))
    except ValueError:
        raise _reject(f"{where}.occurred_at is not ISO 8601") from None
    if occurred_at.tzinfo is None:
        raise _reject(f"{where}.occurred_at needs a UTC offset")
    return TrackingEventData(
        occurred_at=occurred_at,
        status=status,
        reason=reason,
        carrier_code=code,
        carrier_text=_text(raw.get("description"), f"{where}.description", required=False) or default_text,
        location=_text(raw.get("location"), f"{where}.location", required=False, limit=200),
        carrier_event_id=_text(raw.get("id"), f"{where}.id", limit=100),
    )


# --- Simulator ------------------------------------------------------------------------------------
def simulate_deliveries(
    *,
    secret: str,
    count: int,
    scenario_mix: Sequence[str] = scenarios.SCENARIOS,
    duplicate_rate: float = 0.1,
    out_of_order_rate: float = 0.1,
    seed: int = 0,
    serial_start: int = 0,
    now: datetime | None = None,
    clock: Callable[[], float] = time.time,
    language: str = "en",
) -> Iterator[tuple[dict[str, str], bytes]]:
    """Yield ``count`` signed (headers, body) deliveries, as a carrier would send them.

    Shipments are drawn round-robin from ``scenario_mix`` and shipped far enough in the past that
    their timelines are complete; each event goes out in its own delivery. With the given rates a
    delivery is re-sent (same delivery id: a carrier retry) or swapped with the next one of the same
    shipment (out of order). Signing happens as each delivery is taken, so a slow consumer never
    sends stale timestamps. ``language="ko"`` sends Korean texts and places.
    """
    rng = random.Random(seed)
    reference = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
    produced = 0
    shipment = 0
    while produced < count:
        scenario = scenario_mix[shipment % len(scenario_mix)]
        shipped_at = reference - timedelta(days=20) + timedelta(minutes=shipment % 1440)
        number = scenarios.make_tracking_number(scenario, shipped_at, serial_start + shipment)
        shipment += 1
        deliveries = [
            (f"dlv_{number}_{index:02d}", event) for index, event in enumerate(scenarios.all_scenario_events(number, language=language))
        ]
        index = 0
        while index < len(deliveries):
            if index + 1 < len(deliveries) and rng.random() < out_of_order_rate:
                deliveries[index], deliveries[index + 1] = deliveries[index + 1], deliveries[index]
            delivery_id, event = deliveries[index]
            body = webhook_payload(number, [event], delivery_id, estimated_delivery=scenarios.estimated_delivery(number, now=event.occurred_at))
            copies = 2 if rng.random() < duplicate_rate else 1
            for _ in range(copies):
                if produced >= count:
                    return
                yield sign_webhook(secret, body, int(clock())), body
                produced += 1
            index += 1

"""Pure functions: Shippo Track objects and ``track_updated`` webhooks → Doorstep dataclasses."""
from __future__ import annotations

import hashlib

from tracking.carriers.base import TrackingEventData, TrackingResult, WebhookRejected
from tracking.carriers.parsing import join_location, parse_date, parse_datetime, stable_id, text
from tracking.carriers.shippo import status_map

SLUG = "shippo"
TRACK_EVENT = "track_updated"


def parse_track(track: dict, *, provider_event_id: str = "", carrier_url: str = "") -> TrackingResult:
    if not isinstance(track, dict) or not isinstance(track.get("tracking_number"), str):
        raise ValueError("not a Shippo Track object")
    number = track["tracking_number"].strip().upper()
    history = track.get("tracking_history") if isinstance(track.get("tracking_history"), list) else []
    entries = list(history)
    # The current status is usually repeated as the last history entry; object_id dedupes it.
    if isinstance(track.get("tracking_status"), dict):
        entries.append(track["tracking_status"])
    events, seen = [], set()
    for entry in entries:
        event = _parse_entry(number, entry, track)
        if event is not None and event.carrier_event_id not in seen:
            seen.add(event.carrier_event_id)
            events.append(event)
    events.sort(key=lambda e: e.occurred_at)
    servicelevel = track.get("servicelevel") if isinstance(track.get("servicelevel"), dict) else {}
    return TrackingResult(
        tracking_number=number,
        carrier=SLUG,
        events=events,
        estimated_delivery=parse_date(track.get("eta")),
        service_level=text(servicelevel.get("name"), 100),
        carrier_url=carrier_url,
        provider_event_id=provider_event_id,
    )


def _parse_entry(number: str, entry, track: dict) -> TrackingEventData | None:
    if not isinstance(entry, dict):
        return None
    occurred_at = parse_datetime(entry.get("status_date"))
    if occurred_at is None:
        return None
    raw_status = text(entry.get("status"), 20)
    substatus = entry.get("substatus") if isinstance(entry.get("substatus"), dict) else {}
    code = text(substatus.get("code"), 40)
    status, reason = status_map.canonical(raw_status, code)
    location = entry.get("location") if isinstance(entry.get("location"), dict) else {}
    details = {"carrier": text(track.get("carrier"), 40)} if track.get("carrier") else {}
    if substatus.get("action_required") is True:
        details["action_required"] = True
    return TrackingEventData(
        occurred_at=occurred_at,
        status=status,
        reason=reason,
        carrier_code=f"{raw_status}/{code}" if code else raw_status,
        carrier_text=text(entry.get("status_details")) or text(substatus.get("text")),
        location=join_location(location.get("city"), location.get("state"), location.get("zip"), location.get("country")),
        carrier_event_id=text(entry.get("object_id"), 64) or stable_id(number, entry.get("status_date"), raw_status, code),
        details=details,
    )


def parse_webhook(document: dict, body: bytes, *, carrier_url) -> list[TrackingResult]:
    """``track_updated`` becomes a result; Shippo's other events (transactions, batches) are
    acknowledged with none. Shippo deliveries carry no id, so a digest of the body stands in:
    an identical retry dedupes, a new update does not."""
    event = document.get("event")
    if not isinstance(event, str) or not isinstance(document.get("data"), dict):
        raise WebhookRejected("not a Shippo webhook (needs 'event' and a 'data' object)", status=422)
    if event != TRACK_EVENT:
        return []
    delivery_id = "shippo_" + hashlib.sha256(body).hexdigest()[:32]
    try:
        track = document["data"]
        number = text(track.get("tracking_number"), 64)
        return [parse_track(track, provider_event_id=delivery_id, carrier_url=carrier_url(number))]
    except ValueError as exc:
        raise WebhookRejected(str(exc), status=422) from None

"""Pure functions: EasyPost JSON (Tracker objects and Event webhooks) → Doorstep dataclasses."""
from __future__ import annotations

from tracking.carriers.base import TrackingEventData, TrackingResult, WebhookRejected
from tracking.carriers.parsing import join_location, parse_date, parse_datetime, stable_id, text
from tracking.carriers.easypost import status_map

SLUG = "easypost"
TRACKER_EVENTS = frozenset({"tracker.created", "tracker.updated"})


def parse_tracker(tracker: dict, *, provider_event_id: str = "") -> TrackingResult:
    if not isinstance(tracker, dict) or not isinstance(tracker.get("tracking_code"), str):
        raise ValueError("not an EasyPost Tracker object")
    tracking_number = tracker["tracking_code"].strip().upper()
    details = tracker.get("tracking_details") or []
    events = [
        event
        for detail in (details if isinstance(details, list) else [])
        if (event := _parse_detail(tracking_number, detail, tracker)) is not None
    ]
    carrier_detail = tracker.get("carrier_detail") if isinstance(tracker.get("carrier_detail"), dict) else {}
    return TrackingResult(
        tracking_number=tracking_number,
        carrier=SLUG,
        events=events,
        estimated_delivery=parse_date(tracker.get("est_delivery_date"))
        or parse_date(carrier_detail.get("est_delivery_date_local")),
        service_level=text(carrier_detail.get("service"), 100),
        carrier_url=text(tracker.get("public_url"), 500),
        provider_event_id=provider_event_id,
    )


def _parse_detail(tracking_number: str, detail, tracker: dict) -> TrackingEventData | None:
    if not isinstance(detail, dict):
        return None
    occurred_at = parse_datetime(detail.get("datetime"))
    if occurred_at is None:
        return None  # a scan without a time cannot be ordered; EasyPost always sends one in practice
    raw_status, raw_detail = text(detail.get("status"), 40), text(detail.get("status_detail"), 60)
    status, reason = status_map.canonical(raw_status, raw_detail)
    location = detail.get("tracking_location") if isinstance(detail.get("tracking_location"), dict) else {}
    message = text(detail.get("message")) or text(detail.get("description"))
    extras = {}
    if status == "delivered":
        extras = {"signed_by": text(tracker.get("signed_by"), 100), "photo_url": ""}
    carrier = text(tracker.get("carrier"), 40)
    if carrier:
        extras["carrier"] = carrier
    return TrackingEventData(
        occurred_at=occurred_at,
        status=status,
        reason=reason,
        carrier_code=f"{raw_status}/{raw_detail}" if raw_detail else raw_status,
        carrier_text=message,
        location=join_location(location.get("city"), location.get("state"), location.get("zip"), location.get("country")),
        carrier_event_id=stable_id(tracking_number, detail.get("datetime"), raw_status, raw_detail, message),
        details=extras,
    )


def parse_event(document: dict) -> list[TrackingResult]:
    """A webhook Event. Tracker events become results; other Event kinds (batches, refunds…) are
    acknowledged with no results so EasyPost does not retry them forever."""
    if document.get("object") != "Event" or not isinstance(document.get("description"), str):
        raise WebhookRejected("not an EasyPost Event", status=422)
    if document["description"] not in TRACKER_EVENTS:
        return []
    result = document.get("result")
    if not isinstance(result, dict) or result.get("object") != "Tracker":
        raise WebhookRejected("tracker event without a Tracker result", status=422)
    try:
        return [parse_tracker(result, provider_event_id=text(document.get("id"), 100))]
    except ValueError as exc:
        raise WebhookRejected(str(exc), status=422) from None

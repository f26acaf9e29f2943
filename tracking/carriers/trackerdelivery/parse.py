"""Pure functions: tracker.delivery GraphQL bodies and webhook callbacks -> Doorstep dataclasses.

GraphQL answers 200 even when it fails: ``errors[].extensions.code`` (UNAUTHENTICATED, FORBIDDEN,
BAD_REQUEST, NOT_FOUND, INTERNAL) says what went wrong, and ``raise_for_errors`` turns it into the
base error types. A callback names a parcel and nothing else, so it becomes a result with no events
and ``needs_retrack=True``."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from tracking.carriers import companies
from tracking.carriers.base import (
    AuthError,
    CarrierError,
    CarrierUnavailable,
    InvalidRequest,
    NotFound,
    RateLimited,
    TrackingEventData,
    TrackingResult,
    WebhookRejected,
)
from tracking.carriers.detect import normalize
from tracking.carriers.parsing import parse_datetime, stable_id, text
from tracking.carriers.trackerdelivery import status_map

SLUG = "trackerdelivery"
SEOUL = ZoneInfo("Asia/Seoul")  # the API's times carry an offset; a bare one is Korean local time

ERROR_CODES: dict[str, type[CarrierError]] = {
    "NOT_FOUND": NotFound,
    "BAD_REQUEST": InvalidRequest,
    "UNAUTHENTICATED": AuthError,
    "FORBIDDEN": AuthError,
    "INTERNAL": CarrierUnavailable,
    # Not in the published ErrorCode enum (rate limits normally come as HTTP 429), but the names a
    # GraphQL gateway uses when it reports one inside a 200.
    "TOO_MANY_REQUESTS": RateLimited,
    "RATE_LIMITED": RateLimited,
}


def raise_for_errors(document, *, retry_after: float | None = None) -> dict:
    """The ``data`` object of a GraphQL answer, or the CarrierError its first error stands for.
    An unknown code is a CarrierUnavailable (retried later), never silently ignored."""
    if not isinstance(document, dict):
        raise CarrierUnavailable("tracker.delivery answered with something that is not a GraphQL response")
    errors = document.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        extensions = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
        code = text(extensions.get("code"), 40).upper()
        message = text(first.get("message"), 200) or "no message"
        error = ERROR_CODES.get(code, CarrierUnavailable)
        raise error(f"tracker.delivery {code or 'error'}: {message}", retry_after=retry_after)
    data = document.get("data")
    if not isinstance(data, dict):
        raise CarrierUnavailable("tracker.delivery answered without 'data' or 'errors'")
    return data


def parse_track(document, *, tracking_number: str, carrier_code: str, carrier_url: str = "",
                retry_after: float | None = None) -> TrackingResult:
    data = raise_for_errors(document, retry_after=retry_after)
    track = data.get("track")
    if track is None:
        raise NotFound(f"tracker.delivery knows no parcel {tracking_number} at {carrier_code}")
    if not isinstance(track, dict):
        raise CarrierUnavailable("tracker.delivery answered with a 'track' that is not an object")
    number = normalize(text(track.get("trackingNumber"), 64)) or tracking_number
    nodes = []
    events_connection = track.get("events") if isinstance(track.get("events"), dict) else {}
    edges = events_connection.get("edges") if isinstance(events_connection.get("edges"), list) else []
    for edge in edges:
        if isinstance(edge, dict) and isinstance(edge.get("node"), dict):
            nodes.append(edge["node"])
    # lastEvent may be one the page of events does not hold (or the API's pick of the most likely
    # state); the stable id makes a copy of a listed event collapse into it.
    if isinstance(track.get("lastEvent"), dict):
        nodes.append(track["lastEvent"])
    events, seen = [], set()
    for node in nodes:
        event = _parse_event(number, node)
        if event is not None and event.carrier_event_id not in seen:
            seen.add(event.carrier_event_id)
            events.append(event)
    if not events:
        raise NotFound(f"tracker.delivery has no events for {number} at {carrier_code} yet")
    events.sort(key=lambda e: e.occurred_at)
    return TrackingResult(tracking_number=number, carrier=SLUG, events=events, carrier_url=carrier_url,
                          carrier_code=carrier_code)


def _parse_event(number: str, node: dict) -> TrackingEventData | None:
    occurred_at = parse_datetime(node.get("time"), assume=SEOUL)
    if occurred_at is None:
        return None  # an event without a time cannot be ordered
    status_obj = node.get("status") if isinstance(node.get("status"), dict) else {}
    code = text(status_obj.get("code"), 40).upper() or "UNKNOWN"
    name = text(status_obj.get("name"), 100)
    description = text(node.get("description"))
    location = node.get("location") if isinstance(node.get("location"), dict) else {}
    status, reason = status_map.canonical(code, f"{name} {description}")
    return TrackingEventData(
        occurred_at=occurred_at,
        status=status,
        reason=reason,
        carrier_code=code,
        carrier_text=description or name,
        location=text(location.get("name"), 200),
        carrier_event_id=stable_id(number, node.get("time"), code, name, description),
        details={"status_name": name} if name and description else {},
    )


def parse_register(document, *, retry_after: float | None = None) -> None:
    data = raise_for_errors(document, retry_after=retry_after)
    if data.get("registerTrackWebhook") is not True:
        raise CarrierUnavailable("tracker.delivery did not confirm the webhook registration")


def company_for(carrier_id: str) -> str:
    """Doorstep's company id for a tracker.delivery carrierId (the id itself when we know no company)."""
    company = companies.by_provider_code(SLUG, carrier_id)
    return company.id if company else carrier_id


def parse_callback(document: dict) -> TrackingResult:
    """``{"carrierId": …, "trackingNumber": …}`` -> a result that asks to be re-tracked. The
    callback has no id: identical callbacks for different changes must not dedupe, so
    ``provider_event_id`` stays empty (re-tracking is idempotent anyway)."""
    carrier_id = text(document.get("carrierId"), 64)
    number = normalize(text(document.get("trackingNumber"), 64))
    if not carrier_id or not number:
        raise WebhookRejected("not a tracker.delivery callback (needs 'carrierId' and 'trackingNumber')", status=422,
                              reason_code=WebhookRejected.REASON_SHAPE)
    company = company_for(carrier_id)
    return TrackingResult(tracking_number=number, carrier=SLUG, events=[], carrier_code=company,
                          carrier_url=companies.public_tracking_url(company, number), needs_retrack=True)

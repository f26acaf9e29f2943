"""Pure functions: DHL Unified Tracking JSON → Doorstep dataclasses."""
from __future__ import annotations

from tracking.carriers.base import NotFound, TrackingEventData, TrackingResult
from tracking.carriers.parsing import join_location, parse_date, parse_datetime, stable_id, text
from tracking.carriers.dhl import status_map

SLUG = "dhl"


def parse_shipments(document: dict, *, tracking_number: str, carrier_url: str = "") -> TrackingResult:
    shipments = document.get("shipments") if isinstance(document, dict) else None
    if not isinstance(shipments, list) or not shipments or not isinstance(shipments[0], dict):
        raise NotFound(f"DHL returned no shipment for {tracking_number}")
    shipment = shipments[0]
    number = (text(shipment.get("id"), 64) or tracking_number).upper()
    details = shipment.get("details") if isinstance(shipment.get("details"), dict) else {}
    pod = details.get("proofOfDelivery") if isinstance(details.get("proofOfDelivery"), dict) else {}
    raw_events = shipment.get("events") if isinstance(shipment.get("events"), list) else []
    if not raw_events and isinstance(shipment.get("status"), dict):
        raw_events = [shipment["status"]]  # some services only report the current status
    events = [e for raw in raw_events if (e := _parse_event(number, raw, pod)) is not None]
    events.sort(key=lambda e: e.occurred_at)
    timeframe = shipment.get("estimatedDeliveryTimeFrame") if isinstance(shipment.get("estimatedDeliveryTimeFrame"), dict) else {}
    product = details.get("product") if isinstance(details.get("product"), dict) else {}
    return TrackingResult(
        tracking_number=number,
        carrier=SLUG,
        events=events,
        estimated_delivery=parse_date(shipment.get("estimatedTimeOfDelivery")) or parse_date(timeframe.get("estimatedThrough")),
        service_level=text(product.get("productName"), 100) or text(shipment.get("service"), 40),
        carrier_url=carrier_url,
    )


def _parse_event(number: str, raw, pod: dict) -> TrackingEventData | None:
    if not isinstance(raw, dict):
        return None
    occurred_at = parse_datetime(raw.get("timestamp"))
    if occurred_at is None:
        return None
    code = text(raw.get("statusCode"), 20)
    description = text(raw.get("description")) or text(raw.get("status"))
    status, reason = status_map.canonical(code, " ".join(filter(None, [text(raw.get("status")), description, text(raw.get("remark"))])))
    location = raw.get("location") if isinstance(raw.get("location"), dict) else {}
    address = location.get("address") if isinstance(location.get("address"), dict) else {}
    extras = {}
    if status == "delivered" and pod:
        signed = pod.get("signed") if isinstance(pod.get("signed"), dict) else {}
        signer = text(signed.get("name")) or " ".join(filter(None, [text(signed.get("givenName")), text(signed.get("familyName"))]))
        extras = {"signed_by": signer, "photo_url": text(pod.get("documentUrl")) or text(pod.get("signatureUrl"))}
    return TrackingEventData(
        occurred_at=occurred_at,
        status=status,
        reason=reason,
        carrier_code=code or "unknown",
        carrier_text=description,
        location=join_location(address.get("addressLocality"), address.get("postalCode"), address.get("countryCode")),
        carrier_event_id=stable_id(number, raw.get("timestamp"), code, description),
        details=extras,
    )

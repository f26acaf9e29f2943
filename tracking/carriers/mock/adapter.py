"""MockCarrier: every capability, backed by the scenario engine. Used by tests, the demo and load tests."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Callable, ClassVar, Mapping

from tracking.carriers import status as st
from tracking.carriers.base import (
    CarrierAdapter,
    Capability,
    DeliveryChange,
    DeliveryChangeResult,
    InvalidRequest,
    Label,
    LabelRequest,
    Pickup,
    PickupPoint,
    PickupRequest,
    TrackingResult,
    TransitEstimate,
)
from tracking.carriers.mock import labels, scenarios, webhooks

_POSTAL_RE = re.compile(r"^[A-Za-z0-9 -]{3,10}$")
_PICKUP_POINT_RE = re.compile(r"^PP-(?P<postal>[A-Z0-9]{3,10})-(?P<n>\d)$")
_PICKUP_POINT_KINDS = (
    ("Corner Mart parcel counter", "Mon-Sun 07:00-23:00"),
    ("24/7 Parcel Locker", "Always open"),
    ("Parcelway Service Point", "Mon-Fri 09:00-19:00, Sat 09:00-13:00"),
)

RESCHEDULE_WINDOW_DAYS = 5
MAX_INSTRUCTIONS = 300
MAX_PICKUP_DAYS_AHEAD = 14


def _digest(*parts: str, length: int = 8) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:length].upper()


def pickup_points(postal_code: str) -> list[PickupPoint]:
    """A small, stable list of drop-off/redirect points near ``postal_code``."""
    if not isinstance(postal_code, str) or not _POSTAL_RE.match(postal_code.strip()):
        return []
    compact = postal_code.strip().replace(" ", "").replace("-", "").upper()
    return [
        PickupPoint(
            id=f"PP-{compact}-{n}",
            name=name,
            address=f"{10 + 7 * n + int(_digest(compact, length=2), 16) % 50} Market Street, {compact}",
            postal_code=compact,
            opening_hours=hours,
        )
        for n, (name, hours) in enumerate(_PICKUP_POINT_KINDS, start=1)
    ]


class MockCarrier(CarrierAdapter):
    slug = "mock"
    name = "Parcelway"  # the demo carrier: a plausible name on the demo's pages and emails
    capabilities = (
        Capability.WEBHOOKS
        | Capability.POLLING
        | Capability.LABELS
        | Capability.PICKUPS
        | Capability.TRANSIT_TIMES
        | Capability.DELIVERY_CHANGES
    )
    webhook_tolerance_seconds: ClassVar[int] = 300
    status_map: ClassVar[Mapping[str, tuple[str, str, str]]] = scenarios.STATUS_MAP

    # The clock drives every scenario; tests replace it on an instance.
    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))

    @property
    def language(self) -> str:
        """``extra["language"]`` of the account: "ko" makes parcels read like a Korean courier's feed."""
        value = str((self.credentials.extra or {}).get("language", "en")).lower()
        return value if value in scenarios.LANGUAGES else "en"

    # --- Tracking -------------------------------------------------------------------------------------
    def track(self, tracking_number: str, *, carrier_code: str = "") -> TrackingResult:
        now = self.clock()
        number = tracking_number.strip().upper()
        # Korean-format numbers (the Korean demo's CJ-shaped parcels) always read like a Korean feed.
        language = "ko" if scenarios.is_korean_number(number) else self.language
        return TrackingResult(
            tracking_number=number,
            carrier=self.slug,
            events=scenarios.scenario_events(number, now=now, language=language),
            estimated_delivery=scenarios.estimated_delivery(number, now=now),
            service_level="standard",
            carrier_url=self.tracking_url(number),
        )

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://mock-carrier.doorstep.local/track/{tracking_number.strip().upper()}"

    def company_of(self, tracking_number: str) -> str:
        """The carrier company a parcel shows as: the Korean demo's CJ-shaped numbers are CJ's."""
        return scenarios.KR_COMPANY if scenarios.is_korean_number(tracking_number) else "mock"

    # --- Webhooks -------------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body, url_token=""):
        webhooks.verify(
            headers=headers,
            body=body,
            credentials=self.credentials,
            tolerance=self.webhook_tolerance_seconds,
            now=self.clock().timestamp(),
        )

    def parse_webhook(self, *, headers, body):
        return webhooks.parse(body, carrier=self.slug, tracking_url=self.tracking_url)

    # --- Returns --------------------------------------------------------------------------------------
    def create_label(self, request: LabelRequest) -> Label:
        now = self.clock()
        serial = int(_digest(request.reference, now.isoformat()), 16) % 10**6
        number = scenarios.make_tracking_number("return_to_warehouse", now, serial)
        domestic_kr = request.from_address.country.upper() == "KR"
        cost, currency = (Decimal("3500"), "KRW") if domestic_kr else (Decimal("7.95"), "USD")
        service = request.service_level or "standard"
        if request.label_free:
            return Label(
                tracking_number=number,
                carrier=self.slug,
                format="qr_png",
                content=labels.qr_png(f"MOCKDROP:{number}:{request.reference}"),
                cost=cost,
                currency=currency,
                instructions=labels.drop_off_instructions(request.reference, language=request.language),
            )
        return Label(
            tracking_number=number,
            carrier=self.slug,
            format="pdf",
            content=labels.label_pdf(request, number, service=service),
            cost=cost,
            currency=currency,
            instructions=labels.label_instructions(language=request.language),
        )

    def schedule_pickup(self, request: PickupRequest) -> Pickup:
        today = self.clock().date()
        if request.pickup_date < today:
            raise InvalidRequest("pickup date is in the past")
        if request.pickup_date.weekday() == 6:
            raise InvalidRequest("no pickups on Sundays")
        if request.pickup_date > today + timedelta(days=MAX_PICKUP_DAYS_AHEAD):
            raise InvalidRequest(f"pickups can be booked at most {MAX_PICKUP_DAYS_AHEAD} days ahead")
        saturday = request.pickup_date.weekday() == 5
        return Pickup(
            confirmation="PU-" + _digest(request.tracking_number, request.pickup_date.isoformat(), request.reference),
            pickup_date=request.pickup_date,
            window_start="09:00",
            window_end="13:00" if saturday else "18:00",
        )

    # --- Delivery promise and recovery ------------------------------------------------------------------
    def transit_estimates(self, *, origin_country, destination_country):
        if origin_country.upper() == destination_country.upper():
            table = (("express", 1, 1), ("standard", 1, 3), ("economy", 3, 5))
        else:
            table = (("express", 2, 4), ("standard", 5, 10), ("economy", 10, 20))
        return [TransitEstimate(service, low, high) for service, low, high in table]

    def pickup_points(self, postal_code: str) -> list[PickupPoint]:
        return pickup_points(postal_code)

    def request_delivery_change(self, change: DeliveryChange) -> DeliveryChangeResult:
        now = self.clock()
        events = scenarios.scenario_events(change.tracking_number, now=now)
        current = st.derive_status(events).status
        if current in st.TERMINAL:
            return DeliveryChangeResult(False, message=f"The parcel can no longer be changed ({current}).")
        today = now.astimezone(scenarios.route_for(scenarios.parse_number(change.tracking_number)).timezone).date()
        refusal = self._refusal(change, today)
        if refusal:
            return DeliveryChangeResult(False, message=refusal)
        confirmation = "DC-" + _digest(
            change.tracking_number, change.kind, str(change.new_date), change.pickup_point_id, change.instructions
        )
        return DeliveryChangeResult(True, confirmation=confirmation, message=self._accepted_message(change))

    def _refusal(self, change: DeliveryChange, today: date) -> str:
        if change.kind == "reschedule":
            if change.new_date is None:
                return "Choose a new delivery date."
            if not today < change.new_date <= today + timedelta(days=RESCHEDULE_WINDOW_DAYS):
                return f"Choose a date within the next {RESCHEDULE_WINDOW_DAYS} days."
            if change.new_date.weekday() == 6:
                return "No deliveries on Sundays."
            return ""
        if change.kind == "redirect_pickup_point":
            match = _PICKUP_POINT_RE.match(change.pickup_point_id or "")
            if not match or change.pickup_point_id not in {p.id for p in pickup_points(match["postal"])}:
                return "Unknown pickup point."
            return ""
        if change.kind == "instructions":
            text = (change.instructions or "").strip()
            if not text:
                return "Write the delivery instructions."
            if len(text) > MAX_INSTRUCTIONS:
                return f"Instructions can be at most {MAX_INSTRUCTIONS} characters."
            return ""
        return f"Unsupported change {change.kind!r:.40}."

    @staticmethod
    def _accepted_message(change: DeliveryChange) -> str:
        if change.kind == "reschedule":
            return f"Delivery rescheduled to {change.new_date.isoformat()}."
        if change.kind == "redirect_pickup_point":
            return f"The parcel will wait at pickup point {change.pickup_point_id}."
        return "Your instructions were passed to the driver."

"""Turn shipments into what the shopper reads: stages, the delivery estimate sentence, the delay
banner, the timeline in the merchant's time zone — in the active language.

Everything is computed here once per render so the templates only loop and print (fast to
render, easy to test without HTML)."""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.utils.translation import pgettext

from tracking.carriers import status as st
from tracking.carriers.registry import UnknownCarrier, adapter_class

# The five steps of the progress bar, indexed by carriers.status.STAGE.
STAGE_LABELS = [
    gettext_lazy("Ordered"),
    gettext_lazy("Preparing"),
    gettext_lazy("On its way"),
    gettext_lazy("Out for delivery"),
    gettext_lazy("Delivered"),
]

STATUS_LABELS = {
    st.PENDING: gettext_lazy("Order received"),
    st.INFO_RECEIVED: gettext_lazy("Label created"),
    st.IN_TRANSIT: gettext_lazy("In transit"),
    st.OUT_FOR_DELIVERY: gettext_lazy("Out for delivery"),
    st.FAILED_ATTEMPT: gettext_lazy("Delivery attempt failed"),
    st.AVAILABLE_FOR_PICKUP: gettext_lazy("Ready for pickup"),
    st.DELIVERED: gettext_lazy("Delivered"),
    st.EXCEPTION: gettext_lazy("Problem with delivery"),
    st.RETURNED_TO_SENDER: gettext_lazy("Returned to sender"),
    st.CANCELLED: gettext_lazy("Cancelled"),
    st.EXPIRED: gettext_lazy("No recent updates"),
}

REASON_LABELS = {
    "weather": gettext_lazy("Severe weather is slowing deliveries."),
    "customs": gettext_lazy("The parcel is being held at customs."),
    "address_issue": gettext_lazy("The carrier could not confirm the delivery address."),
    "recipient_unavailable": gettext_lazy("Nobody was available to receive the parcel."),
    "refused": gettext_lazy("The parcel was refused."),
    "damaged": gettext_lazy("The parcel was damaged and is being inspected."),
    "lost": gettext_lazy("The carrier is searching for the parcel."),
    "carrier_delay": gettext_lazy("The carrier is running behind schedule."),
    "held_for_payment": gettext_lazy("The parcel is held until a payment is made."),
    "other": gettext_lazy("The carrier reported a problem."),
}

# Django's own catalogue spells Korean weekday abbreviations in full ("화요일"); listing them here
# puts them in our catalogue, which takes precedence, so "D" prints the customary "화".
WEEKDAY_ABBREVIATIONS = [gettext_noop("Mon"), gettext_noop("Tue"), gettext_noop("Wed"), gettext_noop("Thu"),
                         gettext_noop("Fri"), gettext_noop("Sat"), gettext_noop("Sun")]

# Confidence (0..1 from the EDD engine) → the word we dare to use.
HIGH_CONFIDENCE = 0.8
MEDIUM_CONFIDENCE = 0.5


def _fmt(value, fmt: str) -> str:
    return dateformat.format(value, fmt)


def format_day(day: date) -> str:
    # Translators: Django date format for one delivery day. Korean: "n월 j일 (D)".
    return _fmt(day, pgettext("date format", "D j M"))


def format_moment(moment: datetime, tz: zoneinfo.ZoneInfo) -> str:
    # Translators: Django date format for a day and time. Korean: "n월 j일 (D) H:i".
    return _fmt(timezone.localtime(moment, tz), pgettext("date format", "D j M H:i"))


def format_window(start: date, end: date) -> str:
    """"Tue 24 – Thu 26 Nov"; ranges across months repeat the month; one day is just that day."""
    if start == end:
        return format_day(start)
    if (start.year, start.month) == (end.year, end.month):
        # Translators: start of a date range whose end is in the same month. Korean: "n월 j일 (D)".
        first = _fmt(start, pgettext("date format", "D j"))
        # Translators: end of a date range in the same month as its start. Korean: "j일 (D)".
        last = _fmt(end, pgettext("date format, same month end", "D j M"))
    else:
        first, last = format_day(start), format_day(end)
    return f"{first} – {last}"


@dataclass
class Estimate:
    headline: str
    certainty: str = ""  # "Very likely" / "Likely" / "Estimated"
    certainty_level: str = ""  # css hook: high / medium / low


def estimate_for(shipment, *, tz: zoneinfo.ZoneInfo, today: date) -> Estimate:
    """The one sentence at the top of a parcel card."""
    status = shipment.status
    if status == st.DELIVERED and shipment.delivered_at:
        return Estimate(_("Delivered %(when)s") % {"when": format_moment(shipment.delivered_at, tz)})
    if status == st.OUT_FOR_DELIVERY:
        return Estimate(_("Arriving today"), _("Very likely"), "high")
    if status == st.AVAILABLE_FOR_PICKUP:
        return Estimate(_("Ready for pickup"))
    if status in (st.RETURNED_TO_SENDER, st.CANCELLED, st.EXPIRED):
        return Estimate(str(STATUS_LABELS[status]))
    start, end = shipment.predicted_window_start, shipment.predicted_window_end
    if start and end:
        confidence = getattr(shipment, "predicted_confidence", None)
        if end == today:
            headline = _("Arriving today")
        else:
            headline = _("Arriving %(window)s") % {"window": format_window(max(start, today), max(end, today))}
        if confidence is not None and confidence >= HIGH_CONFIDENCE:
            return Estimate(headline, _("Very likely"), "high")
        if confidence is not None and confidence >= MEDIUM_CONFIDENCE:
            return Estimate(headline, _("Likely"), "medium")
        return Estimate(headline, _("Estimated"), "low")
    fallback = shipment.carrier_delivery_date or shipment.promised_delivery_date
    if fallback:
        return Estimate(_("Expected by %(day)s") % {"day": format_day(fallback)}, _("Estimated"), "low")
    return Estimate(str(STATUS_LABELS.get(status, status)))


def delay_for(shipment) -> str:
    """The delay banner's text, or "" when the parcel is on time.

    Delayed is derived (DESIGN.md): a predicted window ending after the promise, or a delay reason
    on the latest event, or an exception — never once the parcel's journey is over."""
    if shipment.status in st.TERMINAL:
        return ""
    reason = shipment.status_reason
    if reason in st.DELAY_REASONS or shipment.status == st.EXCEPTION:
        return str(REASON_LABELS.get(reason or "other", REASON_LABELS["other"]))
    promised, end = shipment.promised_delivery_date, shipment.predicted_window_end
    if promised and end and end > promised:
        return _("It is taking longer than promised (%(day)s).") % {"day": format_day(promised)}
    return ""


@dataclass
class Step:
    label: str
    state: str  # done / current / todo


def steps_for(status: str) -> list[Step]:
    current = st.STAGE.get(status, 0)
    return [Step(str(label), "done" if i < current else "current" if i == current else "todo")
            for i, label in enumerate(STAGE_LABELS)]


@dataclass
class TimelineEntry:
    when: str
    iso: str
    label: str
    text: str
    location: str


def timeline_for(events, *, tz: zoneinfo.ZoneInfo) -> list[TimelineEntry]:
    """Newest first, in the merchant's time zone. The canonical label leads (translated); the
    carrier's own words follow when they add something. Labels and the date format are looked up
    once per call, not once per event."""
    # Translators: Django date format for a day and time. Korean: "n월 j일 (D) H:i".
    moment_format = pgettext("date format", "D j M H:i")
    labels: dict[str, str] = {}
    entries = []
    for event in events:
        label = labels.get(event.status)
        if label is None:
            label = labels[event.status] = str(STATUS_LABELS.get(event.status, event.status))
        text = event.carrier_text if event.carrier_text and event.carrier_text.lower() != label.lower() else ""
        entries.append(TimelineEntry(_fmt(event.occurred_at.astimezone(tz), moment_format),
                                     event.occurred_at.isoformat(), label, text, event.location))
    return entries


@dataclass
class ProofOfDelivery:
    signed_by: str = ""
    photo_url: str = ""


def proof_of_delivery(events) -> ProofOfDelivery | None:
    """From the delivery scan's details. Photo URLs must be https (the CSP allows https images only)."""
    for event in events:
        if event.status != st.DELIVERED:
            continue
        details = event.details if isinstance(event.details, dict) else {}
        signed_by = str(details.get("signed_by") or "")[:120]
        photo = str(details.get("photo_url") or "")
        if photo and urlsplit(photo).scheme != "https":
            photo = ""
        if signed_by or photo:
            return ProofOfDelivery(signed_by, photo[:500])
    return None


def carrier_display(slug: str, tracking_number: str) -> tuple[str, str]:
    """(carrier name, carrier's public tracking URL) through the adapter; unknown carriers show the slug."""
    try:
        cls = adapter_class(slug)
    except UnknownCarrier:
        return slug, ""
    url = cls().tracking_url(tracking_number)
    return cls.name, url if urlsplit(url).scheme == "https" else ""


@dataclass
class Parcel:
    """Everything one parcel card shows."""

    index: int
    tracking_number: str
    carrier_name: str
    carrier_url: str
    status: str
    status_label: str
    estimate: Estimate
    delay: str
    steps: list[Step]
    stage: int
    timeline: list[TimelineEntry]
    proof: ProofOfDelivery | None = None
    items: list[tuple[str, int]] = field(default_factory=list)
    can_change_delivery: bool = False
    event_total: int = 0
    hidden_events: int = 0  # older updates behind the "show all" link


def parcel_for(shipment, *, index: int, tz: zoneinfo.ZoneInfo, today: date, public: bool = False) -> Parcel:
    """From a shipment read by selectors.order_for_page (``page_events``: the latest events plus
    any delivery scan, ``page_event_total``, ``page_items``), or one with its events prefetched."""
    page_events = getattr(shipment, "page_events", None)
    if page_events is None:
        events = list(shipment.events.all())  # prefetched, newest first
        shown, total = events, len(events)
    else:
        events = page_events
        shown = [event for event in events if event.in_timeline]
        total = shipment.page_event_total
    name, url = carrier_display(shipment.carrier, shipment.tracking_number)
    if public:
        items = []
    elif hasattr(shipment, "page_items"):
        items = shipment.page_items
    else:
        items = [(line.order_line.title, line.quantity) for line in shipment.lines.all()]
    return Parcel(
        index=index,
        tracking_number=shipment.tracking_number,
        carrier_name=name,
        carrier_url=url,
        status=shipment.status,
        status_label=str(STATUS_LABELS.get(shipment.status, shipment.status)),
        estimate=estimate_for(shipment, tz=tz, today=today),
        delay=delay_for(shipment),
        steps=steps_for(shipment.status),
        stage=st.STAGE.get(shipment.status, 0),
        timeline=timeline_for(shown, tz=tz),
        proof=None if public else proof_of_delivery(events),
        items=items,
        can_change_delivery=not public and shipment.status == st.FAILED_ATTEMPT,
        event_total=total,
        hidden_events=total - len(shown),
    )


def merchant_zone_name(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def merchant_zone(merchant) -> zoneinfo.ZoneInfo:
    return merchant_zone_name(merchant.timezone)

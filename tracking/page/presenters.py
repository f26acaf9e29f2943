"""Turn shipments into what the shopper reads: stages, the delivery estimate sentence, the delay
banner, the timeline in the merchant's time zone — in the active language.

Everything is computed here once per render so the templates only loop and print (fast to
render, easy to test without HTML)."""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import quote, urlsplit

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.utils.translation import get_language, pgettext

from tracking.carriers import companies
from tracking.carriers import status as st
from tracking.carriers.registry import UnknownCarrier, adapter_class
from tracking.edd import delays
from tracking.edd import exceptions as exc

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

# Confidence (0..1 from the EDD engine) → the word we dare to use: tracking.edd.delays.certainty_level.
CERTAINTY_WORDS = {"high": gettext_lazy("Very likely"), "medium": gettext_lazy("Likely"),
                   "low": gettext_lazy("Estimated")}

# A stopped parcel (tracking.edd.exceptions): a short headline instead of "Arriving …", and what the
# carrier reports, in words a shopper can act on.
EXCEPTION_HEADLINES = {
    exc.LOST: gettext_lazy("Parcel missing"),
    exc.DAMAGED: gettext_lazy("Parcel damaged"),
    exc.CUSTOMS: gettext_lazy("Held at customs"),
    exc.HELD_FOR_PAYMENT: gettext_lazy("Payment needed"),
    exc.ADDRESS: gettext_lazy("Address problem"),
    exc.REFUSED: gettext_lazy("Delivery refused"),
    exc.RETURNED: gettext_lazy("Returned to sender"),
    exc.OTHER: gettext_lazy("Problem with delivery"),
}
EXCEPTION_WHAT = {
    exc.LOST: gettext_lazy("The carrier is searching for your parcel."),
    exc.DAMAGED: gettext_lazy("The carrier reports that your parcel was damaged and is checking it."),
    exc.CUSTOMS: gettext_lazy("Your parcel is being held at customs."),
    exc.HELD_FOR_PAYMENT: gettext_lazy("Your parcel is held until duties or fees are paid."),
    exc.ADDRESS: gettext_lazy("The carrier could not confirm your delivery address."),
    exc.REFUSED: gettext_lazy("The carrier reports that the parcel was refused at delivery."),
    exc.RETURNED: gettext_lazy("Your parcel is on its way back to the store."),
    exc.OTHER: gettext_lazy("The carrier reported a problem with your parcel."),
}
# What the shopper can do about it, beside the buttons.
EXCEPTION_HELP = {
    exc.CUSTOMS: gettext_lazy("Customs may need details or a payment from you; the carrier's page says what."),
    exc.HELD_FOR_PAYMENT: gettext_lazy("Pay the duties or fees on the carrier's page to release it."),
    exc.ADDRESS: gettext_lazy("Send the store your correct address so the carrier can deliver."),
    exc.REFUSED: gettext_lazy("If you did not refuse it, contact the store."),
}


def _fmt(value, fmt: str) -> str:
    return dateformat.format(value, fmt)


def format_day(day: date) -> str:
    # Translators: Django date format for one delivery day. Korean: "n월 j일 (D)".
    return _fmt(day, pgettext("date format", "D j M"))


def format_day_year(day: date) -> str:
    # Translators: Django date format for a day with its year. Korean: "Y년 n월 j일 (D)".
    return _fmt(day, pgettext("date format", "D j M Y"))


# Time zones named as the place a shopper knows; others fall back to their city ("America/Los_Angeles" → "Los Angeles").
ZONE_PLACES = {
    "Asia/Seoul": gettext_lazy("Seoul"),
    "Asia/Tokyo": gettext_lazy("Tokyo"),
    "America/New_York": gettext_lazy("New York"),
    "America/Chicago": gettext_lazy("Chicago"),
    "America/Los_Angeles": gettext_lazy("Los Angeles"),
    "Europe/London": gettext_lazy("London"),
    "UTC": gettext_lazy("UTC"),
}


def zone_place(tz_name: str) -> str:
    """"Seoul" / "서울" for Asia/Seoul: the time zone as a place, never its database name."""
    if tz_name in ZONE_PLACES:
        return str(ZONE_PLACES[tz_name])
    return tz_name.rsplit("/", 1)[-1].replace("_", " ") if tz_name else ""


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


def _late(shipment) -> bool:
    # Stored by tracking.edd.delays, so the page says what the delay job decided and emailed.
    return getattr(shipment, "is_delayed", False) is True


def _stopped_kind(shipment) -> str:
    if getattr(shipment, "is_return", False) is True:
        return ""
    return exc.exception_kind(shipment.status, shipment.status_reason or "")


def estimate_for(shipment, *, tz: zoneinfo.ZoneInfo, today: date) -> Estimate:
    """The one sentence at the top of a parcel card. A stopped parcel gets what happened, never a
    window; the certainty word comes from the same prediction as the delay banner
    (tracking.edd.delays.certainty_level), so "Running late" never sits beside "Very likely"."""
    status = shipment.status
    if status == st.DELIVERED and shipment.delivered_at:
        return Estimate(_("Delivered %(when)s") % {"when": format_moment(shipment.delivered_at, tz)})
    stopped = _stopped_kind(shipment)
    if stopped:
        return Estimate(str(EXCEPTION_HEADLINES[stopped]))
    if status == st.OUT_FOR_DELIVERY:
        level = delays.certainty_level(0.95, late=_late(shipment))
        return Estimate(_("Arriving today"), str(CERTAINTY_WORDS[level]), level)
    if status == st.AVAILABLE_FOR_PICKUP:
        return Estimate(_("Ready for pickup"))
    if status in (st.RETURNED_TO_SENDER, st.CANCELLED, st.EXPIRED):
        return Estimate(str(STATUS_LABELS[status]))
    start, end = shipment.predicted_window_start, shipment.predicted_window_end
    if start and end:
        if end <= today:
            headline = _("Arriving today")
        else:
            headline = _("Arriving %(window)s") % {"window": format_window(max(start, today), max(end, today))}
        level = delays.certainty_level(getattr(shipment, "predicted_confidence", None), late=_late(shipment))
        return Estimate(headline, str(CERTAINTY_WORDS[level]), level)
    fallback = shipment.carrier_delivery_date or shipment.promised_delivery_date
    if fallback:
        return Estimate(_("Expected by %(day)s") % {"day": format_day(fallback)}, _("Estimated"), "low")
    return Estimate(str(STATUS_LABELS.get(status, status)))


def open_case_of(shipment):
    """The parcel's open delay case, as loaded by the page's selectors (never a query here)."""
    case = getattr(shipment, "page_case", None)
    if case is not None:
        return case
    cases = getattr(shipment, "open_cases", None)
    return cases[0] if cases else None


def delay_for(shipment, *, tz: zoneinfo.ZoneInfo | None = None) -> str:
    """The "Running late" banner's text, or "" when the parcel is on time (or stopped: the
    exception notice says more). Shown exactly when tracking.edd.delays judged it late."""
    if not _late(shipment) or shipment.status in st.TERMINAL or _stopped_kind(shipment):
        return ""
    promised = shipment.promised_delivery_date
    parts = []
    case = open_case_of(shipment)
    kind = case.kind if case is not None else ""
    reason = shipment.status_reason or ""
    if reason in exc.CARRIER_DELAY_REASONS:
        parts.append(str(REASON_LABELS[reason]))
    elif kind == delays.Kind.NO_SCAN and shipment.last_event_at:
        moment = timezone.localtime(shipment.last_event_at, tz or timezone.get_current_timezone())
        parts.append(_("The carrier has not scanned it since %(day)s.") % {"day": format_day(moment.date())})
    if promised:
        parts.append(_("It is taking longer than promised (%(day)s).") % {"day": format_day(promised)})
    else:
        parts.append(_("It is taking longer than expected."))
    return " ".join(parts)


def carrier_note_for(shipment) -> str:
    """The carrier reports a delay that the promise still absorbs: say so, without "running late"."""
    if not delays.carrier_note_applies(shipment) or _late(shipment):
        return ""
    note = str(REASON_LABELS[shipment.status_reason])
    if shipment.promised_delivery_date:
        note += " " + _("It should still arrive by %(day)s, as promised.") % {
            "day": format_day(shipment.promised_delivery_date)}
    return note


@dataclass
class Action:
    label: str
    url: str
    kind: str = "link"  # css hook: claim / carrier / form / contact


@dataclass
class Notice:
    """A stopped parcel: what the carrier reports, what happens next, what the shopper can do."""

    kind: str
    what: str
    next_step: str = ""
    help: str = ""
    follow_up_day: date | None = None
    actions: list[Action] = field(default_factory=list)


def contact_action(merchant, *, subject: str = "") -> Action | None:
    if merchant is None:
        return None
    label = _("Contact %(store)s") % {"store": merchant.name}
    if merchant.support_email:
        query = f"?subject={quote(subject)}" if subject else ""
        return Action(label, f"mailto:{merchant.support_email}{query}", "contact")
    if merchant.support_url:
        return Action(label, merchant.support_url, "contact")
    if merchant.support_phone:
        return Action(label, f"tel:{merchant.support_phone}", "contact")
    return None


def notice_for(shipment, *, tz: zoneinfo.ZoneInfo, carrier_name: str, carrier_url: str,
               can_change_delivery: bool, order_number: str = "") -> Notice | None:
    """What a stopped parcel's card says instead of a window. The follow-up date is the one the
    delay job promised and will honour (DelayCase.follow_up_due); without one, the shop's contact."""
    kind = _stopped_kind(shipment)
    if not kind:
        return None
    merchant = getattr(shipment, "merchant", None)
    notice = Notice(kind=kind, what=str(EXCEPTION_WHAT[kind]), help=str(EXCEPTION_HELP.get(kind, "")))
    case = open_case_of(shipment)
    due = getattr(case, "follow_up_due", None) if case is not None else None
    if due is not None:
        notice.follow_up_day = timezone.localtime(due, tz).date()
        notice.next_step = _("We'll email you by %(day)s.") % {"day": format_day(notice.follow_up_day)}
    elif kind == exc.RETURNED and merchant is not None:
        notice.next_step = _("Contact %(store)s to have it sent again or refunded.") % {"store": merchant.name}
    if kind in (exc.CUSTOMS, exc.HELD_FOR_PAYMENT) and carrier_url:
        label = (_("See what customs needs on %(carrier)s's site") if kind == exc.CUSTOMS
                 else _("Pay on %(carrier)s's site"))
        notice.actions.append(Action(label % {"carrier": carrier_name}, carrier_url, "carrier"))
    if kind == exc.ADDRESS and can_change_delivery:
        notice.actions.append(Action(_("Add instructions for the driver"), f"#change-{shipment.tracking_number}",
                                     "form"))
    subject = ""
    if order_number and kind == exc.ADDRESS:
        subject = _("Delivery address for order %(number)s") % {"number": order_number}
    elif order_number:
        subject = _("Order %(number)s") % {"number": order_number}
    contact = contact_action(merchant, subject=subject)
    if contact is not None:
        notice.actions.append(contact)
    return notice


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


def _same_site_path(url: str) -> bool:
    parts = urlsplit(url)
    return url.startswith("/") and not url.startswith("//") and not parts.scheme and not parts.netloc


def proof_of_delivery(events) -> ProofOfDelivery | None:
    """From the delivery scan's details. Photo URLs must be https (the CSP allows https images only)
    or a path on this site (the demo's photo is one of the app's static files)."""
    for event in events:
        if event.status != st.DELIVERED:
            continue
        details = event.details if isinstance(event.details, dict) else {}
        signed_by = str(details.get("signed_by") or "")[:120]
        photo = str(details.get("photo_url") or "")
        if photo and urlsplit(photo).scheme != "https" and not _same_site_path(photo):
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
    adapter = cls()
    url = adapter.tracking_url(tracking_number)
    name = cls.name
    # Adapters covering several carrier companies (tracker.delivery; the mock's Korean numbers) name
    # the company, in the page's language: CJ대한통운 on Korean pages.
    company_of = getattr(adapter, "company_of", None)
    company = companies.get(company_of(tracking_number)) if callable(company_of) else None
    if company is not None and company.id != "mock":
        name = company.name(get_language() or "en")
    return name, url if urlsplit(url).scheme == "https" else ""


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
    # A stopped parcel's notice (no window), or a carrier delay the promise still absorbs.
    notice: Notice | None = None
    carrier_note: str = ""
    # The hook for claims: "lost" or "damaged" when the shopper may be owed a replacement or a
    # refund; apps add their buttons ("Report a problem") through extensions.PARCEL_ACTIONS.
    claim_reason: str = ""


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
    can_change = not public and shipment.status == st.FAILED_ATTEMPT
    order = None if public else getattr(shipment, "order", None)
    notice = notice_for(shipment, tz=tz, carrier_name=name, carrier_url=url, can_change_delivery=can_change,
                        order_number=getattr(order, "number", "") if order is not None else "")
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
        delay=delay_for(shipment, tz=tz),
        steps=steps_for(shipment.status),
        stage=st.STAGE.get(shipment.status, 0),
        timeline=timeline_for(shown, tz=tz),
        proof=None if public else proof_of_delivery(events),
        items=items,
        can_change_delivery=can_change,
        event_total=total,
        hidden_events=total - len(shown),
        notice=notice,
        carrier_note=carrier_note_for(shipment),
        claim_reason=notice.kind if notice is not None and notice.kind in exc.CLAIM_KINDS else "",
    )


def merchant_zone_name(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def merchant_zone(merchant) -> zoneinfo.ZoneInfo:
    return merchant_zone_name(merchant.timezone)

"""The delay rule, in one place: is a parcel running late, stopped, or on time — and who hears of it.

Running late
    A moving parcel is running late when its predicted *most likely* delivery day — not the
    pessimistic end of its window — falls after the promised day, counted in business days of the
    service's delivery calendar: it is then more likely late than not. The prediction
    (tracking.edd.engine → tracking.edd.inflight) already carries every piece of evidence: the lane's
    learned transit, a carrier delay reason (pushed by what it costs), a silence longer than the
    lane's usual longest gap between scans (pushed by the excess), a window that ran out, the
    carrier's own revised date. The case records which evidence tipped it over: a carrier delay
    reason on the latest scan (``delay_reason``), else a silence beyond the lane's usual gap
    (``no_scan``), else the prediction alone (``predicted_late``). A carrier delay that the promise's
    slack absorbs is not "running late": the page shows the carrier's note with the promise standing.

Stopped (an exception)
    tracking.edd.exceptions.exception_kind: lost, damaged, customs hold, held for payment, address
    problem, refused. No window; a case opens and, when the shopper is told, promises an update by a
    date (``follow_up_due``) that delay_follow_ups_send honours. A later scan that moves the parcel
    again resolves the case and the page returns to its normal wording.

Certainty wording (certainty_level)
    From the same prediction's confidence: "Very likely" at 0.8 and above, "Likely" from 0.5,
    "Estimated" below. A running-late parcel is never "Very likely": its window was just moved by
    a disruption, and "very likely" beside "running late" reads as a contradiction.

Who hears about it (notify_decision: once, and only when it helps)
    Never a parcel whose journey is over; never "running late" for a stopped one (it gets the
    exception notice); never a parcel shipped (unshipped: ordered) more than
    DOORSTEP_DELAY_NOTIFY_MAX_AGE_DAYS ago; never a delay that began before the run's horizon (now −
    DOORSTEP_DELAY_NOTIFY_HORIZON_HOURS) — the first run after install, an import or a backfill finds
    history, and flags it silently (case opened, page shows it, no email). Once per episode:
    "late:<promised day>" for a delay, "exception:<kind>:<began>" for a stop; a second case of the
    same episode (back on time, then late again) stays silent. A replayed event is not stored again
    and an older event never changes the derived status, so a replay brings no new evidence; even
    if it did, the episode and the notification's dedupe key allow one email. Concurrent runs
    serialise on the shipment row and the one-open-case constraint.

Time
    A verdict can change without an event (a promise day ends, a silence grows): ``next_review_at``
    says when, and the beat job (delays_detect) re-predicts and re-judges those parcels.
"""
from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tracking import signals
from tracking.carriers import status as st
from tracking.edd import calendar as cal
from tracking.edd import exceptions as exc
from tracking.models import DelayCase, Shipment, TrackingEvent

Kind = DelayCase.Kind
LATE_KINDS = frozenset({Kind.PREDICTED_LATE, Kind.DELAY_REASON, Kind.NO_SCAN})
# Journeys that are over: nothing is late any more (returned-to-sender is shown as an exception
# notice by the page, but nothing follows up on it: the next step is the shop's).
OVER = frozenset(st.TERMINAL)

# Certainty of the shown window (see the module docstring).
HIGH_CONFIDENCE = 0.8
MEDIUM_CONFIDENCE = 0.5
# Follow-up emails go out at this local hour on the promised day ("We'll email you by Tue 8 Dec").
FOLLOW_UP_HOUR = 10


def certainty_level(confidence: float | None, *, late: bool) -> str:
    """"high", "medium" or "low" for the shown window. A late parcel is at most "medium"."""
    if confidence is not None and confidence >= HIGH_CONFIDENCE and not late:
        return "high"
    if confidence is not None and confidence >= MEDIUM_CONFIDENCE:
        return "medium"
    return "low"


@dataclass(frozen=True)
class Verdict:
    kind: str = ""  # a DelayCase.Kind value, or "" when there is nothing to say
    reason: str = ""  # the carrier's delay reason, or the exception kind
    promised: date | None = None
    likely: date | None = None

    @property
    def late(self) -> bool:
        return self.kind in LATE_KINDS

    @property
    def stopped(self) -> bool:
        return self.kind == Kind.EXCEPTION


ON_TIME = Verdict()


def _calendar(shipment: Shipment) -> cal.DeliveryCalendar:
    from tracking.edd.engine import delivery_calendar

    country = shipment.destination_country or shipment.order.ship_country
    return delivery_calendar(shipment.carrier, shipment.service_level, country)


def _zone(shipment: Shipment) -> zoneinfo.ZoneInfo:
    return cal.country_timezone(shipment.destination_country or shipment.order.ship_country,
                                shipment.merchant.timezone)


def _silence(shipment: Shipment, now: datetime) -> tuple[float, float | None]:
    """(working hours since the last scan, the lane's threshold or None when it cannot matter)."""
    from tracking.edd.engine import shipment_route, silence_threshold
    from tracking.edd.inflight import SCANNING_STATUSES

    if shipment.status not in SCANNING_STATUSES or shipment.last_event_at is None:
        return 0.0, None
    silent = cal.business_hours_between(shipment.last_event_at, now, _calendar(shipment), _zone(shipment))
    if silent <= settings.DOORSTEP_DELAY_SILENCE_MIN_HOURS:
        return silent, None
    return silent, silence_threshold(shipment_route(shipment).key)


def judge(shipment: Shipment, *, now: datetime) -> Verdict:
    """The rule. Reads the shipment's stored prediction (kept fresh by the event pipeline and by
    delays_detect), its status and its promise."""
    if shipment.is_return or shipment.status in OVER:
        return ON_TIME
    kind = exc.exception_kind(shipment.status, shipment.status_reason)
    if kind:
        return Verdict(Kind.EXCEPTION, kind, shipment.promised_delivery_date)
    promised, likely = shipment.promised_delivery_date, shipment.predicted_delivery_date
    if promised is None or likely is None:
        return ON_TIME
    days = _calendar(shipment)
    # A likely day the service does not deliver on means the next one it does.
    if cal.business_days_between(promised, cal.roll_forward(likely, days), days) <= 0:
        return ON_TIME
    if shipment.status_reason in exc.CARRIER_DELAY_REASONS:
        return Verdict(Kind.DELAY_REASON, shipment.status_reason, promised, likely)
    silent, threshold = _silence(shipment, now)
    if threshold is not None and silent > threshold:
        return Verdict(Kind.NO_SCAN, "", promised, likely)
    return Verdict(Kind.PREDICTED_LATE, shipment.status_reason, promised, likely)


def carrier_note_applies(shipment: Shipment) -> bool:
    """The carrier reports a delay reason but the parcel is still most likely on time: the page
    shows the carrier's words and that the promise stands, without "running late"."""
    return (shipment.status_reason in exc.CARRIER_DELAY_REASONS and not shipment.is_delayed
            and shipment.status not in OVER and not shipment.is_return)


# --- When did it begin? ------------------------------------------------------------------------------
def _reason_run_start(shipment: Shipment, reason: str) -> datetime | None:
    """The first event of the latest unbroken run of events carrying ``reason``."""
    began = None
    for occurred_at, event_reason in (TrackingEvent.objects.filter(shipment=shipment)
                                      .order_by("-occurred_at", "-id").values_list("occurred_at", "reason")[:200]):
        if event_reason != reason:
            break
        began = occurred_at
    return began


def _end_of(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def began_at(shipment: Shipment, verdict: Verdict, *, now: datetime) -> datetime:
    """When the evidence says this delay or stop began — never "when we noticed", so the first run
    after an import does not mistake last month's delay for today's.

    A stop or a carrier delay begins with the first event of its run; a silence when it outgrew the
    lane's usual gap; a prediction from the latest scan it was made from (or the order, if none).
    A delay can never have begun later than the end of the promised day it missed."""
    tz = _zone(shipment)
    if verdict.kind in (Kind.EXCEPTION, Kind.DELAY_REASON):
        began = _reason_run_start(shipment, shipment.status_reason) or shipment.last_event_at
    elif verdict.kind == Kind.NO_SCAN:
        _, threshold = _silence(shipment, now)
        began = cal.add_business_hours(shipment.last_event_at, threshold or 0.0, _calendar(shipment), tz)
    else:
        began = shipment.last_event_at or shipment.order.placed_at
    began = began or now
    if verdict.late and verdict.promised is not None:
        began = min(began, _end_of(verdict.promised, tz))
    return min(began, now)


def episode_for(verdict: Verdict, began: datetime) -> str:
    if verdict.stopped:
        return f"exception:{verdict.reason}:{began.astimezone(zoneinfo.ZoneInfo('UTC')):%Y%m%dT%H%M}"
    return f"late:{verdict.promised.isoformat() if verdict.promised else '-'}"


# --- Who hears about it ------------------------------------------------------------------------------
def parcel_age_start(shipment: Shipment) -> datetime:
    return shipment.shipped_at or shipment.order.placed_at


def notify_eligible(shipment: Shipment, began: datetime, *, now: datetime) -> str:
    """"" when the shopper may hear about this, else the DelayCase.Silence reason why not."""
    if shipment.status in OVER:
        return DelayCase.Silence.TERMINAL
    if now - parcel_age_start(shipment) > timedelta(days=settings.DOORSTEP_DELAY_NOTIFY_MAX_AGE_DAYS):
        return DelayCase.Silence.TOO_OLD
    if began < now - timedelta(hours=settings.DOORSTEP_DELAY_NOTIFY_HORIZON_HOURS):
        return DelayCase.Silence.HISTORY
    return ""


def notify_decision(shipment: Shipment, verdict: Verdict, began: datetime, episode: str, *,
                    now: datetime) -> tuple[bool, str]:
    """(email the shopper now?, DelayCase.Silence reason if not)."""
    silent = notify_eligible(shipment, began, now=now)
    if silent:
        return False, silent
    if DelayCase.objects.filter(shipment=shipment, episode=episode, notified=True).exists():
        return False, DelayCase.Silence.ALREADY_TOLD
    if shipment.status == st.FAILED_ATTEMPT:
        # The failed-attempt email has just told the shopper, with what they can do about it.
        return False, DelayCase.Silence.FAILED_ATTEMPT
    return True, ""


def follow_up_after(moment: datetime, shipment: Shipment) -> datetime:
    """FOLLOW_UP_HOUR on the DOORSTEP_EXCEPTION_FOLLOW_UP_DAYS-th business day of the merchant's
    calendar after ``moment``: the day the shopper is promised an update."""
    merchant = shipment.merchant
    tz = zoneinfo.ZoneInfo(merchant.timezone)
    day = cal.add_business_days(moment.astimezone(tz).date(), settings.DOORSTEP_EXCEPTION_FOLLOW_UP_DAYS,
                                merchant.country)
    return datetime.combine(day, time(FOLLOW_UP_HOUR), tzinfo=tz)


# --- Writes ------------------------------------------------------------------------------------------
def _resolution(case: DelayCase, shipment: Shipment, verdict: Verdict) -> str:
    if shipment.status == st.DELIVERED:
        return "delivered"
    if shipment.status in OVER:
        return shipment.status
    if verdict.stopped:
        return "stopped"  # a delay became a stop, or one stop another
    if case.is_exception:
        return "moving_again"
    return "promise_changed" if verdict.late else "back_on_time"


def _same_episode(case: DelayCase, verdict: Verdict) -> bool:
    if case.kind == Kind.EXCEPTION:
        return verdict.stopped and verdict.reason == case.reason
    return verdict.late and verdict.promised == case.promised_date


def next_review(shipment: Shipment, verdict: Verdict, *, now: datetime) -> datetime | None:
    """When this parcel's verdict may change without an event; None once its journey is over."""
    from tracking.edd.inflight import SCANNING_STATUSES

    if shipment.is_return or shipment.status in OVER:
        return None
    tz = _zone(shipment)
    # Dates roll at local midnight: a window that ran out moves, a promise day ends.
    moments = [_end_of(now.astimezone(tz).date(), tz)]
    silent, threshold = _silence(shipment, now)
    if not verdict.stopped and shipment.status in SCANNING_STATUSES and shipment.last_event_at is not None:
        days = _calendar(shipment)
        limit = threshold if threshold is not None else settings.DOORSTEP_DELAY_SILENCE_MIN_HOURS
        if silent > limit:
            # Each further 24 working hours of silence pushes the prediction by one more day.
            limit += 24.0 * cal.business_days_for_hours(silent - limit)
        moments.append(cal.add_business_hours(shipment.last_event_at, limit + 1 / 60, days, tz))
    return max(min(moments), now + timedelta(minutes=1))


@transaction.atomic
def shipment_detect_delay(*, shipment: Shipment, now: datetime | None = None) -> DelayCase | None:
    """Judge the parcel now: open a case if it has newly become late or stopped (emailing the
    shopper when notify_decision allows), resolve the open case if it no longer applies. Returns
    the case opened now, else None. Idempotent: a second call with nothing new changes nothing."""
    now = now or timezone.now()
    locked = (Shipment.objects.select_for_update(of=("self",)).select_related("merchant", "order__customer")
              .get(pk=shipment.pk))
    verdict = judge(locked, now=now)
    open_case = DelayCase.objects.filter(shipment=locked, resolved_at__isnull=True).first()
    changed = False
    if open_case is not None and not _same_episode(open_case, verdict):
        _resolve(open_case, locked, verdict, now=now)
        open_case, changed = None, True
    opened = None
    if verdict.kind and open_case is None:
        opened = _open(locked, verdict, now=now)
        changed = changed or opened is not None
    is_delayed = verdict.late
    review = next_review(locked, verdict, now=now)
    if locked.is_delayed != is_delayed or changed:
        # A model save, so the order page's cache version moves with what the page shows.
        locked.is_delayed, locked.next_review_at = is_delayed, review
        locked.save(update_fields=["is_delayed", "next_review_at", "updated_at"])
    elif locked.next_review_at != review:
        Shipment.objects.filter(pk=locked.pk).update(next_review_at=review)
    shipment.is_delayed, shipment.next_review_at = is_delayed, review
    if opened is not None and opened.kind in LATE_KINDS:
        ids = (locked.pk, locked.merchant_id, opened.pk, opened.kind, opened.reason, opened.notified)
        transaction.on_commit(lambda: signals.shipment_delayed.send(
            sender=Shipment, shipment_id=ids[0], merchant_id=ids[1], delay_case_id=ids[2], kind=ids[3],
            reason=ids[4], notify_shopper=ids[5]))
    return opened


def _open(shipment: Shipment, verdict: Verdict, *, now: datetime) -> DelayCase | None:
    from tracking.notifications import shipping

    began = began_at(shipment, verdict, now=now)
    episode = episode_for(verdict, began)
    notify, silent = notify_decision(shipment, verdict, began, episode, now=now)
    eligible = not notify_eligible(shipment, began, now=now)
    # A stop the shopper may hear about gets a promised update; history and old parcels do not.
    follow_up = follow_up_after(now, shipment) if verdict.stopped and eligible else None
    try:
        with transaction.atomic():
            case = DelayCase.objects.create(
                merchant_id=shipment.merchant_id, shipment=shipment, kind=verdict.kind, reason=verdict.reason,
                carrier=shipment.carrier, promised_date=shipment.promised_delivery_date,
                predicted_date=shipment.predicted_delivery_date,
                predicted_window_end=shipment.predicted_window_end, episode=episode, began_at=began, opened_at=now,
                notified=notify, silent_reason=silent, follow_up_due=follow_up,
            )
    except IntegrityError:  # a concurrent run opened it first: that run decided and told
        return None
    if notify:
        # In this transaction: the case and its email request commit together or not at all.
        if case.is_exception:
            shipping.exception_notice_request(case=case, shipment=shipment)
        else:
            shipping.delay_notice_request(case=case, shipment=shipment)
    return case


def _resolve(case: DelayCase, shipment: Shipment, verdict: Verdict, *, now: datetime) -> None:
    from tracking.notifications import shipping

    case.resolved_at = now
    case.resolution = _resolution(case, shipment, verdict)
    promised_update = case.follow_up_due is not None
    case.follow_up_due = None
    case.save(update_fields=["resolved_at", "resolution", "follow_up_due"])
    # We promised the shopper an update by a date; the parcel moving again is that update.
    if case.is_exception and promised_update and shipment.status not in OVER and not verdict.stopped:
        shipping.exception_update_request(case=case, shipment=shipment, resolved=True)


def delay_candidates(*, now: datetime):
    """Parcels to judge again although no event arrived: due for review, never reviewed yet, or
    finished with a case still open."""
    outbound = Q(is_return=False)
    travelling = ~Q(status__in=sorted(OVER))
    return Shipment.objects.filter(
        (outbound & travelling & (Q(next_review_at__lte=now) | Q(next_review_at__isnull=True)))
        | Q(delay_cases__resolved_at__isnull=True, delay_cases__isnull=False, status__in=sorted(OVER))
    ).distinct()


@transaction.atomic
def shipment_review(*, shipment_id: int, now: datetime) -> DelayCase | None:
    """Re-predict (the window may have run out, a silence grown) and judge again, in one transaction."""
    from tracking.edd.services import shipment_update_prediction

    shipment = Shipment.objects.filter(pk=shipment_id).first()
    if shipment is None:
        return None
    if shipment.status not in OVER and not shipment.is_return:
        shipment_update_prediction(shipment=shipment, now=now)
    return shipment_detect_delay(shipment=shipment, now=now)


def delays_detect(*, now: datetime | None = None) -> int:
    """The beat job's first half: judge every parcel due for review, each in its own transaction.
    Returns cases opened."""
    now = now or timezone.now()
    opened = 0
    for shipment_id in list(delay_candidates(now=now).values_list("pk", flat=True)):
        if shipment_review(shipment_id=shipment_id, now=now) is not None:
            opened += 1
    return opened


# --- Follow-ups we promised --------------------------------------------------------------------------
@transaction.atomic
def case_follow_up(*, case_id: int, now: datetime) -> bool:
    """Send the update promised for this case if it is due, and promise the next one (or none).
    Idempotent: the case is locked, and each follow-up has its own dedupe key."""
    from tracking.notifications import shipping

    case = (DelayCase.objects.select_for_update(of=("self",))
            .select_related("shipment__merchant", "shipment__order__customer").filter(pk=case_id).first())
    if case is None or not case.is_open or case.follow_up_due is None or case.follow_up_due > now:
        return False
    shipment = case.shipment
    case.follow_ups_sent += 1
    more = (case.follow_ups_sent < settings.DOORSTEP_EXCEPTION_FOLLOW_UPS
            and not notify_eligible(shipment, now, now=now))
    case.follow_up_due = follow_up_after(now, shipment) if more else None
    case.save(update_fields=["follow_ups_sent", "follow_up_due"])
    # The page shows the next date: let its cache move with the case.
    shipment.save(update_fields=["updated_at"])
    shipping.exception_update_request(case=case, shipment=shipment, resolved=False)
    return True


def delay_follow_ups_send(*, now: datetime | None = None) -> int:
    """The beat job's second half: every follow-up that fell due. Returns how many were sent."""
    now = now or timezone.now()
    due = list(DelayCase.objects.filter(resolved_at__isnull=True, follow_up_due__lte=now)
               .order_by("follow_up_due").values_list("pk", flat=True))
    return sum(1 for case_id in due if case_follow_up(case_id=case_id, now=now))

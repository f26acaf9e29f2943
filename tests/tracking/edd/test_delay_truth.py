"""Delays that are true and notices that help: the rule in tracking.edd.delays, its calendar, who hears
about it, and the follow-up promised for a stopped parcel."""
import threading
import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tests.factories import MerchantFactory, OrderFactory, ShipmentFactory
from tracking.carriers import status as st
from tracking.edd import calendar as cal
from tracking.edd import delays
from tracking.edd.engine import delivery_calendar
from tracking.edd.lanes import LaneDistribution, TransitSample, build_carrier_calibrations, build_scan_gaps
from tracking.edd.promise import HandlingPolicy, promise_prediction
from tracking.edd.services import lane_stats_recompute
from tracking.edd.types import LaneKey, TransitRange
from tracking.models import DelayCase, LaneTransitStats, NotificationLog, Shipment
from tracking.services.shipments import NewEvent, shipment_add_events

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")


def quiet_free_shop():
    # No quiet hours: emails go out at once, whatever the hour the suite runs.
    return MerchantFactory(quiet_hours_start=time(0), quiet_hours_end=time(0))


def parcel(**kw):
    if "order" not in kw:
        kw["order"] = OrderFactory(merchant=quiet_free_shop())
    return ShipmentFactory(**kw)


# --- Business days: promises never land on a day the service does not deliver ---------------------
@pytest.mark.parametrize("ordered,expected", [
    # Thu 2 Oct 2025 before the cut-off: ships that day, then Fri 3 (Foundation Day), the weekend,
    # Chuseok 6-8 and Hangul Day 9 are closed: three business days are Fri 10, Mon 13, Tue 14.
    (datetime(2025, 10, 2, 10, 0, tzinfo=SEOUL), date(2025, 10, 14)),
    # Fri 13 Feb 2026 after the cut-off: Seollal holidays Mon 16 – Wed 18 Feb; ships Thu 19.
    (datetime(2026, 2, 13, 16, 0, tzinfo=SEOUL), date(2026, 2, 24)),
    # Fri 4 Dec 2026 morning: ships Friday; Mon 7, Tue 8, Wed 9.
    (datetime(2026, 12, 4, 9, 0, tzinfo=SEOUL), date(2026, 12, 9)),
])
def test_promise_counts_business_days_across_korean_holidays_and_weekends(ordered, expected):
    days = delivery_calendar("mock", "standard", "KR")
    promised = promise_prediction(ordered_at=ordered, policy=HandlingPolicy(timezone="Asia/Seoul"),
                                  origin_country="KR", destination_country=days,
                                  transit=TransitRange(1, 3)).window_end
    assert promised == expected
    assert cal.is_business_day(promised, days)


def test_a_saturday_service_may_promise_a_saturday_but_never_a_sunday():
    saturday = cal.DeliveryCalendar("KR", cal.parse_weekdays("mon-sat"))
    friday = date(2026, 12, 4)
    assert cal.add_business_days(friday, 1, saturday) == date(2026, 12, 5)
    assert cal.add_business_days(friday, 2, saturday) == date(2026, 12, 7)  # Sunday skipped
    assert cal.add_business_days(friday, 1, "KR") == date(2026, 12, 7)  # Monday–Friday by default
    assert not cal.is_business_day(date(2026, 12, 25), saturday)  # Christmas is a holiday in Korea too


@override_settings(DOORSTEP_EDD_DELIVERY_DAYS={"*:*": "mon-fri", "*:express": "mon-sat", "usps:*": "mon-sat"})
def test_delivery_days_come_from_settings_most_specific_first():
    assert delivery_calendar("cj", "standard", "KR").weekdays == frozenset(range(5))
    assert delivery_calendar("cj", "express", "KR").weekdays == frozenset(range(6))
    assert delivery_calendar("usps", "ground", "US").weekdays == frozenset(range(6))


@pytest.mark.parametrize("spec", ["", "mon-", "fri-mon", "monday", "mon,tue"])
def test_a_typo_in_delivery_days_is_an_error_not_a_guess(spec):
    with pytest.raises(ValueError):
        cal.parse_weekdays(spec)


def test_silence_is_counted_in_working_hours():
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=SEOUL)
    monday_morning = datetime(2026, 12, 7, 9, 0, tzinfo=SEOUL)
    assert cal.business_hours_between(friday_evening, monday_morning, "KR", SEOUL) == pytest.approx(15.0)
    assert cal.add_business_hours(friday_evening, 15.0, "KR", SEOUL) == monday_morning


# --- The rule --------------------------------------------------------------------------------------
def travelling(*, promised, likely, window_end=None, reason="", status=st.IN_TRANSIT, confidence=0.9, **kw):
    shipment = parcel(**kw)
    Shipment.objects.filter(pk=shipment.pk).update(
        status=status, status_reason=reason, promised_delivery_date=promised, predicted_delivery_date=likely,
        predicted_window_start=min(likely, window_end or likely), predicted_window_end=window_end or likely,
        predicted_confidence=confidence, last_event_at=timezone.now() - timedelta(hours=1),
        shipped_at=timezone.now() - timedelta(days=1))
    shipment.refresh_from_db()
    return shipment


@pytest.mark.django_db
def test_late_means_the_likely_day_is_past_the_promise_not_the_pessimistic_end():
    monday = date(2026, 12, 7)
    hopeful = travelling(promised=monday, likely=monday, window_end=monday + timedelta(days=3))
    late = travelling(promised=monday, likely=monday + timedelta(days=1))
    now = timezone.now()
    assert delays.judge(hopeful, now=now) == delays.ON_TIME
    verdict = delays.judge(late, now=now)
    assert verdict.late and verdict.kind == DelayCase.Kind.PREDICTED_LATE


@pytest.mark.django_db
def test_a_carrier_delay_the_promise_absorbs_is_a_note_not_a_delay():
    from tracking.page import presenters

    week = timezone.localdate() + timedelta(days=7)
    absorbed = travelling(promised=week, likely=week - timedelta(days=3), reason="weather")
    assert delays.shipment_detect_delay(shipment=absorbed) is None
    absorbed.refresh_from_db()
    assert not absorbed.is_delayed
    assert presenters.delay_for(absorbed) == ""
    assert "Severe weather" in presenters.carrier_note_for(absorbed) and "as promised" in presenters.carrier_note_for(absorbed)
    tipped = travelling(promised=week, likely=week + timedelta(days=3), reason="weather")
    case = delays.shipment_detect_delay(shipment=tipped)
    assert case.kind == DelayCase.Kind.DELAY_REASON and case.reason == "weather"


@pytest.mark.parametrize("confidence,late,level", [(0.95, False, "high"), (0.95, True, "medium"),
                                                   (0.6, True, "medium"), (0.3, True, "low"), (None, False, "low")])
def test_a_late_parcel_is_never_very_likely(confidence, late, level):
    assert delays.certainty_level(confidence, late=late) == level


@pytest.mark.django_db
def test_a_label_created_today_is_not_late(django_capture_on_commit_callbacks):
    from tracking.page import presenters

    order = OrderFactory(merchant=quiet_free_shop(), placed_at=timezone.now() - timedelta(hours=2))
    shipment = parcel(order=order)
    with django_capture_on_commit_callbacks(execute=True):  # re-prediction and the rule run after commit
        shipment_add_events(shipment=shipment, source="webhook", events=[
            NewEvent(occurred_at=timezone.now() - timedelta(minutes=30), status=st.INFO_RECEIVED)])
    shipment.refresh_from_db()
    assert shipment.promised_delivery_date and shipment.predicted_delivery_date
    assert shipment.predicted_delivery_date <= shipment.promised_delivery_date
    assert not shipment.is_delayed and not DelayCase.objects.exists()
    assert presenters.delay_for(shipment) == ""
    assert shipment.next_review_at is not None  # the job looks again without an event


@pytest.mark.django_db
def test_no_scan_for_longer_than_the_lanes_usual_gap_is_a_delay():
    shipment = travelling(promised=timezone.localdate(), likely=timezone.localdate() + timedelta(days=2))
    Shipment.objects.filter(pk=shipment.pk).update(last_event_at=timezone.now() - timedelta(days=6))
    shipment.refresh_from_db()
    case = delays.shipment_detect_delay(shipment=shipment)
    assert case.kind == DelayCase.Kind.NO_SCAN


def test_scan_gaps_and_carrier_calibration_are_learned_per_lane():
    key = LaneKey("cj", "standard", "KR-10", "KR-48")
    gaps = [6.0] * 90 + [40.0] * 10
    # The carrier says "by" two or one business days after the actual delivery.
    samples = [TransitSample(key, date(2026, 11, 1), 1 if i % 2 else 2, gap, -1 if i % 2 else -2)
               for i, gap in enumerate(gaps)]
    learned = build_scan_gaps(samples, quantile=0.95, min_samples=15)
    assert learned[("lane", key)] == 40.0 and learned[("region", LaneKey("cj", "standard", "KR", "KR"))] == 40.0
    assert build_scan_gaps(samples[:10], quantile=0.95, min_samples=15) == {}
    region = ("region", LaneKey("cj", "standard", "KR", "KR"))
    dist = LaneDistribution(((1, 50.0), (2, 50.0)), 100, 100.0, 100.0)
    calibration = build_carrier_calibrations(samples, {region: dist}, min_samples=15)[region]
    # Read two days earlier, the carrier's date is off by half a day on average, like the lane's median.
    assert calibration.bias_days == -2 and calibration.weight == pytest.approx(0.5)


@pytest.mark.django_db
def test_lane_statistics_learn_the_usual_silence_from_deliveries():
    merchant = MerchantFactory()
    start = timezone.now() - timedelta(days=10)
    for n in range(20):
        shipment = ShipmentFactory(order=OrderFactory(merchant=merchant, ship_postal_code="48060"))
        shipment_add_events(shipment=shipment, source="import", events=[
            NewEvent(occurred_at=start + timedelta(hours=h), status=s, carrier_event_id=f"{n}-{h}")
            for h, s in ((0, st.IN_TRANSIT), (5, st.IN_TRANSIT), (5 + 10 + n % 3, st.IN_TRANSIT),
                         (40, st.DELIVERED))])
    lane_stats_recompute()
    row = LaneTransitStats.objects.get(level="lane", carrier="mock")
    assert row.scan_gap_hours is not None and 10 < row.scan_gap_hours <= 40


# --- Who hears about it --------------------------------------------------------------------------------
def delayed_emails():
    return list(NotificationLog.objects.filter(kind__in=["shipment_delayed", "shipment_exception"]))


@pytest.mark.django_db
def test_a_parcel_thirty_days_old_gets_no_email_but_the_case_opens():
    shipment = travelling(promised=timezone.localdate() - timedelta(days=1), likely=timezone.localdate())
    Shipment.objects.filter(pk=shipment.pk).update(shipped_at=timezone.now() - timedelta(days=30))
    shipment.refresh_from_db()
    case = delays.shipment_detect_delay(shipment=shipment)
    assert case is not None and not case.notified and case.silent_reason == DelayCase.Silence.TOO_OLD
    assert delayed_emails() == []
    shipment.refresh_from_db()
    assert shipment.is_delayed  # flagged silently: the page still says so


@pytest.mark.django_db
def test_the_first_run_after_an_import_sends_nothing_for_old_delays(django_capture_on_commit_callbacks):
    """A backfill of parcels that went wrong last week: the job opens their cases (staff and the page
    see them) but emails only the delay that began within the horizon."""
    now = timezone.now()
    old, fresh = parcel(), parcel()
    Shipment.objects.filter(pk=old.pk).update(promised_delivery_date=timezone.localdate() - timedelta(days=6))
    Shipment.objects.filter(pk=fresh.pk).update(promised_delivery_date=timezone.localdate() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=old, source="import", events=[
            NewEvent(occurred_at=now - timedelta(days=9), status=st.IN_TRANSIT, carrier_event_id="o1"),
            NewEvent(occurred_at=now - timedelta(days=8), status=st.IN_TRANSIT, reason="weather",
                     carrier_event_id="o2")])
        shipment_add_events(shipment=fresh, source="import", events=[
            NewEvent(occurred_at=now - timedelta(days=1), status=st.IN_TRANSIT, carrier_event_id="f1"),
            NewEvent(occurred_at=now - timedelta(hours=3), status=st.EXCEPTION, reason="customs",
                     carrier_event_id="f2")])
    with django_capture_on_commit_callbacks(execute=True):
        delays.delays_detect()
    old_case = DelayCase.objects.get(shipment=old)
    assert old_case.began_at < now - timedelta(days=5)
    assert not old_case.notified and old_case.silent_reason == DelayCase.Silence.HISTORY
    assert old_case.follow_up_due is None
    fresh_case = DelayCase.objects.get(shipment=fresh)
    assert fresh_case.kind == DelayCase.Kind.EXCEPTION and fresh_case.notified
    assert [log.kind for log in delayed_emails()] == ["shipment_exception"]


@pytest.mark.django_db
def test_replayed_events_never_reopen_a_closed_delay_or_send_a_second_email(django_capture_on_commit_callbacks):
    shipment = parcel(promised_delivery_date=timezone.localdate() + timedelta(days=1))
    now = timezone.now()
    weather = [NewEvent(occurred_at=now - timedelta(hours=30), status=st.IN_TRANSIT, carrier_event_id="e1"),
               NewEvent(occurred_at=now - timedelta(hours=5), status=st.IN_TRANSIT, reason="weather",
                        carrier_event_id="e2")]
    # A carrier's revised date four days out makes the weather delay real.
    Shipment.objects.filter(pk=shipment.pk).update(carrier_delivery_date=timezone.localdate() + timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=shipment, source="webhook", events=weather)
    first = DelayCase.objects.get(shipment=shipment)
    assert first.notified and len(delayed_emails()) == 1
    moving = NewEvent(occurred_at=now - timedelta(hours=1), status=st.DELIVERED, carrier_event_id="e3")
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=shipment, source="webhook", events=[moving])
    first.refresh_from_db()
    assert first.resolved_at is not None and first.resolution == "delivered"
    for _ in range(3):  # the carrier replays everything, by webhook and by poll, and the job runs
        with django_capture_on_commit_callbacks(execute=True):
            shipment_add_events(shipment=shipment, source="poll", events=[*weather, moving])
            delays.delays_detect(now=timezone.now() + timedelta(days=1))
    # The same weather scan without its id (another integration) is stored but older than delivery.
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=shipment, source="poll", events=[
            NewEvent(occurred_at=now - timedelta(hours=5), status=st.IN_TRANSIT, reason="weather")])
        delays.delays_detect()
    assert DelayCase.objects.filter(shipment=shipment).count() == 1
    assert DelayCase.objects.filter(resolved_at__isnull=True).count() == 0
    assert len(delayed_emails()) == 1
    assert len([email for email in mail.outbox if "running late" in email.subject]) == 1


@pytest.mark.django_db
def test_late_again_for_the_same_promise_is_flagged_but_not_emailed_again():
    shipment = travelling(promised=timezone.localdate(), likely=timezone.localdate() + timedelta(days=2))
    assert delays.shipment_detect_delay(shipment=shipment).notified
    Shipment.objects.filter(pk=shipment.pk).update(predicted_delivery_date=timezone.localdate())
    delays.shipment_detect_delay(shipment=shipment)  # back on time: resolved
    Shipment.objects.filter(pk=shipment.pk).update(predicted_delivery_date=timezone.localdate() + timedelta(days=3))
    second = delays.shipment_detect_delay(shipment=shipment)
    assert second is not None and not second.notified and second.silent_reason == DelayCase.Silence.ALREADY_TOLD
    assert len(delayed_emails()) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_detection_runs_open_one_case_and_send_one_email():
    shipment = travelling(promised=timezone.localdate(), likely=timezone.localdate() + timedelta(days=2))
    barrier, errors = threading.Barrier(4), []

    def run():
        try:
            barrier.wait()
            delays.shipment_detect_delay(shipment=Shipment(pk=shipment.pk))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DelayCase.objects.filter(shipment=shipment).count() == 1
    assert NotificationLog.objects.filter(kind="shipment_delayed").count() == 1


# --- A stopped parcel: no window, a promised update that a job honours ---------------------------------
def lose(shipment, callbacks, *, hours_ago=2):
    now = timezone.now()
    with callbacks(execute=True):
        shipment_add_events(shipment=shipment, source="webhook", events=[
            NewEvent(occurred_at=now - timedelta(hours=20), status=st.IN_TRANSIT, carrier_event_id="l1"),
            NewEvent(occurred_at=now - timedelta(hours=hours_ago), status=st.EXCEPTION, reason="lost",
                     carrier_event_id="l2", carrier_text="Shipment cannot be located")])
    shipment.refresh_from_db()
    return shipment


@pytest.mark.django_db
def test_a_lost_parcel_has_no_window_and_a_follow_up_date(django_capture_on_commit_callbacks):
    from tracking.page import presenters

    shipment = lose(parcel(promised_delivery_date=timezone.localdate() + timedelta(days=2)),
                    django_capture_on_commit_callbacks)
    assert shipment.predicted_window_start is None and shipment.predicted_window_end is None
    assert not shipment.is_delayed  # stopped, not "running late"
    case = DelayCase.objects.get(shipment=shipment)
    assert case.kind == DelayCase.Kind.EXCEPTION and case.reason == "lost" and case.notified
    merchant_tz = zoneinfo.ZoneInfo(shipment.merchant.timezone)
    due = case.follow_up_due.astimezone(merchant_tz)
    assert due.time() == time(delays.FOLLOW_UP_HOUR)
    assert cal.business_days_between(timezone.localtime(case.opened_at, merchant_tz).date(), due.date(), "KR") == 2
    shipment.page_case = case
    estimate = presenters.estimate_for(shipment, tz=merchant_tz, today=timezone.localdate())
    assert estimate.headline == "Parcel missing" and not estimate.certainty
    notice = presenters.notice_for(shipment, tz=merchant_tz, carrier_name="Mock", carrier_url="",
                                   can_change_delivery=False)
    assert notice.what == "The carrier is searching for your parcel."
    assert notice.next_step == f"We'll email you by {presenters.format_day(due.date())}."
    assert [log.kind for log in NotificationLog.objects.all()] == ["shipment_exception"]
    assert "searching for your parcel" in mail.outbox[0].body and presenters.format_day(due.date()) in mail.outbox[0].body


@pytest.mark.django_db
def test_the_follow_up_is_sent_when_due_then_promised_again_then_handed_to_the_store(
        django_capture_on_commit_callbacks, settings):
    settings.DOORSTEP_EXCEPTION_FOLLOW_UPS = 2
    shipment = lose(parcel(), django_capture_on_commit_callbacks)
    case = DelayCase.objects.get(shipment=shipment)
    first_due = case.follow_up_due
    with django_capture_on_commit_callbacks(execute=True):
        assert delays.delay_follow_ups_send(now=first_due - timedelta(minutes=1)) == 0
        assert delays.delay_follow_ups_send(now=first_due) == 1
        assert delays.delay_follow_ups_send(now=first_due) == 0  # a second run sends nothing
    case.refresh_from_db()
    assert case.follow_ups_sent == 1 and case.follow_up_due > first_due
    update = mail.outbox[-1]
    assert "Update on your order" in update.subject and "We'll email you again by" in update.body
    with django_capture_on_commit_callbacks(execute=True):
        assert delays.delay_follow_ups_send(now=case.follow_up_due) == 1
    case.refresh_from_db()
    assert case.follow_ups_sent == 2 and case.follow_up_due is None  # no promise we would not keep
    assert "will help you from here" in mail.outbox[-1].body
    assert NotificationLog.objects.filter(kind="shipment_exception_update").count() == 2


@pytest.mark.django_db
def test_a_later_scan_resolves_the_exception_and_keeps_the_promise_early(django_capture_on_commit_callbacks):
    from tracking.page import presenters

    shipment = lose(parcel(promised_delivery_date=timezone.localdate() + timedelta(days=5)),
                    django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        shipment_add_events(shipment=shipment, source="webhook", events=[
            NewEvent(occurred_at=timezone.now() - timedelta(minutes=10), status=st.IN_TRANSIT,
                     carrier_event_id="l3", carrier_text="Found, back in the network")])
    shipment.refresh_from_db()
    case = DelayCase.objects.get(shipment=shipment)
    assert case.resolved_at is not None and case.resolution == "moving_again" and case.follow_up_due is None
    assert shipment.predicted_window_start is not None  # a window again
    assert presenters.notice_for(shipment, tz=SEOUL, carrier_name="Mock", carrier_url="",
                                 can_change_delivery=False) is None
    assert presenters.estimate_for(shipment, tz=SEOUL, today=timezone.localdate()).headline.startswith("Arriving")
    assert "is moving again" in mail.outbox[-1].body
    assert delays.delay_follow_ups_send(now=timezone.now() + timedelta(days=10)) == 0


@pytest.mark.django_db
def test_the_job_reviews_parcels_when_due_and_not_before():
    shipment = travelling(promised=timezone.localdate() + timedelta(days=5),
                          likely=timezone.localdate() + timedelta(days=1))
    delays.shipment_detect_delay(shipment=shipment)
    shipment.refresh_from_db()
    due = shipment.next_review_at
    assert due is not None and due > timezone.now()
    assert not delays.delay_candidates(now=timezone.now()).filter(pk=shipment.pk).exists()
    assert delays.delay_candidates(now=due).filter(pk=shipment.pk).exists()


@pytest.mark.django_db
def test_the_beat_task_runs_both_halves():
    from tracking.edd.tasks import detect_delays

    shipment = travelling(promised=timezone.localdate() - timedelta(days=1), likely=timezone.localdate())
    assert detect_delays.delay().get() == 1
    shipment.refresh_from_db()
    assert shipment.is_delayed and shipment.next_review_at is not None


@pytest.mark.django_db
def test_korean_shoppers_get_the_notice_and_its_date_in_korean(django_capture_on_commit_callbacks):
    shipment = parcel()
    customer = shipment.order.customer
    customer.locale = "ko"
    customer.save()
    lose(shipment, django_capture_on_commit_callbacks)
    due = timezone.localtime(DelayCase.objects.get(shipment=shipment).follow_up_due,
                             zoneinfo.ZoneInfo(shipment.merchant.timezone)).date()
    email = mail.outbox[-1]
    assert email.subject == f"주문 {shipment.order.number}: 택배 분실"
    assert "택배사에서 택배를 찾고 있습니다." in email.body
    assert f"{due.month}월 {due.day}일" in email.body and "까지 이메일로 알려 드리겠습니다" in email.body
    html = email.alternatives[0][0]
    assert "할 수 있는 일 보기" in html

"""Delay truth: is "running late" true? The demo's flags against the mock carrier's own scenario truth.

    python bench/delay_truth.py [--scale 1.0] [--days 10] [--step-hours 2] [--database postgres://…/ds_delay]

Seeds the demo into a fresh database (a temporary SQLite file unless --database is given: that
database is wiped), then:

1. **Snapshot** — runs the delay job once, as beat does after an install (the real ``detect_delays``
   task), and compares every travelling parcel's "running late" flag with what the mock carrier knows:
   when each parcel really arrives, against the day the shop promised.
2. **Days** — moves the clock forward (time-machine) in steps for ``--days``: at each step every
   travelling parcel is polled through the real ingest path (``tracking_result_apply`` with the mock
   adapter: all of its events each time, so every poll is also a replay), and the beat job runs. Each
   parcel's first "running late" or exception notice is recorded, and every email.

Population: outbound parcels not delivered, returned, cancelled or expired and not already stopped at
the start, whose scenario ends somewhere (a delivery, or a failure it never recovers from); the
frozen "out for delivery today" showcase, whose timeline stops at the van, has no truth and is left
out. Truth "late": the scenario delivers after the promised day (destination-local), or never.

Printed: precision and recall of "running late" — in the snapshot (the goals; recall over parcels whose promised
day has come, the ones that can be known late; and, for the record, over all of them, including
parcels shipped an hour ago that the mock will lose next week), and over the days (a late parcel
counts as caught when the shopper was shown "running late" or an exception notice before it arrived);
the same for the rule it replaced (window end past the promise, or any delay reason or exception),
measured on the same parcels; emails per 1,000 parcels; the share of parcels delivered inside the
window shown; and the checks: no email for a delay that began before the run's notify horizon, no
window on a stopped parcel, nothing new from a second run or a replay, at most one "running late"
email per parcel and promise. Goals: precision ≥ 90 % and recall ≥ 80 % in the snapshot, recall ≥ 80 %
over the days, no email before the horizon, nothing twice. Precision over the days is printed but not a
goal: the mock carrier works weekends, so a weather delay it scans on a Saturday costs it no working
day, while the rule counts one for a Monday–Friday service. Exit status 1 when a goal is missed.
"""
import argparse
import os
import sys
import tempfile
import time
import zoneinfo
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

GOAL_PRECISION = 0.90
GOAL_RECALL = 0.80
NO_TRUTH_SCENARIOS = {"out_for_delivery_today"}  # the showcase stops at the van: nobody knows the rest
DELAY_EMAILS = ("shipment_delayed", "shipment_exception", "shipment_exception_update")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="demo volume (1.0 = 10,000 orders)")
    parser.add_argument("--days", type=float, default=10.0, help="days to move the clock through (0: snapshot only)")
    parser.add_argument("--step-hours", type=float, default=2.0, help="hours between polls and beat runs")
    parser.add_argument("--database", default="", help="a database URL to use (wiped); default a temp SQLite file")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--verbose", action="store_true", help="list every wrong flag with what it was based on")
    return parser.parse_args()


def setup(database: str) -> None:
    if not database:
        database = f"sqlite:///{Path(tempfile.mkdtemp(prefix='delay-truth-')) / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if "tracking_shipment" in connection.introspection.table_names():
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def truth_for(shipment):
    """(scenario, true destination-local delivery date or None) from the mock's own timeline."""
    from tracking.carriers import mock
    from tracking.carriers import status as st
    from tracking.edd import calendar as cal

    scenario = mock.scenario_for(shipment.tracking_number)
    delivered = [e for e in mock.all_scenario_events(shipment.tracking_number) if e.status == st.DELIVERED]
    if not delivered:
        return scenario, None
    return scenario, cal.local_date(delivered[0].occurred_at, shipment.destination_country, shipment.merchant.timezone)


def baseline_flag(shipment) -> bool:
    """The rule this replaced: the window's pessimistic end past the promise, or any delay reason or
    exception on the latest scan."""
    from tracking.carriers import status as st

    if shipment.status_reason in st.DELAY_REASONS or shipment.status == st.EXCEPTION:
        return True
    return bool(shipment.promised_delivery_date and shipment.predicted_window_end
                and shipment.predicted_window_end > shipment.promised_delivery_date)


def tally(counter: Counter, *, flagged: bool, late: bool) -> None:
    counter[("tp" if late else "fp") if flagged else ("fn" if late else "tn")] += 1


def line(name: str, counter: Counter) -> str:
    precision = ratio(counter["tp"], counter["tp"] + counter["fp"])
    recall = ratio(counter["tp"], counter["tp"] + counter["fn"])
    return (f"  {name:<34} flagged {counter['tp'] + counter['fp']:>4}  late {counter['tp'] + counter['fn']:>4}  "
            f"TP {counter['tp']:>4} FP {counter['fp']:>4} FN {counter['fn']:>4} TN {counter['tn']:>5}  "
            f"precision {precision:6.1%}  recall {recall:6.1%}")


def precision_recall(counter: Counter) -> tuple[float, float]:
    return (ratio(counter["tp"], counter["tp"] + counter["fp"]), ratio(counter["tp"], counter["tp"] + counter["fn"]))


def emails_before_horizon(since_id: int = 0) -> int:
    """Delay and exception emails whose delay began before the horizon of the run that queued them."""
    from django.conf import settings

    from tracking.models import DelayCase, NotificationLog

    horizon = timedelta(hours=settings.DOORSTEP_DELAY_NOTIFY_HORIZON_HOURS)
    cases = {}
    for case in DelayCase.objects.filter(notified=True):
        cases[(case.shipment_id, case.episode)] = case
    early = 0
    for log in NotificationLog.objects.filter(pk__gt=since_id, kind__in=("shipment_delayed", "shipment_exception")):
        shipment_id = int(log.dedupe_key.split(":")[1])
        episode = log.dedupe_key.split(":", 3)[3]
        case = cases.get((shipment_id, episode))
        if case is None or case.began_at is None or case.began_at < log.created_at - horizon:
            early += 1
    return early


def main() -> int:
    args = parse_args()
    setup(args.database)
    from django.conf import settings
    from django.utils import timezone

    from tracking.carriers import status as st
    from tracking.demo.seed import seed
    from tracking.edd import exceptions as exc
    from tracking.edd.tasks import detect_delays
    from tracking.models import DelayCase, NotificationLog, Shipment

    started = time.perf_counter()
    now = timezone.now()
    report = seed(now=now, scale=args.scale, seed=args.seed)
    parcels = Shipment.objects.filter(is_return=False).count()
    print(f"demo: {report.created['orders']:,} orders, {parcels:,} parcels seeded in "
          f"{time.perf_counter() - started:.1f} s (scale {args.scale:g}, "
          f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}), now {now:%a %Y-%m-%d %H:%M} UTC")

    # --- 1. Snapshot: the first beat run after the install -------------------------------------------
    started = time.perf_counter()
    detect_delays.delay().get()
    print(f"first delay job run: {time.perf_counter() - started:.1f} s, "
          f"{DelayCase.objects.exclude(kind=DelayCase.Kind.EXCEPTION).count()} running-late cases, "
          f"{DelayCase.objects.filter(kind=DelayCase.Kind.EXCEPTION).count()} exception cases")
    today_by_tz = {}
    travelling = list(Shipment.objects.filter(is_return=False).exclude(status__in=sorted(st.TERMINAL))
                      .select_related("merchant"))
    snap, snap_due, snap_base = Counter(), Counter(), Counter()
    by_scenario = Counter()
    inside = windows = stopped = stopped_clean = 0
    truth = {}
    for shipment in travelling:
        if exc.exception_kind(shipment.status, shipment.status_reason):
            stopped += 1
            stopped_clean += shipment.predicted_window_start is None and not shipment.is_delayed
            continue
        scenario, delivered_on = truth_for(shipment)
        if delivered_on is not None and shipment.predicted_window_start and shipment.predicted_window_end:
            windows += 1
            inside += shipment.predicted_window_start <= delivered_on <= shipment.predicted_window_end
        if scenario in NO_TRUTH_SCENARIOS or shipment.promised_delivery_date is None:
            continue
        late = delivered_on is None or delivered_on > shipment.promised_delivery_date
        truth[shipment.pk] = (late, delivered_on, shipment.promised_delivery_date, scenario)
        tally(snap, flagged=shipment.is_delayed, late=late)
        tally(snap_base, flagged=baseline_flag(shipment), late=late)
        tz = shipment.merchant.timezone
        today = today_by_tz.setdefault(tz, now.astimezone(zoneinfo.ZoneInfo(tz)).date())
        if not late or shipment.promised_delivery_date <= today:
            tally(snap_due, flagged=shipment.is_delayed, late=late)
        by_scenario[(scenario, "late" if late else "on time", "flagged" if shipment.is_delayed else "-")] += 1
    first_emails = NotificationLog.objects.filter(kind__in=DELAY_EMAILS).count()
    early_first = emails_before_horizon()
    silent = Counter(DelayCase.objects.filter(notified=False).values_list("silent_reason", flat=True))
    again = detect_delays.delay().get()
    again_emails = NotificationLog.objects.filter(kind__in=DELAY_EMAILS).count() - first_emails

    print(f"\n1. snapshot: {len(travelling)} travelling parcels, {stopped} of them stopped (lost, damaged, customs…), "
          f"{len(truth)} judged against the mock's truth")
    for key in sorted(by_scenario):
        print(f"     {key[0]:<22} truth {key[1]:<8} {key[2]:<8} {by_scenario[key]:>4}")
    print(line("running late (promised day come)", snap_due))
    print(line("running late (all, for the record)", snap))
    print(line("baseline rule (old), all", snap_base))
    print(f"  emails from the first run: {first_emails} = {1000 * first_emails / parcels:.2f} per 1,000 parcels; "
          f"flagged silently: {dict(silent)}")
    print(f"  emails for a delay that began before the notify horizon "
          f"({settings.DOORSTEP_DELAY_NOTIFY_HORIZON_HOURS} h): {early_first}")
    print(f"  stopped parcels with no window and no 'running late': {stopped_clean}/{stopped}")
    print(f"  delivered inside the window shown now: {ratio(inside, windows):.1%} of {windows}")
    print(f"  second run at once: {again} new cases, {again_emails} new emails")

    # --- 2. Days: the clock moves, parcels are polled (every poll a replay), beat runs -----------------
    sim, sim_base = Counter(), Counter()
    per_parcel_late_emails = Counter()
    sim_early = 0
    if args.days > 0:
        import time_machine

        from tracking.carriers.mock import MockCarrier
        from tracking.ingest.results import tracking_result_apply

        adapter = MockCarrier()
        first_flag, base_flag, told_stopped, evidence = {}, set(), {}, {}
        ids = [pk for pk in truth]
        start_log = NotificationLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        steps = int(args.days * 24 / args.step_hours)
        started = time.perf_counter()
        polls = 0
        for step in range(1, steps + 1):
            moment = now + timedelta(hours=step * args.step_hours)
            with time_machine.travel(moment, tick=False):
                for shipment in Shipment.objects.filter(pk__in=ids).exclude(status__in=sorted(st.TERMINAL)):
                    tracking_result_apply(merchant_id=shipment.merchant_id, carrier="mock", source="poll",
                                          result=adapter.track(shipment.tracking_number), shipment=shipment)
                    polls += 1
                detect_delays.delay().get()
                for shipment in Shipment.objects.filter(pk__in=ids):
                    if shipment.is_delayed and shipment.pk not in first_flag and shipment.status not in st.TERMINAL:
                        first_flag[shipment.pk] = moment
                        case = DelayCase.objects.filter(shipment=shipment, resolved_at__isnull=True).first()
                        evidence[shipment.pk] = (f"{moment:%a %d %H:%M} {shipment.status} {shipment.status_reason} "
                                                 f"{case.kind if case else '-'} likely {shipment.predicted_delivery_date} "
                                                 f"carrier {shipment.carrier_delivery_date} "
                                                 f"last {shipment.last_event_at:%a %d %H:%M} "
                                                 f"| {shipment.prediction_explanation[:90]}")
                    if exc.exception_kind(shipment.status, shipment.status_reason) and shipment.pk not in told_stopped:
                        told_stopped[shipment.pk] = moment
                    if baseline_flag(shipment) and shipment.status not in st.TERMINAL:
                        base_flag.add(shipment.pk)
        print(f"\n2. {args.days:g} days in {steps} steps of {args.step_hours:g} h: {polls:,} polls "
              f"(each a replay of the parcel's whole log) in {time.perf_counter() - started:.0f} s")
        caught_by_promise = late_total = 0
        for pk, (late, delivered_on, promised, scenario) in truth.items():
            caught = pk in first_flag or pk in told_stopped
            tally(sim, flagged=pk in first_flag or (late and caught), late=late)
            tally(sim_base, flagged=pk in base_flag, late=late)
            if late:
                late_total += 1
                when = min([t for t in (first_flag.get(pk), told_stopped.get(pk)) if t], default=None)
                shipment = Shipment.objects.select_related("merchant").get(pk=pk)
                # The first beat run after the promised day ended (runs are --step-hours apart here).
                deadline = datetime.combine(promised + timedelta(days=1), clock_time(0),
                                            tzinfo=zoneinfo.ZoneInfo(shipment.merchant.timezone)) + timedelta(
                    hours=args.step_hours)
                caught_by_promise += when is not None and when <= deadline
                if args.verbose and (when is None or when > deadline):
                    print(f"    caught late: {scenario:<22} promised {promised:%a %d}, delivered "
                          f"{delivered_on and delivered_on.strftime('%a %d')}, first shown {when and when.strftime('%a %d %H:%M')}")
        if args.verbose:
            for pk, (late, delivered_on, promised, scenario) in sorted(truth.items()):
                wrong = (pk in first_flag) != late
                if wrong:
                    print(f"    {'FP' if pk in first_flag else 'FN'} {scenario:<22} promised {promised:%a %d} "
                          f"delivered {delivered_on and delivered_on.strftime('%a %d')}: {evidence.get(pk, '')}")
        for log in NotificationLog.objects.filter(pk__gt=start_log, kind="shipment_delayed"):
            per_parcel_late_emails[log.dedupe_key] += 1
        sim_early = emails_before_horizon(start_log)
        sim_emails = Counter(NotificationLog.objects.filter(pk__gt=start_log, kind__in=DELAY_EMAILS)
                             .values_list("kind", flat=True))
        late_per_parcel = Counter(NotificationLog.objects.filter(kind="shipment_delayed")
                                  .values_list("order_id", flat=True))
        print(line("running late or stopped, shown", sim))
        print(line("baseline rule (old)", sim_base))
        print(f"  late parcels caught by the first run after their promised day: "
              f"{caught_by_promise}/{late_total} ({ratio(caught_by_promise, late_total):.1%})")
        total = sum(sim_emails.values())
        print(f"  emails over the days: {dict(sim_emails)} = {1000 * total / parcels:.2f} per 1,000 parcels, "
              f"{1000 * total / max(len(truth), 1):.1f} per 1,000 travelling; most 'running late' emails for one "
              f"order: {max(late_per_parcel.values(), default=0)}")
        print(f"  emails for a delay that began before the notify horizon: {sim_early}")

    snap_precision, _ = precision_recall(snap)
    _, due_recall = precision_recall(snap_due)
    checks = [snap_precision >= GOAL_PRECISION, due_recall >= GOAL_RECALL, early_first == 0, again == 0,
              again_emails == 0, stopped_clean == stopped]
    if args.days > 0:
        # Over the days, recall, the horizon and "once" are goals; precision is reported, not gated: the
        # mock carrier works weekends, so a weather delay it scans on a Saturday costs it nothing,
        # while the rule (rightly, for a Monday–Friday service) counts a working day lost.
        _, sim_recall = precision_recall(sim)
        checks += [sim_recall >= GOAL_RECALL, sim_early == 0, max(per_parcel_late_emails.values(), default=0) <= 1]
    print(f"\ngoals (precision ≥ {GOAL_PRECISION:.0%}, recall ≥ {GOAL_RECALL:.0%}, no email before the horizon, "
          f"nothing twice): " + ("met" if all(checks) else f"MISSED {checks}"))
    return 0 if all(checks) else 1


if __name__ == "__main__":
    sys.exit(main())

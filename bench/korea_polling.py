"""Korea polling: what tracking 10,000 Korean parcels through tracker.delivery costs in API calls.

    python bench/korea_polling.py [--parcels 10000] [--days 4] [--step-minutes 60] [--database postgres://…]

A local fake tracker.delivery (a threaded HTTP server in this process, GraphQL ``track`` and
``registerTrackWebhook`` as the published schema has them) stands in for the provider through
``DOORSTEP_TRACKERDELIVERY_API_URL``; nothing leaves the machine. One merchant, one tracker.delivery
account, ``--parcels`` CJ parcels created at the start and shipped over the first 12 hours; each
parcel's truth: picked up (+2 h), in transit (+10 h), out for delivery (+30 h), delivered (+34 h), one
in ten held four more days in transit. The clock moves in ``--step-minutes`` steps through ``--days``;
at each step, exactly as beat and the workers do:

1. ``webhook_registrations_renew`` registers new parcels and renews lapsing registrations;
2. the provider calls back for every parcel whose state changed since the last step, and the callback
   path (``shipment_nudged``: rate limit, track, apply) re-tracks it — counted apart, not in the goal;
3. ``poll_batches_pick`` + ``poll_batch_run`` poll what is due (parcels without a live registration, or
   silent longer than DOORSTEP_POLL_SILENT_HOURS).

Printed: provider calls per parcel per tracked day (registrations + polls, the goal ≤ 2; callback
re-tracks shown apart), and the polling scheduler's overhead — wall time of phases 1 and 3 minus the
time spent in HTTP calls, as a ratio to that HTTP time. The provider's rate limit is lifted for the
run (the limiter is tested on its own): the bench measures how many calls the schedule makes, not how
long a 60/min budget takes to spend. Exit status 1 when the goal is missed.
"""
import argparse
import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

GOAL_CALLS_PER_PARCEL_DAY = 2.0
START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # a Monday
# (hours after shipping, tracker.delivery status code, Korean text)
TRUTH = ((0, "INFORMATION_RECEIVED", "운송장 등록"), (2, "AT_PICKUP", "집화처리"), (10, "IN_TRANSIT", "간선상차"),
         (30, "OUT_FOR_DELIVERY", "배송출발"), (34, "DELIVERED", "배달완료"))
SLOW_EXTRA_HOURS = 96


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=10_000)
    parser.add_argument("--days", type=float, default=4.0)
    parser.add_argument("--step-minutes", type=int, default=60)
    parser.add_argument("--database", default="", help="a database URL to use (wiped); default a temp SQLite file")
    return parser.parse_args()


def setup(database: str) -> None:
    if not database:
        database = f"sqlite:///{Path(tempfile.mkdtemp(prefix='korea-polling-')) / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database
    os.environ["EMAIL_URL"] = "memorymail://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ["REDIS_URL"] = ""  # the in-process cache: one process, one limiter
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if not database.startswith("sqlite"):
        call_command("flush", interactive=False, verbosity=0)
    from django.conf import settings

    settings.DOORSTEP_NOTIFICATION_CHANNELS = []  # no shopper messages: only the provider is measured
    # What happens downstream of a new event (delivery estimates, shopper emails, surveys, outgoing
    # webhooks) costs the same whether the news came by poll or callback: switched off, so the bench
    # times the provider calls and the scheduler around them, not the rest of Doorstep.
    from tracking import signals

    for signal, uid in ((signals.shipment_events_added, "tracking.edd.repredict_on_events"),
                        (signals.shipment_status_changed, "tracking.edd.repredict_on_status"),
                        (signals.shipment_status_changed, "tracking.shipping_emails"),
                        (signals.shipment_status_changed, "webhooks_out.status_changed"),
                        (signals.shipment_status_changed, "returns.on_shipment_status_changed"),
                        (signals.shipment_delivered, "webhooks_out.delivered"),
                        (signals.shipment_delivered, "feedback.schedule_survey")):
        signal.disconnect(dispatch_uid=uid)


# --- The fake provider -----------------------------------------------------------------------------------
class Provider:
    """The parcels' truth and the calls made, by operation."""

    def __init__(self):
        self.shipped: dict[str, datetime] = {}
        self.slow: set[str] = set()
        self.calls = {"track": 0, "register": 0}
        self.lock = threading.Lock()

    def events(self, number: str, now: datetime) -> list[tuple[datetime, str, str]]:
        shipped = self.shipped.get(number)
        if shipped is None:
            return []
        out = []
        for hours, code, text in TRUTH:
            extra = SLOW_EXTRA_HOURS if number in self.slow and code in ("OUT_FOR_DELIVERY", "DELIVERED") else 0
            at = shipped + timedelta(hours=hours + extra)
            if at <= now:
                out.append((at, code, text))
        return out


PROVIDER = Provider()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        query, variables = body.get("query", ""), body.get("variables", {})
        now = datetime.now(UTC)
        if "registerTrackWebhook" in query:
            with PROVIDER.lock:
                PROVIDER.calls["register"] += 1
            answer = {"data": {"registerTrackWebhook": True}}
        else:
            with PROVIDER.lock:
                PROVIDER.calls["track"] += 1
            events = PROVIDER.events(variables.get("trackingNumber", ""), now)
            nodes = [{"time": at.isoformat(), "status": {"code": code, "name": text}, "description": text,
                      "location": {"name": "서울 강남구"}} for at, code, text in events]
            if nodes:
                answer = {"data": {"track": {"trackingNumber": variables["trackingNumber"], "lastEvent": nodes[-1],
                                             "events": {"edges": [{"node": n} for n in nodes]}}}}
            else:
                answer = {"data": None, "errors": [{"message": "not found", "extensions": {"code": "NOT_FOUND"}}]}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- HTTP time, as the client sees it ------------------------------------------------------------------
class HttpClock:
    def __init__(self):
        self.seconds = 0.0

    def install(self):
        import requests

        original = requests.Session.send
        clock = self

        def send(session, request, **kwargs):
            started = time.perf_counter()
            try:
                return original(session, request, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - started

        requests.Session.send = send


def cj_numbers(count: int) -> list[str]:
    """Valid 12-digit CJ numbers (mod-7 check digit)."""
    numbers = []
    for n in range(count):
        body = f"{54000000000 + n * 7919:011d}"
        numbers.append(body + str(int(body) % 7))
    return numbers


def main() -> int:
    args = parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    os.environ["DOORSTEP_TRACKERDELIVERY_API_URL"] = f"http://127.0.0.1:{server.server_address[1]}/graphql"
    os.environ["DOORSTEP_TRACKERDELIVERY_RATE_LIMIT_PER_MINUTE"] = "100000000"
    setup(args.database)

    import random

    import time_machine
    from decimal import Decimal

    from django.db import transaction
    from django.db.models import Q

    from tracking.carriers import status as st
    from tracking.ingest import polling
    from tracking.ingest.accounts import carrier_account_create
    from tracking.ingest.registrations import account_adapter, webhook_registrations_renew
    from tracking.models import Customer, Merchant, Order, Shipment, TrackingWebhookRegistration

    rng = random.Random(16)
    http = HttpClock()
    http.install()
    traveller = time_machine.travel(START, tick=False)
    traveller.start()
    merchant = Merchant.objects.create(slug="bench-kr", name="벤치 상점", currency="KRW", timezone="Asia/Seoul",
                                       default_locale="ko", country="KR")
    account = carrier_account_create(merchant=merchant, carrier="trackerdelivery", api_key="bench-id:bench-secret",
                                     options={"carrier_code": "kr.cjlogistics"},
                                     poll_rate_limit_per_minute=100_000_000).account
    customer = Customer.objects.create(merchant=merchant, email="shopper@bench.example", name="김민지")
    numbers = cj_numbers(args.parcels)
    with transaction.atomic():
        orders = Order.objects.bulk_create([
            Order(merchant=merchant, customer=customer, number=f"KR-{n:06d}", placed_at=START - timedelta(hours=6),
                  currency="KRW", subtotal=Decimal(30000), total=Decimal(30000), ship_name="김민지",
                  ship_line1="테헤란로 1", ship_city="서울", ship_postal_code="06236", ship_country="KR")
            for n in range(len(numbers))], batch_size=2000)
        Shipment.objects.bulk_create([
            Shipment(merchant=merchant, order=order, carrier="trackerdelivery", tracking_number=number,
                     origin_country="KR", destination_country="KR")
            for order, number in zip(orders, numbers)], batch_size=2000)
    for number in numbers:
        PROVIDER.shipped[number] = START + timedelta(minutes=rng.randint(0, 12 * 60))
        if rng.random() < 0.1:
            PROVIDER.slow.add(number)

    adapter = account_adapter(account)
    scheduler_wall = scheduler_http = 0.0
    callback_calls = 0
    counted = {"track": 0, "register": 0}
    step = timedelta(minutes=args.step_minutes)
    steps = int(args.days * 24 * 60 / args.step_minutes)
    previous = START
    run_started = time.perf_counter()
    for index in range(1, steps + 1):
        now = START + index * step
        traveller.stop()
        traveller = time_machine.travel(now, tick=False)
        traveller.start()
        # 1 + 3: the scheduler (registrations and polls), measured.
        before_calls, before_http, started = dict(PROVIDER.calls), http.seconds, time.perf_counter()
        webhook_registrations_renew(now=now, limit=args.parcels)
        for carrier, ids in polling.poll_batches_pick(now=now):
            polling.poll_batch_run(carrier=carrier, shipment_ids=ids, now=now)
        scheduler_wall += time.perf_counter() - started
        scheduler_http += http.seconds - before_http
        for key in counted:
            counted[key] += PROVIDER.calls[key] - before_calls[key]
        # 2: the provider calls back for parcels that changed (a live registration), each re-tracked.
        changed = [number for number in numbers if any(previous < at <= now for at, _c, _t in
                                                       PROVIDER.events(number, now)[1:])]
        live = set(TrackingWebhookRegistration.objects.filter(
            Q(expires_at__gt=now), state="active", shipment__tracking_number__in=changed)
            .values_list("shipment__tracking_number", flat=True))
        before = PROVIDER.calls["track"]
        for shipment in Shipment.objects.filter(merchant=merchant, tracking_number__in=live).exclude(
                status__in=sorted(st.TERMINAL)):
            polling.shipment_nudged(shipment=shipment, adapter=adapter, account=account,
                                    carrier_code="kr.cjlogistics", now=now)
        callback_calls += PROVIDER.calls["track"] - before
        previous = now
        if index % 12 == 0:
            delivered = Shipment.objects.filter(merchant=merchant, status=st.DELIVERED).count()
            print(f"  {now:%a %H:%M}  delivered {delivered:>6}  scheduler calls {sum(counted.values()):>7}  "
                  f"callback re-tracks {callback_calls:>7}  ({time.perf_counter() - run_started:.0f} s)", flush=True)
    traveller.stop()

    # Parcel-days tracked: from the start until delivered (or the end of the run).
    end = START + steps * step
    parcel_days = 0.0
    for delivered_at in Shipment.objects.filter(merchant=merchant).values_list("delivered_at", flat=True):
        parcel_days += ((min(delivered_at, end) if delivered_at else end) - START).total_seconds() / 86400
    calls = counted["register"] + counted["track"]
    per_day = calls / parcel_days
    overhead = (scheduler_wall - scheduler_http) / scheduler_http if scheduler_http else float("nan")
    delivered = Shipment.objects.filter(merchant=merchant, status=st.DELIVERED).count()
    print(f"\nparcels {args.parcels:,}  simulated {args.days:g} days in {args.step_minutes}-minute steps  "
          f"delivered {delivered:,}  parcel-days tracked {parcel_days:,.0f}")
    print(f"scheduler calls: {counted['register']:,} registrations + {counted['track']:,} polls = {calls:,}"
          f"  -> {per_day:.2f} calls per parcel per day (goal <= {GOAL_CALLS_PER_PARCEL_DAY:g})")
    print(f"callback re-tracks (not in the goal): {callback_calls:,} -> {callback_calls / parcel_days:.2f} "
          f"per parcel per day")
    print(f"scheduler wall {scheduler_wall:.1f} s, of which HTTP {scheduler_http:.1f} s: overhead "
          f"{overhead:.2f}x the HTTP time  (run {time.perf_counter() - run_started:.0f} s, "
          f"load average {os.getloadavg()[0]:.1f})")
    server.shutdown()
    return 0 if per_day <= GOAL_CALLS_PER_PARCEL_DAY else 1


if __name__ == "__main__":
    sys.exit(main())

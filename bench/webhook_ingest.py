"""Webhook ingestion benchmark: the real app under gunicorn, measured against a bare Django view on
the same server in the same run.

    /work/main/.venv/bin/python bench/webhook_ingest.py [--db postgres|sqlite] [--seconds 12] [--workers 3]
        [--rounds 4] [--only-ingest]

Phases (all over real HTTP with keep-alive connections from a multi-process load generator):
 1.+2. peak req/s of a bare view (/bench/bare-webhook: same middleware, reads the same body, writes nothing)
    and peak accepted webhooks/s (verify HMAC, store the raw delivery, enqueue to Redis), in
    alternating rounds; no Celery worker runs yet, so processing does not steal CPU from acknowledging;
 3. ack latency p50/p99 with an open-loop (paced) load at 80% of the peak from phase 2;
 4. processing rate: a real `celery worker` (prefork) drains the queue over Redis; events/s from the
    first to the last processed_at;
 5. replay with 20% duplicates (10% carrier retries of the same delivery id, 10% the same events
    re-sent under a new delivery id), processed by the worker: 0 events lost and 0 duplicated?
Prints ratios against the goals: ingestion >= 0.45x the bare view; p99 < 100 ms at 80% of peak.
Uses PostgreSQL database `ds_ingest`, Redis db 2 and port 8150 by default (--postgres-url, --redis-url,
--port), wiping both.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8150
SECRET = "bench-secret-0123456789"


# --- load generator -----------------------------------------------------------------------------------
def _worker(requests_, threads, deadline, rate_per_thread, out):
    """One process: ``threads`` keep-alive connections. Closed loop when rate_per_thread is None."""
    results = []
    lock = threading.Lock()
    chunks = [requests_[i::threads] for i in range(threads)]

    def run(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        local = []
        start = time.perf_counter()
        for index, (path, headers, body) in enumerate(chunk):
            if rate_per_thread:
                wait = start + index / rate_per_thread - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            if time.time() > deadline:
                break
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            local.append((status, time.perf_counter() - t0, time.time()))
        with lock:
            results.extend(local)

    pool = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(results)


def load(requests_, *, seconds, processes=2, threads=6, rate=None):
    """Send ``requests_`` (path, headers, body) for at most ``seconds``. Returns (results, elapsed)."""
    deadline = time.time() + seconds
    queue = mp.Queue()
    per_thread = rate / (processes * threads) if rate else None
    procs = [mp.Process(target=_worker, args=(requests_[i::processes], threads, deadline, per_thread, queue))
             for i in range(processes)]
    started = time.time()
    for p in procs:
        p.start()
    results = []
    for _ in procs:
        results.extend(queue.get())
    for p in procs:
        p.join()
    ends = [r[2] for r in results]
    elapsed = (max(ends) - started) if ends else seconds
    return results, elapsed


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


# --- app setup --------------------------------------------------------------------------------------
def configure(args):
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": args.redis_url, "LOG_LEVEL": "ERROR",
        "DOORSTEP_BASE_URL": f"http://127.0.0.1:{PORT}",
    }
    if args.db == "sqlite":
        tmp = tempfile.mkdtemp(prefix="doorstep-bench-")
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        env["DATABASE_URL"] = args.postgres_url
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        # The bench owns this database: start from an empty schema so renamed migrations never clash.
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0, interactive=False)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    return env


def make_account():
    from tests.factories import MerchantFactory
    from tracking.ingest.accounts import carrier_account_create

    merchant = MerchantFactory(slug="bench")
    return carrier_account_create(merchant=merchant, carrier="mock", webhook_secret=SECRET).account


def create_shipments(account, numbers):
    from tests.factories import CustomerFactory, OrderFactory
    from tracking.models import Shipment

    order = OrderFactory(merchant=account.merchant, customer=CustomerFactory(merchant=account.merchant))
    Shipment.objects.bulk_create(
        [Shipment(merchant=account.merchant, order=order, carrier="mock", tracking_number=n) for n in numbers],
        batch_size=1000)


def deliveries(count, *, serial_start, duplicate_rate=0.0, out_of_order_rate=0.1, seed=1):
    from tracking.carriers.mock import simulate_deliveries

    return list(simulate_deliveries(secret=SECRET, count=count, duplicate_rate=duplicate_rate,
                                    out_of_order_rate=out_of_order_rate, seed=seed, serial_start=serial_start))


def as_requests(items, path):
    out = []
    for headers, body in items:
        h = dict(headers)
        h["Content-Type"] = "application/json"
        out.append((path, h, body))
    return out


def start_gunicorn(args, env):
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(args.workers),
           "-k", args.worker_class, "--threads", str(args.threads_per_worker), "--keep-alive", "30",
           "--log-level", "error"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def start_worker(env, concurrency):
    # --quiet: no start-up banner. The root-user SecurityWarning is silenced too (bench machines run as root).
    cmd = [sys.executable, "-W", "ignore::UserWarning:celery.platforms", "-m", "celery", "--quiet", "-A", "config",
           "worker", "--pool", "prefork", "-c", str(concurrency), "--loglevel", "ERROR", "--without-heartbeat",
           "--without-mingle", "--without-gossip"]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)


def _cpu_seconds(*pgrep_args: str) -> float:
    """CPU time (user + system) used so far by the processes ``pgrep`` finds."""
    total = 0
    for pid in subprocess.run(["pgrep", *pgrep_args], capture_output=True, text=True).stdout.split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(proc) -> float:
    """CPU time used so far by gunicorn's worker processes: a per-request cost that noisy neighbours
    on a shared machine distort far less than throughput."""
    return _cpu_seconds("-P", str(proc.pid))


def postgres_cpu_seconds() -> float:
    """CPU time used so far by the local PostgreSQL server's processes (0 when it runs elsewhere)."""
    return _cpu_seconds("-x", "postgres")


def commits_so_far() -> int:
    """Transactions committed in this database (PostgreSQL's statistics, flushed within a second)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    time.sleep(1.2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def stop(proc, *, main_only=False):
    """SIGTERM, then SIGKILL for the whole group after 20 s. ``main_only``: signal just the main process
    (a Celery worker: its warm shutdown lets running tasks finish and stops the pool itself; a SIGTERM
    straight to the pool processes killed them mid-task, and the worker logged WorkerLostError)."""
    if proc and proc.poll() is None:
        if main_only:
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    if proc:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the group, if any
        except ProcessLookupError:
            pass


def wait_processed(timeout=300):
    from tracking.models import InboundWebhook

    deadline = time.time() + timeout
    pending = InboundWebhook.objects.filter(verdict="accepted", processed_at__isnull=True)
    while time.time() < deadline and pending.exists():
        time.sleep(0.5)
    return pending.count()


def main():
    global PORT
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/ds_ingest")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--port", type=int, default=PORT, help="port gunicorn listens on (127.0.0.1)")
    parser.add_argument("--seconds", type=float, default=12.0, help="per side, over all rounds")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2-4)")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (gthread keeps connections alive)")
    parser.add_argument("--threads-per-worker", type=int, default=4)
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--threads", type=int, default=6, help="connections per load generator process")
    parser.add_argument("--paced-seconds", type=float, default=8.0, help="length of the 80%%-of-peak phase")
    parser.add_argument("--rounds", type=int, default=4, help="alternating bare/webhook rounds sharing --seconds")
    parser.add_argument("--only-ingest", action="store_true", help="stop after the bare/webhook comparison")
    args = parser.parse_args()
    PORT = args.port  # read by the load-generator processes too (fork start method)

    env = configure(args)
    account = make_account()
    path = f"/webhooks/carriers/{account.public_id}/"
    print(f"doorstep webhook ingestion bench — db={args.db}, gunicorn {args.workers} workers x {args.threads_per_worker} threads "
          f"({args.worker_class}), load generator {args.processes} processes x {args.threads} keep-alive connections, "
          f"{os.cpu_count()} CPUs shared by everything; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    budget = int(args.seconds * 4000)  # more signed deliveries than the fastest round can send
    peak_items = deliveries(budget, serial_start=0)
    warm_items = deliveries(500, serial_start=900_000)
    numbers = {json.loads(body)["data"]["tracking_number"] for _, body in peak_items + warm_items}
    create_shipments(account, numbers)

    gunicorn = start_gunicorn(args, env)
    worker = None
    try:
        # Warm-up, both sides: imports, connections, caches.
        load(as_requests(peak_items[:500], "/bench/bare-webhook"), seconds=1)
        load(as_requests(warm_items, path), seconds=1)
        # Bare and webhook alternate in short rounds, so a neighbour's burst on this shared machine
        # lands on both sides of the ratio instead of on whichever phase it happened to overlap.
        round_s = args.seconds / args.rounds
        block = len(peak_items) // args.rounds  # each webhook round sends deliveries never sent before
        bare, hooks, bare_s, hooks_s, rounds = [], [], 0.0, 0.0, []
        bare_cpu = hook_cpu = pg_cpu = 0.0
        commits0 = commits_so_far()
        for n in range(args.rounds):
            cpu0 = server_cpu_seconds(gunicorn)
            sent, took = load(as_requests(peak_items[:block], "/bench/bare-webhook"), seconds=round_s,
                              processes=args.processes, threads=args.threads)
            bare_cpu += server_cpu_seconds(gunicorn) - cpu0
            bare += sent
            bare_s += took
            round_bare = sum(1 for s, *_ in sent if s == 202) / took
            cpu0, pg0 = server_cpu_seconds(gunicorn), postgres_cpu_seconds()
            sent, took = load(as_requests(peak_items[n * block:(n + 1) * block], path), seconds=round_s,
                              processes=args.processes, threads=args.threads)
            hook_cpu += server_cpu_seconds(gunicorn) - cpu0
            pg_cpu += postgres_cpu_seconds() - pg0
            hooks += sent
            hooks_s += took
            rounds.append(sum(1 for s, *_ in sent if s == 202) / took / round_bare)
        # (Bare-view requests commit nothing, so every commit counted here is a webhook's.)
        commits = (commits_so_far() - commits0) / max(len(hooks), 1)
        bare_cpu = bare_cpu / max(len(bare), 1) * 1000
        hook_cpu = hook_cpu / max(len(hooks), 1) * 1000
        pg_cpu = pg_cpu / max(len(hooks), 1) * 1000
        bare_rps = sum(1 for s, *_ in bare if s == 202) / bare_s
        print(f"\n1. bare view:       {bare_rps:8.0f} req/s   (p50 {pct([r[1] for r in bare], .5) * 1000:.1f} ms, "
              f"p99 {pct([r[1] for r in bare], .99) * 1000:.1f} ms; server CPU {bare_cpu:.2f} ms/request)")
        codes = {}
        for s, *_ in hooks:
            codes[s] = codes.get(s, 0) + 1
        accepted_rps = codes.get(202, 0) / hooks_s
        ratio = accepted_rps / bare_rps
        print(f"2. webhook peak:    {accepted_rps:8.0f} accepted/s (statuses {codes}); "
              f"ratio to bare {ratio:.2f}  [goal >= 0.45: {'PASS' if ratio >= 0.45 else 'FAIL'}] "
              f"(rounds: {', '.join(f'{r:.2f}' for r in rounds)}); server CPU {hook_cpu:.2f} ms/request "
              f"({bare_cpu / hook_cpu:.2f}x bare's), PostgreSQL CPU {pg_cpu:.2f} ms/request, "
              f"{commits:.2f} commits/request")
        if args.only_ingest:
            print(f"\nsummary: ingestion {ratio:.2f}x bare ({accepted_rps:.0f} vs {bare_rps:.0f}/s)")
            return

        target = 0.8 * accepted_rps
        paced_items = deliveries(int(target * args.paced_seconds) + 10, serial_start=200_000)
        create_shipments(account, {json.loads(b)["data"]["tracking_number"] for _, b in paced_items})
        paced, paced_s = load(as_requests(paced_items, path), seconds=args.paced_seconds + 5, processes=args.processes,
                              threads=args.threads, rate=target)
        lat = [r[1] for r in paced if r[0] == 202]
        p50, p99 = pct(lat, .5) * 1000, pct(lat, .99) * 1000
        print(f"3. at 80% of peak:  target {target:.0f}/s, achieved {len(paced) / paced_s:.0f}/s; ack p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms  [goal p99 < 100 ms: {'PASS' if p99 < 100 else 'FAIL'}]")

        from django.db.models import Max, Min

        from tracking.models import InboundWebhook, TrackingEvent

        queued = InboundWebhook.objects.filter(verdict="accepted", processed_at__isnull=True).count()
        worker = start_worker(env, args.celery_concurrency)
        left = wait_processed()
        span = InboundWebhook.objects.filter(processed_at__isnull=False).aggregate(a=Min("processed_at"),
                                                                                   b=Max("processed_at"))
        seconds = max((span["b"] - span["a"]).total_seconds(), 1e-3)
        events = TrackingEvent.objects.count()
        print(f"4. processing:      {queued} queued deliveries drained by celery worker (prefork x"
              f"{args.celery_concurrency}, Redis broker) in {seconds:.1f}s: {queued / seconds:.0f} deliveries/s, "
              f"{events / seconds:.0f} events/s; unprocessed left: {left}")

        replay_ok = replay(account, path, args)
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"\nsummary: ingestion {ratio:.2f}x bare ({accepted_rps:.0f} vs {bare_rps:.0f}/s), p99 {p99:.1f} ms at 80% "
              f"of peak, processing {events / seconds:.0f} events/s, replay {'OK' if replay_ok else 'FAILED'}")
    finally:
        stop(worker, main_only=True)
        stop(gunicorn)


def replay(account, path, args) -> bool:
    """Fresh parcels, 20% duplicates, processed by the running worker; compare with what was sent."""
    from tracking.models import Shipment, TrackingEvent
    from tracking.carriers.mock import sign_webhook

    items = deliveries(2000, serial_start=500_000, duplicate_rate=0.10, out_of_order_rate=0.2, seed=5)
    rng = random.Random(9)
    extra = []
    for headers, body in rng.sample(items, len(items) // 10):
        doc = json.loads(body)
        doc["id"] = doc["id"] + "-resent"  # same events, new delivery id: only event dedupe saves us
        new_body = json.dumps(doc, separators=(",", ":")).encode()
        extra.append((sign_webhook(SECRET, new_body, int(time.time())), new_body))
    items = items + extra
    rng.shuffle(items)
    expected = {}
    for _, body in items:
        doc = json.loads(body)
        for event in doc["data"]["events"]:
            expected.setdefault(doc["data"]["tracking_number"], set()).add(event["id"])
    create_shipments(account, expected)
    sent, _ = load(as_requests(items, path), seconds=60, processes=args.processes, threads=args.threads)
    bad = [s for s, *_ in sent if s not in (200, 202)]
    left = wait_processed()
    shipments = Shipment.objects.filter(merchant=account.merchant, tracking_number__in=list(expected))
    stored = {s.tracking_number: s.pk for s in shipments}
    lost = duplicated = 0
    for number, ids in expected.items():
        keys = list(TrackingEvent.objects.filter(shipment_id=stored[number]).values_list("dedupe_key", flat=True))
        lost += len(ids - {k.removeprefix("id:") for k in keys})
        duplicated += len(keys) - len(set(keys)) + max(0, len(keys) - len(ids))
    unique = sum(len(v) for v in expected.values())
    print(f"5. replay:          {len(items)} deliveries ({len(items) - len(set(b for _, b in items))} exact retries, "
          f"{len(extra)} re-sent under new ids) for {len(expected)} parcels, {unique} distinct events; "
          f"non-2xx {len(bad)}, unprocessed {left}; lost {lost}, duplicated {duplicated}  "
          f"[goal 0/0: {'PASS' if not (lost or duplicated or bad or left) else 'FAIL'}]")
    return not (lost or duplicated or bad or left)


if __name__ == "__main__":
    main()

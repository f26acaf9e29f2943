"""Outage benchmark: carrier webhooks while Redis (cache + broker) is up, refusing and frozen, in one run
against the real app under gunicorn; then recovery (nothing lost) and a refund whose worker is killed
mid-call (how long until the money sweep completes it).

    /work/main/.venv/bin/python bench/outage.py [--seconds 8] [--workers 2] [--port 8160]
        [--postgres-url postgres://postgres@127.0.0.1:5432/ds_outage] [--redis-port 6392]
        [--money-stuck-after 60] [--money-sweep-interval 15]

Phases (closed-loop load, keep-alive connections, signed mock-carrier deliveries; no Celery worker):
 1. healthy: Redis up;
 2. refusing: redis-server shut down (connections refused);
 3. frozen: redis-server stopped with SIGSTOP (connections hang);
 then Redis comes back (empty: the broker lost every queued task), a worker starts, the sweep runs,
 and every delivery answered 202 must be stored and processed exactly once.
 4. money: a real worker (solo pool) is SIGKILLed inside a refund's gateway call (tests.support.gateways
 .FileGateway); a second worker and beat run; time from the kill to the refund's completion, and how
 many refunds the gateway made (must be 1).
Prints accepted/s and ack p99 per phase and the ratios to healthy (goal: >= 0.5x and p99 < 1 s while
Redis is down; 0 lost after recovery; money done within stuck-after + sweep interval + 60 s).
Runs its own redis-server (--redis-port) and owns the PostgreSQL database (created if missing, wiped).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import webhook_ingest as wi
from tests.support.redis_server import RedisServer


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def phase(name, items, path, args):
    sent, took = wi.load(wi.as_requests(items, path), seconds=args.seconds, processes=args.processes,
                         threads=args.threads)
    codes = {}
    for status, *_ in sent:
        codes[status] = codes.get(status, 0) + 1
    accepted = [r for r in sent if r[0] == 202]
    latencies = [r[1] for r in sent]
    result = {"name": name, "rate": len(accepted) / took, "p50": wi.pct(latencies, .5), "p99": wi.pct(latencies, .99),
              "max": max(latencies) if latencies else float("nan"), "codes": codes, "accepted": len(accepted),
              "sent": len(sent)}
    print(f"  {name:9s} {result['rate']:7.0f} accepted/s  ack p50 {result['p50'] * 1000:7.1f} ms  "
          f"p99 {result['p99'] * 1000:7.1f} ms  max {result['max'] * 1000:7.1f} ms  statuses {codes}")
    return result


def start_celery(env, *extra, name="worker"):
    cmd = [sys.executable, "-W", "ignore::UserWarning:celery.platforms", "-m", "celery", "--quiet", "-A", "config",
           *extra]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def money_phase(args, env, gateway_dir: Path):
    """A refund in flight when its worker is SIGKILLed: seconds until the sweep completes it."""
    from returns.models import Refund
    from returns.services import return_policy_ensure, return_refund
    from tests.factories import UserFactory
    from tests.support.gateways import FileGateway
    from tests.support.returns import ask, make_order
    from tracking.models import Merchant

    merchant = Merchant.objects.get(slug="bench")
    return_policy_ensure(merchant=merchant)
    order = make_order(merchant, gateway="filegateway")
    (gateway_dir / "hang").touch()
    first = start_celery(env, "worker", "--pool", "solo", "--loglevel", "ERROR", "--without-heartbeat",
                         "--without-mingle", "--without-gossip")
    refund = return_refund(rr=ask(order, key="bench-money"), by=UserFactory(username="bench-agent"))
    deadline = time.time() + 240
    while not (gateway_dir / "started").exists():
        if time.time() > deadline:
            raise SystemExit("the refund's gateway call never started")
        time.sleep(0.1)
    os.killpg(first.pid, signal.SIGKILL)  # mid-call: the money left, the worker never recorded it
    killed_at = time.monotonic()
    first.wait()
    (gateway_dir / "hang").unlink()
    state = Refund.objects.get(pk=refund.pk)
    print(f"  worker SIGKILLed mid-call: refund {state.status}, attempts {state.attempts}")
    second = start_celery(env, "worker", "--pool", "prefork", "-c", "2", "--loglevel", "ERROR",
                          "--without-heartbeat", "--without-mingle", "--without-gossip")
    schedule = tempfile.mktemp(prefix="doorstep-beat-")
    beat = start_celery(env, "beat", "--loglevel", "ERROR", "-s", schedule)
    try:
        deadline = time.monotonic() + args.money_stuck_after + args.money_sweep_interval + 300
        while Refund.objects.get(pk=refund.pk).status == Refund.Status.PENDING:
            if time.monotonic() > deadline:
                raise SystemExit("the stuck refund was not completed")
            time.sleep(0.5)
        took = time.monotonic() - killed_at
    finally:
        wi.stop(beat)
        wi.stop(second, main_only=True)
    state = Refund.objects.get(pk=refund.pk)
    return took, state, FileGateway.refunds(gateway_dir), FileGateway.calls(gateway_dir)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/ds_outage")
    parser.add_argument("--redis-port", type=int, default=6392)
    parser.add_argument("--port", type=int, default=8160)
    parser.add_argument("--seconds", type=float, default=8.0, help="per phase")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads-per-worker", type=int, default=4)
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per load generator process")
    parser.add_argument("--money-stuck-after", type=int, default=60, help="DOORSTEP_MONEY_STUCK_AFTER for the run")
    parser.add_argument("--money-sweep-interval", type=float, default=15.0,
                        help="DOORSTEP_MONEY_SWEEP_INTERVAL for the run")
    args = parser.parse_args()
    wi.PORT = args.port  # read by the load generator's forked processes
    args.db, args.worker_class = "postgres", "gthread"

    redis = RedisServer(args.redis_port).start()
    gateway_dir = Path(tempfile.mkdtemp(prefix="doorstep-gateway-"))
    args.redis_url = redis.url(0)
    ensure_database(args.postgres_url)
    os.environ.update({
        "DOORSTEP_EXTRA_PAYMENT_GATEWAYS": "filegateway=tests.support.gateways.FileGateway",
        "DOORSTEP_TEST_GATEWAY_DIR": str(gateway_dir),
        "DOORSTEP_MONEY_STUCK_AFTER": str(args.money_stuck_after),
        "DOORSTEP_MONEY_SWEEP_INTERVAL": str(args.money_sweep_interval),
    })
    env = wi.configure(args)
    env.update({k: os.environ[k] for k in ("DOORSTEP_EXTRA_PAYMENT_GATEWAYS", "DOORSTEP_TEST_GATEWAY_DIR",
                                           "DOORSTEP_MONEY_STUCK_AFTER", "DOORSTEP_MONEY_SWEEP_INTERVAL")})
    from datetime import timedelta

    from django.conf import settings

    settings.DOORSTEP_WEBHOOK_SWEEP_AFTER = timedelta(0)  # this process's sweep takes every stored row
    account = wi.make_account()
    path = f"/webhooks/carriers/{account.public_id}/"
    budget = int(args.seconds * 3000)
    items = {name: wi.deliveries(budget, serial_start=n * 100_000, seed=n + 1)  # numbers keep serial % 10**6
             for n, name in enumerate(["warm", "healthy", "refusing", "frozen", "after"])}
    wi.create_shipments(account, {json.loads(b)["data"]["tracking_number"] for batch in items.values() for _, b in batch})
    print(f"doorstep outage bench — gunicorn {args.workers} workers x {args.threads_per_worker} threads (gthread), "
          f"load {args.processes} processes x {args.threads} connections, {os.cpu_count()} CPUs shared; "
          f"Redis timeouts {settings.DOORSTEP_REDIS_CACHE_OPTIONS['SOCKET_TIMEOUT']} s, breaker "
          f"{settings.DOORSTEP_REDIS_RETRY_AFTER_SECONDS} s; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    gunicorn = wi.start_gunicorn(args, env)
    results = {}
    try:
        warm, _ = wi.load(wi.as_requests(items["warm"][:400], path), seconds=1.5)
        results["warm"] = {"accepted": sum(1 for r in warm if r[0] == 202)}
        results["healthy"] = phase("healthy", items["healthy"], path, args)
        redis.stop()
        results["refusing"] = phase("refusing", items["refusing"], path, args)
        redis.start()
        time.sleep(settings.DOORSTEP_REDIS_RETRY_AFTER_SECONDS)
        redis.freeze()
        results["frozen"] = phase("frozen", items["frozen"], path, args)
        redis.thaw()
        # Recovery: the broker came back empty; the first deliveries after the breaker's pause publish
        # a drain, and the sweep re-queues whatever is left, for a worker that starts now.
        time.sleep(settings.DOORSTEP_REDIS_RETRY_AFTER_SECONDS)
        results["after"] = phase("after", items["after"][:2000], path, args)
    finally:
        wi.stop(gunicorn)
    from tracking.ingest.webhooks import inbound_webhooks_sweep
    from tracking.models import InboundWebhook

    accepted_answers = sum(r["accepted"] for r in results.values())
    print("\nrecovery: Redis back (empty), a worker starts, the sweep re-queues every stored delivery")
    worker = start_celery(env, "worker", "--pool", "prefork", "-c", "2", "--loglevel", "ERROR",
                          "--without-heartbeat", "--without-mingle", "--without-gossip")
    try:
        inbound_webhooks_sweep(limit=1_000_000)
        left = wi.wait_processed(timeout=900)
    finally:
        wi.stop(worker, main_only=True)
    print("\nmoney: a refund whose worker is killed mid-call")
    try:
        took, refund, refunds, calls = money_phase(args, env, gateway_dir)
    except SystemExit as exc:
        took, refund, refunds, calls = None, None, [], []
        print(f"  {exc}")
    finally:
        redis.cleanup()
    rows = InboundWebhook.objects.filter(verdict="accepted")
    stored = rows.count()
    processed_once = rows.filter(processed_at__isnull=False, processing_attempts=1).count()

    healthy = results["healthy"]
    print("\nsummary")
    for name in ("refusing", "frozen"):
        r = results[name]
        ratio = r["rate"] / healthy["rate"]
        ok = ratio >= 0.5 and r["p99"] < 1.0
        print(f"  {name:9s} {ratio:.2f}x healthy accepted/s, ack p99 {r['p99'] * 1000:.0f} ms  "
              f"[goal >= 0.5x and p99 < 1 s: {'PASS' if ok else 'FAIL'}]")
    lost = max(accepted_answers - stored, 0) + left
    print(f"  recovery  {accepted_answers} deliveries answered 202 (warm-up and after included), {stored} stored, "
          f"{left} unprocessed after the sweep, {processed_once}/{stored} processed exactly once  "
          f"[goal 0 lost: {'PASS' if lost == 0 else 'FAIL'}]")
    if took is not None:
        goal = args.money_stuck_after + args.money_sweep_interval + 60
        print(f"  money     worker kill -> refund {refund.status} in {took:.1f} s (stuck after "
              f"{args.money_stuck_after} s, sweep every {args.money_sweep_interval:.0f} s); gateway calls "
              f"{len(calls)} with {len(set(calls))} key(s), refunds made {len(refunds)}  "
              f"[goal < {goal:.0f} s and 1 refund: {'PASS' if took < goal and len(refunds) == 1 else 'FAIL'}]")


if __name__ == "__main__":
    main()

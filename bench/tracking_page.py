"""Tracking page throughput under gunicorn, as a ratio of a bare Django view on the same server.

    python bench/tracking_page.py [--database postgres://...] [--redis redis://127.0.0.1:6379/6]
                                  [--workers 2] [--worker-class sync] [--connections 8] [--seconds 5]
                                  [--rounds 3] [--port 8350] [--events 12]

Production-like: DOORSTEP_ENV=production settings (DEBUG off, cached template loader, manifest
static files collected first, HTTPS behind a proxy: the load generator sends X-Forwarded-Proto),
PostgreSQL (--database, or BENCH_DATABASE_URL; SQLite only when neither is given) and Redis for
the cache. The bare view is served by the same gunicorn through the same middleware.

Two servers are started in turn, each serving both the bare view and the page:

* uncached: DOORSTEP_PAGE_CACHE_SECONDS=0: every request reads the order and renders the page, as
            after every new event (the recommendation block is cached per order and reused, as it
            is then; --cold adds a third server with that cache off too, i.e. a first-ever view)
* cached:   the page cache on (Redis, shared by all gunicorn workers)

The page's links are what a shopper's browser follows from an email; wrk sends no cookies and no
If-None-Match, so every request gets the full page (a revalidating browser would get a 304).

The load generator is wrk (C, installed from Debian by this script when missing), so it is not
the bottleneck: its own CPU time is printed next to each figure. For each server, bare and page
are measured alternately ``--rounds`` times (load drift on the machine hits both alike); the
medians are compared. Goals: uncached >= 40%, cached >= 80% of the bare view. On a shared machine
the req/s figures drift with other load, so the gunicorn workers' CPU time per request (from
/proc) is printed too: bare/page of that is the same ratio with the noise taken out (it leaves
out the PostgreSQL and Redis servers' own CPU).
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_ENV = {
    "DOORSTEP_ENV": "production",
    "SECRET_KEY": "bench-only-" + "k" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "LOG_LEVEL": "WARNING",
}


def prepare(db_url: str, events: int) -> str:
    """Migrate the bench database and create one order with two parcels; return the page path."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.update(BENCH_ENV)
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)  # the manifest production needs
    from tests.factories import (MerchantFactory, OrderFactory, OrderLineFactory, ProductVariantFactory,
                                 ShipmentFactory, ShipmentLineFactory)
    from tracking.recommendations.training import recommendations_train
    from tracking.carriers import status as st
    from tracking.services.shipments import NewEvent, shipment_add_events
    from tracking.tokens import make_token

    run = int(time.time())  # fresh rows per run, so a shared bench database needs no cleanup
    merchant = MerchantFactory(slug=f"bench-{run}", name="Bench Shop", faq_url="https://bench.example.com/faq")
    order = OrderFactory(merchant=merchant, number="#B-1")
    start = timezone.now() - timedelta(days=3)
    statuses = [st.INFO_RECEIVED] + [st.IN_TRANSIT] * (events - 2) + [st.OUT_FOR_DELIVERY]
    for n in range(2):
        shipment = ShipmentFactory(order=order, tracking_number=f"BENCH{n}R{run}",
                                   predicted_window_start=timezone.localdate(),
                                   predicted_window_end=timezone.localdate() + timedelta(days=2))
        ShipmentLineFactory(shipment=shipment, order_line=OrderLineFactory(order=order))
        shipment_add_events(shipment=shipment, source="import", events=[
            NewEvent(occurred_at=start + timedelta(hours=i), status=s, carrier_text=f"Scan {i}",
                     location="Daejeon Hub, KR") for i, s in enumerate(statuses)])
    # Other shoppers bought the order's products with these: the page shows four recommendations.
    bought = [line.variant for line in order.lines.select_related("variant")]
    extras = [ProductVariantFactory(product__merchant=merchant, product__title=f"Bench extra {n}", stock=5)
              for n in range(6)]
    for n in range(12):
        past = OrderFactory(merchant=merchant, number=f"#P-{n}")
        OrderLineFactory(order=past, variant=bought[n % len(bought)])
        OrderLineFactory(order=past, variant=extras[n % len(extras)])
    recommendations_train(merchant_id=merchant.pk, now=timezone.now())
    return f"/t/{make_token('order', {'o': order.pk})}/"


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's package")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def server_cpu(master_pid: int) -> float:
    """CPU seconds used so far by the gunicorn workers (children of the master), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def measure(wrk: str, port: int, path: str, connections: int, seconds: float,
            master_pid: int) -> tuple[float, float, float]:
    """(requests/s, gunicorn worker CPU ms per request, share of one CPU the load generator used)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = server_cpu(master_pid)
    out = subprocess.run(
        [wrk, "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "-H", "Accept-Language: en",
         "-H", "X-Forwarded-Proto: https", f"http://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    errors = re.search(r"Socket errors: connect (\d+), read \d+, write \d+, timeout (\d+)", out)
    if "Non-2xx or 3xx responses" in out or (errors and (int(errors.group(1)) or int(errors.group(2)))):
        raise SystemExit(f"failed requests for {path[:40]}:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    server_ms = (server_cpu(master_pid) - cpu_before) * 1000 / max(requests, 1)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / seconds
    return rate, server_ms, cpu


def serve(port: int, args, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(args.workers),
         "--worker-class", args.worker_class, "--threads", str(args.threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "512"],
        cwd=ROOT, env=env, start_new_session=True)
    # The socket accepts as soon as the master binds; wait until every worker has booted and answers.
    deadline, answered = time.monotonic() + 60, 0
    while time.monotonic() < deadline and answered < 4 * args.workers:
        try:
            with urllib.request.urlopen(urllib.request.Request(
                    f"http://127.0.0.1:{port}/bench/bare/", headers={"X-Forwarded-Proto": "https"}), timeout=5) as r:
                answered += r.status == 200
        except OSError:
            time.sleep(0.2)
    if answered < 4 * args.workers:
        os.killpg(proc.pid, signal.SIGKILL)
        raise SystemExit("gunicorn did not start")
    return proc


def run_case(name: str, env: dict, args, path: str, wrk: str) -> tuple[float, float]:
    """(throughput ratio page/bare, CPU-cost ratio bare/page): medians over the rounds."""
    server = serve(args.port, args, env)
    try:
        for target in ("/bench/bare/", path):  # warm up: imports, template loaders, connections, the cache
            measure(wrk, args.port, target, args.connections, 2, server.pid)
        rates, costs, wrk_cpu = {"bare": [], "page": []}, {"bare": [], "page": []}, []
        for _ in range(args.rounds):
            for label, target in (("bare", "/bench/bare/"), ("page", path)):
                rate, cost, used = measure(wrk, args.port, target, args.connections, args.seconds, server.pid)
                rates[label].append(rate)
                costs[label].append(cost)
                wrk_cpu.append(used)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    med = {k: statistics.median(v) for k, v in rates.items()}
    cost = {k: statistics.median(v) for k, v in costs.items()}
    ratio, cost_ratio = med["page"] / med["bare"], cost["bare"] / cost["page"]
    print(f"{name:9s} bare {med['bare']:6.0f} req/s  page {med['page']:6.0f} req/s  ratio {ratio:4.0%}   |   "
          f"worker CPU/request bare {cost['bare']:.2f} ms  page {cost['page']:.2f} ms  ratio {cost_ratio:4.0%}")
    print(f"{'':9s} runs req/s: bare {' '.join(f'{r:.0f}' for r in rates['bare'])}; page "
          f"{' '.join(f'{r:.0f}' for r in rates['page'])}; wrk used at most {max(wrk_cpu):.0%} of a CPU")
    return ratio, cost_ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", ""),
                        help="PostgreSQL URL (production topology); default BENCH_DATABASE_URL, else a SQLite file")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1, help="per worker (gthread)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8350)
    parser.add_argument("--events", type=int, default=12,
                        help="events per parcel (two parcels; a typical domestic parcel has 8-15)")
    parser.add_argument("--cold", action="store_true",
                        help="also measure renders with the recommendation block's cache off")
    args = parser.parse_args()
    wrk = ensure_wrk()
    db_url = args.database or f"sqlite:///{ROOT / 'var' / 'bench_tracking.sqlite3'}"
    (ROOT / "var").mkdir(exist_ok=True)
    path = prepare(db_url, args.events)
    base_env = {**os.environ, **BENCH_ENV, "DATABASE_URL": db_url, "REDIS_URL": args.redis}
    print(f"gunicorn {args.workers} workers ({args.worker_class}, {args.threads} thread(s)), wrk 1 thread "
          f"{args.connections} connections, {args.rounds}x{args.seconds}s per target, 2 parcels x {args.events} "
          f"events, {db_url.split(':')[0]} + redis, {os.cpu_count()} CPUs, "
          f"load average before {os.getloadavg()[0]:.2f}")
    uncached = run_case("uncached", {**base_env, "DOORSTEP_PAGE_CACHE_SECONDS": "0"}, args, path, wrk)
    if args.cold:
        run_case("cold", {**base_env, "DOORSTEP_PAGE_CACHE_SECONDS": "0", "DOORSTEP_RECS_PAGE_CACHE_SECONDS": "0"},
                 args, path, wrk)
    cached = run_case("cached", {**base_env, "DOORSTEP_PAGE_CACHE_SECONDS": "600"}, args, path, wrk)
    print(f"RESULT uncached ratio {uncached[0]:.0%} (goal >= 40%)   cached ratio {cached[0]:.0%} (goal >= 80%)   "
          f"load average after {os.getloadavg()[0]:.2f}")
    print(f"       per-request CPU of the gunicorn workers, bare/page (robust to other load on the machine; "
          f"excludes PostgreSQL and Redis): uncached {uncached[1]:.0%}   cached {cached[1]:.0%}")


if __name__ == "__main__":
    main()

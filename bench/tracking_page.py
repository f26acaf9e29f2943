"""Tracking page throughput under gunicorn, as a ratio of a bare Django view on the same server.

    python bench/tracking_page.py [--workers 2] [--clients 4] [--seconds 4] [--rounds 3] [--port 8350]
                                  [--redis redis://127.0.0.1:6379/6] [--events 30]

Two servers are started in turn on the same port, each serving both the bare view and the page:

* uncached: DOORSTEP_PAGE_CACHE_SECONDS=0 (every request reads the order and renders the page)
* cached:   the page cache on, in Redis (--redis) so all gunicorn workers share it

For each server, bare and page are measured alternately ``--rounds`` times (so load drift on the
machine hits both alike) and the median requests/s of each are compared. Goals: uncached >= 40%,
cached >= 80% of the bare view. Data lives in a throw-away SQLite file under var/ (or the
database in BENCH_DATABASE_URL). The load generator is a few processes speaking raw HTTP.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare(db_url: str, events: int) -> str:
    """Migrate the bench database and create one order with two parcels; return the page path."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.page_settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)
    from tests.factories import MerchantFactory, OrderFactory, OrderLineFactory, ShipmentFactory, ShipmentLineFactory
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
    return f"/t/{make_token('order', {'o': order.pk})}/"


def _client(port: int, path: str, deadline: float, counter, errors) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\nConnection: close\r\n\r\n".encode()
    done = bad = 0
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(request)
                head = sock.recv(65536)
                while sock.recv(65536):
                    pass
            if head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"):
                done += 1
            else:
                bad += 1
        except OSError:
            bad += 1
    with counter.get_lock():
        counter.value += done
    with errors.get_lock():
        errors.value += bad


def measure(port: int, path: str, clients: int, seconds: float) -> float:
    counter, errors = mp.Value("i", 0), mp.Value("i", 0)
    deadline = time.monotonic() + seconds
    procs = [mp.Process(target=_client, args=(port, path, deadline, counter, errors)) for _ in range(clients)]
    started = time.monotonic()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.monotonic() - started
    if errors.value:
        raise SystemExit(f"{errors.value} failed requests for {path[:40]}")
    return counter.value / elapsed


def serve(port: int, workers: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "512"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def run_case(name: str, env: dict, args, path: str) -> float:
    server = serve(args.port, args.workers, env)
    try:
        for target in ("/bench/bare/", path):  # warm up: imports, template loaders, connections, the cache
            measure(args.port, target, 1, 0.5)
        bare, page = [], []
        for _ in range(args.rounds):
            bare.append(measure(args.port, "/bench/bare/", args.clients, args.seconds))
            page.append(measure(args.port, path, args.clients, args.seconds))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    ratio = statistics.median(page) / statistics.median(bare)
    print(f"{name:9s} bare {statistics.median(bare):7.0f} req/s   page {statistics.median(page):7.0f} req/s   "
          f"ratio {ratio:.0%}")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8350)
    parser.add_argument("--events", type=int, default=12, help="events per parcel (two parcels; a typical domestic parcel has 8-15)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_tracking.sqlite3'}")
    (ROOT / "var").mkdir(exist_ok=True)
    path = prepare(db_url, args.events)
    base_env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "bench.page_settings"}
    base_env.pop("REDIS_URL", None)
    print(f"gunicorn {args.workers} workers, {args.clients} client processes, {args.rounds}x{args.seconds}s "
          f"per target, 2 parcels x {args.events} events")
    uncached = run_case("uncached", {**base_env, "DOORSTEP_PAGE_CACHE_SECONDS": "0"}, args, path)
    cached = run_case("cached", {**base_env, "REDIS_URL": args.redis, "DOORSTEP_PAGE_CACHE_SECONDS": "600"},
                      args, path)
    print(f"RESULT uncached ratio {uncached:.0%} (goal >= 40%)   cached ratio {cached:.0%} (goal >= 80%)")


if __name__ == "__main__":
    main()

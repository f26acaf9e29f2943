"""Act as the mock carrier: post signed tracking webhooks to a running Doorstep over real HTTP, with
a scenario mix, carrier retries (duplicates) and out-of-order deliveries. For demos and load tests.

    manage.py simulate_carrier --url http://127.0.0.1:8000 --account <public_id> --count 200 --rate 20

Without --secret the account's secret is read from the local database (same deployment); pass it
when posting to another machine.
"""
import random
import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from django.core.management.base import BaseCommand, CommandError

from tracking.carriers.mock import SCENARIOS, simulate_deliveries
from tracking.models import CarrierAccount


class Command(BaseCommand):
    help = "Post signed mock-carrier webhooks to a Doorstep URL and report what was accepted."

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="Base URL of the Doorstep server.")
        parser.add_argument("--account", required=True, help="Carrier account public id (mock carrier).")
        parser.add_argument("--count", type=int, default=100, help="Deliveries to send.")
        parser.add_argument("--rate", type=float, default=10.0, help="Deliveries per second (0 = as fast as possible).")
        parser.add_argument("--secret", default="", help="Webhook secret (default: read from this database).")
        parser.add_argument("--duplicates", type=float, default=0.1, help="Share of deliveries sent twice.")
        parser.add_argument("--out-of-order", type=float, default=0.1, help="Share swapped with the next one.")
        parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="Comma-separated scenario mix.")
        parser.add_argument("--concurrency", type=int, default=4)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, **o):
        secret = o["secret"] or self._local_secret(o["account"])
        mix = [s.strip() for s in o["scenarios"].split(",") if s.strip()]
        unknown = set(mix) - set(SCENARIOS)
        if unknown or not mix:
            raise CommandError(f"unknown scenarios {sorted(unknown)}; choose from {', '.join(SCENARIOS)}")
        url = f"{o['url'].rstrip('/')}/webhooks/carriers/{o['account']}/"
        seed = o["seed"] if o["seed"] is not None else random.randrange(1 << 30)
        deliveries = simulate_deliveries(secret=secret, count=o["count"], scenario_mix=mix,
                                         duplicate_rate=o["duplicates"], out_of_order_rate=o["out_of_order"],
                                         seed=seed, serial_start=seed % 900_000)
        statuses: Counter = Counter()
        latencies: list[float] = []
        session = requests.Session()
        interval = 1.0 / o["rate"] if o["rate"] > 0 else 0.0

        def post(item):
            headers, body = item
            started = time.perf_counter()
            try:
                response = session.post(url, data=body, headers=headers, timeout=o["timeout"])
                code = response.status_code
            except requests.RequestException as exc:
                code = f"error:{type(exc).__name__}"
            return code, time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=max(o["concurrency"], 1)) as pool:
            futures = []
            for index, item in enumerate(deliveries):
                if interval:
                    # Pace against the start time, so slow responses do not lower the rate.
                    delay = started + index * interval - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                futures.append(pool.submit(post, item))
            for future in futures:
                code, latency = future.result()
                statuses[code] += 1
                latencies.append(latency)
        elapsed = time.perf_counter() - started
        sent = sum(statuses.values())
        accepted = statuses.get(202, 0)
        duplicates = statuses.get(200, 0)
        rejected = sent - accepted - duplicates
        self.stdout.write(f"sent {sent} in {elapsed:.1f}s ({sent / elapsed if elapsed else 0:.1f}/s), seed {seed}")
        self.stdout.write(f"accepted {accepted}  duplicate {duplicates}  rejected {rejected}  by status "
                          + ", ".join(f"{k}:{v}" for k, v in sorted(statuses.items(), key=str)))
        if latencies:
            ordered = sorted(latencies)
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            self.stdout.write(f"latency p50 {statistics.median(ordered) * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  "
                              f"max {ordered[-1] * 1000:.1f} ms")
        if rejected:
            raise CommandError(f"{rejected} deliveries were rejected")

    @staticmethod
    def _local_secret(public_id):
        try:
            account = CarrierAccount.objects.get(public_id=public_id)
        except CarrierAccount.DoesNotExist:
            raise CommandError("account not in this database: pass --secret") from None
        return account.credentials().webhook_secret

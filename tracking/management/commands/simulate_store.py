"""Act as a connected store: post signed store webhooks to a running Doorstep over real HTTP — new
orders, payment updates, fulfilments with mock-carrier parcels, platform retries (duplicates) and
out-of-order updates. For demos, browser tests and load tests (like simulate_carrier).

    manage.py simulate_store --platform shopify --url http://127.0.0.1:8000 --connection <public id> --count 20

Without --secret/--shop they are read from the local database (same deployment). Shopify deliveries
are signed with the app's client secret (DOORSTEP_SHOPIFY_CLIENT_SECRET), WooCommerce ones with the
connection's webhook secret. Cafe24 sends thin notifications that Doorstep answers by reading the
order from Cafe24's Admin API, so it cannot be simulated without that API: use store_sync against a
sandbox (DOORSTEP_CAFE24_API_URL) instead."""
import random
import statistics
import time
from collections import Counter

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracking.stores import simulate


class Command(BaseCommand):
    help = "Post signed store webhooks (orders, fulfilments, retries, out-of-order updates) to a Doorstep URL."

    def add_arguments(self, parser):
        parser.add_argument("--platform", required=True, choices=simulate.PLATFORMS)
        parser.add_argument("--url", required=True, help="Base URL of the Doorstep server.")
        parser.add_argument("--connection", required=True, help="Store connection public id.")
        parser.add_argument("--count", type=int, default=10, help="Orders to simulate (3-4 deliveries each).")
        parser.add_argument("--secret", default="")
        parser.add_argument("--shop", default="")
        parser.add_argument("--duplicates", type=float, default=0.1)
        parser.add_argument("--out-of-order", type=float, default=0.1)
        parser.add_argument("--rate", type=float, default=0.0, help="Deliveries per second (0 = as fast as possible).")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--serial-start", type=int, default=0, help="First order's serial (distinct runs).")
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, **o):
        if o["platform"] == "cafe24":
            raise CommandError("Cafe24 notifications are thin (Doorstep reads the order from Cafe24's API): "
                               "point DOORSTEP_CAFE24_API_URL at a sandbox and use store_sync instead.")
        secret, shop = o["secret"], o["shop"]
        if not secret or not shop:
            local_secret, local_shop = self._local(o["connection"], o["platform"])
            secret, shop = secret or local_secret, shop or local_shop
        if not secret:
            raise CommandError("no secret: pass --secret (or configure DOORSTEP_SHOPIFY_CLIENT_SECRET)")
        seed = o["seed"] if o["seed"] is not None else random.randrange(1 << 30)
        url = f"{o['url'].rstrip('/')}/webhooks/stores/{o['connection']}/"
        session = requests.Session()
        statuses: Counter = Counter()
        latencies = []
        interval = 1.0 / o["rate"] if o["rate"] > 0 else 0.0
        for headers, body in simulate.deliveries(platform=o["platform"], shop=shop, secret=secret, count=o["count"],
                                                 seed=seed, duplicate_rate=o["duplicates"],
                                                 out_of_order_rate=o["out_of_order"], serial_start=o["serial_start"]):
            started = time.perf_counter()
            try:
                code = session.post(url, data=body, headers=headers, timeout=o["timeout"]).status_code
            except requests.RequestException as exc:
                code = f"error {type(exc).__name__}"
            latencies.append(time.perf_counter() - started)
            statuses[code] += 1
            if interval:
                time.sleep(interval)
        sent = sum(statuses.values())
        p50 = statistics.median(latencies) * 1000 if latencies else 0
        self.stdout.write(f"sent {sent} deliveries for {o['count']} order(s) (seed {seed}); "
                          f"answers: {dict(sorted(statuses.items(), key=str))}; median {p50:.1f} ms")
        if any(not (isinstance(code, int) and code < 300) for code in statuses):
            raise CommandError("some deliveries were not accepted")

    def _local(self, public_id: str, platform: str) -> tuple[str, str]:
        from tracking.models import StoreConnection

        connection = StoreConnection.objects.filter(public_id=public_id).first()
        if connection is None:
            raise CommandError(f"no store connection {public_id!r} here: pass --secret and --shop")
        if connection.platform != platform:
            raise CommandError(f"connection {public_id} is a {connection.platform} store")
        credentials = connection.credentials()
        secret = settings.DOORSTEP_SHOPIFY_CLIENT_SECRET if platform == "shopify" else credentials.webhook_secret
        return secret or credentials.webhook_secret, connection.shop

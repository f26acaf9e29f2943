"""Store connector benchmark, two parts measured in one run.

    /work/main/.venv/bin/python bench/store_sync.py [--orders 10000] [--seconds 8] [--skip-webhooks]

A. Backfill: ``--orders`` Shopify orders (3 lines, one fulfilment with a mock-carrier parcel each)
   replayed from recorded-shape GraphQL pages of 50, served locally by `responses` (no network),
   through ``store_sync_run`` (the backfill of ``manage.py store_sync``) — then the same orders
   through ``orders_import`` (``manage.py import_orders``) for another merchant in the same run.
   Prints orders/s for both and the ratio (goal >= 0.8x).
B. Webhook acceptance under gunicorn, as bench/webhook_ingest.py does for carriers: peak accepted
   Shopify ``orders/create`` deliveries/s (verify HMAC, store raw, acknowledge) vs a bare view that
   reads the same body, in alternating rounds (goal >= 0.45x); p50/p99 at 80 % of that peak (goal
   p99 < 100 ms); then every accepted delivery is processed, with 20 % platform retries (same webhook
   id) sent, and the orders are counted: 0 lost, 0 duplicated.

Uses PostgreSQL database `ds_stores` (created if missing, wiped), Redis db 3 and port 8151.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-shopify-app-secret"
SHOP = "bench-store.myshopify.com"
GRAPHQL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
SKUS = [f"BENCH-{i:02d}" for i in range(50)]


def money(amount: str) -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": "KRW"},
            "presentmentMoney": {"amount": amount, "currencyCode": "KRW"}}


def order_node(n: int, base: datetime, serial: int = 100_000) -> dict:
    from tracking.carriers.mock import make_tracking_number

    placed = base + timedelta(seconds=n)
    lines = []
    for k in range(3):
        sku_index = (n * 3 + k) % len(SKUS)
        lines.append({"id": f"gid://shopify/LineItem/{n * 10 + k}", "title": f"Bench product {sku_index}",
                      "variantTitle": None, "sku": SKUS[sku_index], "quantity": 1 + k % 2,
                      "product": {"id": f"gid://shopify/Product/{500 + sku_index}"},
                      "variant": {"id": f"gid://shopify/ProductVariant/{900 + sku_index}"},
                      "originalUnitPriceSet": money("12000")})
    total = str(sum(12000 * (1 + k % 2) for k in range(3)))
    number = make_tracking_number("on_time", placed, serial + n)
    return {
        "id": f"gid://shopify/Order/{10**9 + n}", "name": f"#B{n}", "createdAt": placed.isoformat().replace("+00:00", "Z"),
        "updatedAt": (placed + timedelta(hours=1)).isoformat().replace("+00:00", "Z"), "cancelledAt": None,
        "cancelReason": None, "test": False, "email": f"shopper{n % 3000}@example.com", "phone": None,
        "sourceName": "web", "currencyCode": "KRW", "presentmentCurrencyCode": "KRW",
        "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "FULFILLED", "paymentGatewayNames": ["toss"],
        "totalPriceSet": money(total), "subtotalPriceSet": money(total), "totalTaxSet": money("0"),
        "totalShippingPriceSet": money("0"), "totalDiscountsSet": money("0"), "totalRefundedSet": money("0"),
        "customer": {"id": f"gid://shopify/Customer/{n % 3000}", "firstName": "Bench", "lastName": f"{n % 3000}",
                     "defaultEmailAddress": {"emailAddress": f"shopper{n % 3000}@example.com"}},
        "shippingAddress": {"name": "Bench Shopper", "address1": "1 Bench-ro", "city": "Seoul", "province": None,
                            "zip": "06236", "countryCodeV2": "KR"},
        "lineItems": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": lines},
        "fulfillments": [{"id": f"gid://shopify/Fulfillment/{n}", "status": "SUCCESS",
                          "createdAt": placed.isoformat().replace("+00:00", "Z"),
                          "updatedAt": placed.isoformat().replace("+00:00", "Z"), "displayStatus": "IN_TRANSIT",
                          "trackingInfo": [{"number": number, "company": "Mock Carrier", "url": None}]}],
        "refunds": [],
    }


def serve_pages(nodes: list[dict]):
    """A responses callback answering the orders query from ``nodes``, 50 per page, cursor = offset."""
    def callback(request):
        variables = json.loads(request.body)["variables"]
        start = int(variables.get("after") or 0)
        page = nodes[start:start + int(variables.get("first") or 50)]
        end = start + len(page)
        body = {"data": {"orders": {"pageInfo": {"hasNextPage": end < len(nodes), "endCursor": str(end)},
                                    "nodes": page}},
                "extensions": {"cost": {"requestedQueryCost": 10, "actualQueryCost": 10,
                                        "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1990,
                                                           "restoreRate": 100.0}}}}
        return 200, {"Content-Type": "application/json"}, json.dumps(body)
    return callback


def part_a(count: int) -> tuple[float, float]:
    import responses

    from tracking.imports.services import ImportRecord, ShipmentImport, orders_import
    from tracking.models import Merchant, Order, Product, ProductVariant
    from tracking.services.orders import AddressData, CustomerData, OrderData, OrderLineData
    from tracking.stores.connections import connection_create, store_sync_run
    from tracking.stores.shopify.parse import parse_graphql_order

    base = datetime(2026, 10, 1, tzinfo=timezone.utc)
    nodes = [order_node(n, base) for n in range(count)]
    store_merchant = Merchant.objects.create(slug="bench-store", name="Bench store", currency="KRW")
    connection = connection_create(merchant=store_merchant, platform="shopify", shop=SHOP,
                                   access_token="shpat_bench").connection
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, GRAPHQL, callback=serve_pages(nodes))
        started = time.perf_counter()
        report = store_sync_run(connection=connection, page_size=50, sleep=lambda s: None)
        store_s = time.perf_counter() - started
    assert report.done and not report.error, report
    store_orders = Order.objects.filter(merchant=store_merchant).count()

    # The same orders as import records (what import_orders builds from a file).
    import_merchant = Merchant.objects.create(slug="bench-import", name="Bench import", currency="KRW")
    product = Product.objects.create(merchant=import_merchant, external_id="bench", title="Bench", category="x")
    ProductVariant.objects.bulk_create(ProductVariant(merchant=import_merchant, product=product, sku=sku, title=sku,
                                                      price=Decimal("12000"), currency="KRW") for sku in SKUS)
    records = []
    # (Parcel numbers are unique per carrier across merchants: the import's parcels get their own.)
    for n in range(count):
        order = parse_graphql_order(order_node(n, base, serial=600_000))
        records.append(ImportRecord(line_numbers=[n + 2], order=OrderData(
            number=order.number, placed_at=order.created_at, currency=order.currency,
            customer=CustomerData(email=order.email, name=order.customer.name if order.customer else ""),
            shipping_address=AddressData(postal_code=order.shipping_address.postal_code,
                                         country=order.shipping_address.country_code),
            lines=[OrderLineData(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
                   for line in order.lines],
            total=order.totals.total),
            shipments=[ShipmentImport(tracking_number=t.number, carrier="mock") for t in order.trackings]))
    # (The sync's figure includes fetching and parsing the pages; the import's excludes reading the file.)
    started = time.perf_counter()
    imported = orders_import(merchant=import_merchant, records=records, batch_size=500)
    import_s = time.perf_counter() - started
    assert not imported.errors, imported.errors[:3]
    store_rate, import_rate = store_orders / store_s, imported.orders / import_s
    print(f"A. backfill of {count} orders ({report.pages} pages): store_sync {store_rate:8.0f} orders/s "
          f"({store_s:.1f} s), import_orders {import_rate:8.0f} orders/s ({import_s:.1f} s); "
          f"ratio {store_rate / import_rate:.2f}  [goal >= 0.8: {'PASS' if store_rate / import_rate >= 0.8 else 'FAIL'}]")
    return store_rate, import_rate


def part_b(args, env) -> None:
    import random

    from bench import webhook_ingest as wi
    from tracking.models import Merchant, Order, StoreWebhookDelivery
    from tracking.stores.connections import connection_create
    from tracking.stores.simulate import shopify_order, sign
    from tracking.stores.webhooks import store_webhook_process

    merchant = Merchant.objects.create(slug="bench-hooks", name="Bench hooks", currency="KRW")
    connection = connection_create(merchant=merchant, platform="shopify", shop=SHOP.replace("bench-store", "bench-hooks"),
                                   access_token="shpat_bench").connection
    path = f"/webhooks/stores/{connection.public_id}/"
    now = datetime.now(timezone.utc)

    def delivery(n: int, delivery_id: str) -> tuple[str, dict, bytes]:
        body = json.dumps(shopify_order(n, placed_at=now, updated_at=now)).encode()
        headers = {"Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
                   "X-Shopify-Hmac-Sha256": sign(SECRET, body), "X-Shopify-Shop-Domain": connection.shop,
                   "X-Shopify-Webhook-Id": delivery_id}
        return path, headers, body

    budget = int(args.seconds * 2500)
    hooks = [delivery(n, f"peak-{n}") for n in range(budget)]
    gunicorn = wi.start_gunicorn(args, {**env, "DOORSTEP_SHOPIFY_CLIENT_SECRET": SECRET})
    try:
        wi.load([(("/bench/bare-webhook",) + h[1:]) for h in hooks[:300]], seconds=1)
        wi.load([delivery(10**6 + n, f"warm-{n}") for n in range(300)], seconds=1)
        round_s = args.seconds / args.rounds
        block = len(hooks) // args.rounds
        bare, sent_hooks, bare_s, hooks_s = [], [], 0.0, 0.0
        for n in range(args.rounds):
            sent, took = wi.load([("/bench/bare-webhook",) + h[1:] for h in hooks[:block]], seconds=round_s,
                                 processes=args.processes, threads=args.threads)
            bare += sent
            bare_s += took
            sent, took = wi.load(hooks[n * block:(n + 1) * block], seconds=round_s, processes=args.processes,
                                 threads=args.threads)
            sent_hooks += sent
            hooks_s += took
        bare_rps = sum(1 for s, *_ in bare if s == 202) / bare_s
        accepted = sum(1 for s, *_ in sent_hooks if s == 202)
        codes: dict = {}
        for s, *_ in sent_hooks:
            codes[s] = codes.get(s, 0) + 1
        ratio = accepted / hooks_s / bare_rps
        print(f"B1. bare view {bare_rps:8.0f} req/s; store webhook {accepted / hooks_s:8.0f} accepted/s "
              f"(statuses {codes}); ratio {ratio:.2f}  [goal >= 0.45: {'PASS' if ratio >= 0.45 else 'FAIL'}]")
        # Paced at 80 % of the peak: latency.
        rate = 0.8 * accepted / hooks_s
        paced = [delivery(2 * 10**6 + n, f"paced-{n}") for n in range(int(rate * args.paced_seconds))]
        sent, _ = wi.load(paced, seconds=args.paced_seconds + 5, processes=args.processes, threads=args.threads,
                          rate=rate)
        latencies = [r[1] for r in sent if r[0] == 202]
        p99 = wi.pct(latencies, .99) * 1000
        print(f"B2. at {rate:.0f}/s (80 % of peak): p50 {wi.pct(latencies, .5) * 1000:.1f} ms, p99 {p99:.1f} ms "
              f"[goal < 100 ms: {'PASS' if p99 < 100 else 'FAIL'}]")
        # Replay with 20 % platform retries (same webhook id), then process everything.
        rng = random.Random(5)
        fresh = [delivery(3 * 10**6 + n, f"replay-{n}") for n in range(2000)]
        retries = [fresh[i] for i in rng.sample(range(len(fresh)), 400)]
        items = fresh + retries
        rng.shuffle(items)
        sent, _ = wi.load(items, seconds=120, processes=args.processes, threads=args.threads)
        lost_requests = sum(1 for s, *_ in sent if s not in (200, 202))
    finally:
        wi.stop(gunicorn)
    replay_rows = StoreWebhookDelivery.objects.filter(connection=connection, delivery_id__startswith="replay-")
    started = time.perf_counter()
    ids = list(StoreWebhookDelivery.objects.filter(connection=connection, verdict="accepted",
                                                   processed_at__isnull=True).values_list("pk", flat=True))
    for pk in ids:
        store_webhook_process(delivery_id=pk)
    took = time.perf_counter() - started
    numbers = {f"#{1000 + 3 * 10**6 + n}" for n in range(2000)}
    stored = Order.objects.filter(merchant=merchant, number__in=numbers).count()
    duplicates = StoreWebhookDelivery.objects.filter(connection=connection, verdict="duplicate").count()
    unprocessed = StoreWebhookDelivery.objects.filter(connection=connection, verdict="accepted",
                                                      processed_at__isnull=True).count()
    print(f"B3. replay of 2000 orders + 400 retries: {replay_rows.count()} accepted, {duplicates} logged as duplicates, "
          f"{lost_requests} refused; processed {len(ids)} deliveries in {took:.1f} s ({len(ids) / took:.0f}/s); "
          f"orders stored {stored}/2000, unprocessed {unprocessed} → lost {2000 - stored}, duplicated "
          f"{max(0, Order.objects.filter(merchant=merchant, number__in=numbers).values('number').distinct().count() - stored)} "
          f"[{'PASS' if stored == 2000 and not unprocessed and not lost_requests else 'FAIL'}]")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/ds_stores")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--port", type=int, default=8151)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--paced-seconds", type=float, default=6.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads-per-worker", type=int, default=4)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--skip-webhooks", action="store_true")
    args = parser.parse_args()
    args.db = "postgres"

    import psycopg

    admin_url = args.postgres_url.rsplit("/", 1)[0] + "/postgres"
    name = args.postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    from bench import webhook_ingest as wi

    wi.PORT = args.port
    env = wi.configure(args)
    print(f"doorstep store connector bench — {os.cpu_count()} CPUs shared; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    part_a(args.orders)
    if not args.skip_webhooks:
        part_b(args, env)


if __name__ == "__main__":
    main()

"""How long the feedback dashboard takes for one merchant and 12 months, against a plain COUNT(*).

Builds (once; reused on later runs) a merchant with 100,000 orders over 18 months, one parcel each,
5 % return parcels, a survey for half of the delivered orders and a response to 60 % of those, plus
a second merchant with 20,000 orders so every query has to filter by tenant. Then times, in the same
run, ``feedback.dashboard.data.build`` (every card and table) and ``COUNT(*)`` over the same merchant's
orders in the same period, and prints the ratio and the absolute times (median of 5 runs each).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ds_feedback python bench/dashboard.py [--orders N] [--rebuild]

--rebuild empties the whole database first: point DATABASE_URL at a database kept for benchmarks.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from feedback import delivery
from feedback.dashboard import data as dashboard
from feedback.models import Survey, SurveyResponse, SurveySettings  # noqa: E402
from tracking.models import Customer, Merchant, Order, Shipment  # noqa: E402

CARRIERS = ["cj", "hanjin", "lotte", "epost"]
COUNTRIES = ["KR", "KR", "KR", "US", "JP"]
BATCH = 5000


def build(slug: str, n_orders: int, seed: int) -> Merchant:
    rng = random.Random(seed)
    now = timezone.now()
    merchant = Merchant.objects.create(slug=slug, name=slug.title(), timezone="Asia/Seoul", currency="KRW",
                                       country="KR")
    SurveySettings.objects.create(merchant=merchant, active_window_days=180)
    n_customers = max(n_orders // 3, 1)
    Customer.objects.bulk_create(
        [Customer(merchant=merchant, email=f"c{i}@{slug}.example") for i in range(n_customers)], batch_size=BATCH)
    customer_ids = list(Customer.objects.filter(merchant=merchant).values_list("pk", flat=True))
    orders = []
    for i in range(n_orders):
        total = Decimal(rng.randrange(10, 300) * 1000)
        placed = now - timedelta(days=rng.uniform(0, 540))
        orders.append(Order(merchant=merchant, customer_id=rng.choice(customer_ids), number=f"{slug}-{i}",
                            placed_at=placed, currency="KRW", subtotal=total, total=total,
                            ship_postal_code="04524", ship_country=rng.choice(COUNTRIES)))
    Order.objects.bulk_create(orders, batch_size=BATCH)
    rows = list(Order.objects.filter(merchant=merchant).values_list("pk", "placed_at", "ship_country",
                                                                    "customer_id"))
    shipments, surveys = [], []
    start_f, end_f = delivery.window_fields()
    for pk, placed, country, customer_id in rows:
        carrier = rng.choice(CARRIERS)
        promised = (placed + timedelta(days=4)).date()
        delivered = placed + timedelta(days=rng.uniform(1.5, 6.5))
        delivered_ok = delivered < now
        window = {"predicted_window_start": promised - timedelta(days=1), "predicted_window_end": promised}
        window.update({start_f: promised - timedelta(days=1), end_f: promised})  # the ship-time window
        shipments.append(Shipment(
            merchant=merchant, order_id=pk, carrier=carrier, tracking_number=f"{slug}-{pk}", origin_country="KR",
            destination_country=country, status="delivered" if delivered_ok else "in_transit",
            delivered_at=delivered if delivered_ok else None, shipped_at=placed + timedelta(days=1),
            promised_delivery_date=promised, **window))
        if rng.random() < 0.05:
            shipments.append(Shipment(merchant=merchant, order_id=pk, carrier=carrier, is_return=True,
                                      tracking_number=f"{slug}-r{pk}", status="in_transit"))
        if delivered_ok and rng.random() < 0.5:
            sent = delivered + timedelta(days=2)
            surveys.append(Survey(
                merchant=merchant, order_id=pk, customer_id=customer_id, status=Survey.Status.SENT,
                scheduled_for=sent, send_deadline=sent + timedelta(days=14), sent_at=sent,
                expires_at=sent + timedelta(days=14), delivered_at=delivered, carrier=carrier,
                lane=f"KR→{country}", on_time=delivered.date() <= promised,
                edd_hit=promised - timedelta(days=1) <= delivered.date() <= promised))
    Shipment.objects.bulk_create(shipments, batch_size=BATCH)
    Survey.objects.bulk_create(surveys, batch_size=BATCH)
    responses = []
    for survey_id, sent, on_time in Survey.objects.filter(merchant=merchant).values_list("pk", "sent_at", "on_time"):
        if rng.random() < 0.6:
            score = min(10, max(0, round(rng.gauss(8.2 if on_time else 6.0, 2.2))))
            responses.append(SurveyResponse(
                survey_id=survey_id, merchant=merchant, score=score, source="email",
                answered_at=sent + timedelta(hours=rng.uniform(1, 72)),
                reason=rng.choice(["", "", "Fast", "Late again", "Box was crushed", "Great quality"]),
                delivery_rating=rng.choice([None, 1, 2, 3, 4, 5, 5]), product_rating=rng.choice([None, 3, 4, 5]),
                packaging_rating=rng.choice([None, 2, 4, 5])))
    SurveyResponse.objects.bulk_create(responses, batch_size=BATCH)
    return merchant


def median_seconds(fn, runs: int = 5) -> float:
    fn()  # warm-up: connection, plan cache
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true",
                        help="EMPTY the whole database DATABASE_URL names (manage.py flush) and build afresh; "
                             "use a database dedicated to benchmarks")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if args.rebuild:
        # Orders PROTECT their customers, so an ORM delete of 120k rows would crawl; a flush is instant.
        call_command("flush", interactive=False, verbosity=0)
    slug = f"bench-fb-{args.orders}"
    merchant = Merchant.objects.filter(slug=slug).first()
    if merchant is None:
        t0 = time.perf_counter()
        with transaction.atomic():
            merchant = build(slug, args.orders, seed=7)
            build(slug + "-noise", max(args.orders // 5, 1), seed=8)
        print(f"built {args.orders:,} orders (+{args.orders // 5:,} for another merchant) "
              f"in {time.perf_counter() - t0:.1f} s")
        if connection.vendor == "postgresql":
            # Fresh bulk inserts: statistics for the planner, visibility map for index-only scans.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
    today = timezone.localdate()
    start, end = dashboard.period_bounds(merchant, today - timedelta(days=364), today)

    def baseline():
        return Order.objects.filter(merchant=merchant, placed_at__gte=start, placed_at__lt=end).count()

    def full_dashboard():
        return dashboard.build(merchant, start, end)

    n = baseline()
    board = full_dashboard()
    base_s = median_seconds(baseline)
    dash_s = median_seconds(full_dashboard)
    cards = {c.key: c.value for c in board.cards}
    print(f"database: {connection.vendor}; merchant {merchant.slug}; {n:,} orders in the 12-month period")
    print(f"cards: {cards}")
    print(f"COUNT(*) baseline: {base_s * 1000:.1f} ms")
    print(f"whole dashboard:   {dash_s * 1000:.1f} ms  (target < 1000 ms on PostgreSQL)")
    print(f"ratio dashboard / COUNT(*): {dash_s / base_s:.1f}x")
    print(f"machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()

"""Offline benchmark for recommendations: quality against popularity, and training cost.

    python bench/recs_offline.py [--orders 20000] [--train-orders 100000] [--seed 0]

1. Quality: HitRate@10 / NDCG@10 of the model and the popularity baseline on (a) history with planted
   co-purchase bundles and (b) a control without any (protocol: tracking/recommendations/evaluation.py).
   Goals: (a) >= 2x popularity, (b) >= 0.95x.
2. Training cost on ``--train-orders`` orders through the real path (the beat task's
   ``recommendations_train``: read order lines from the database, train, replace the table), printed as
   a ratio to a baseline measured in the same run on the same rows: one GROUP BY query that counts each
   product's orders (what a popularity model needs). Goal: training < 60 s. Runs on a throw-away test
   database (in-memory SQLite by default; DATABASE_URL's server with a test_ prefix otherwise).
"""
import argparse
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from tracking.models import Customer, Merchant, Order, OrderLine, Product, ProductRecommendation, ProductVariant  # noqa: E402
from tracking.recommendations.evaluation import evaluate, generate_history, report_lines  # noqa: E402
from tracking.recommendations.training import recommendations_train  # noqa: E402


def quality(orders: int, seed: int) -> None:
    print(f"== Quality: {orders} generated orders per history, time split 80/20, seed {seed} ==")
    for label, planted, goal in (("planted", True, 2.0), ("control", False, 0.95)):
        result = evaluate(generate_history(n_orders=orders, planted=planted, seed=seed), seed=seed)
        for line in report_lines(label, result):
            print(line)
        print(f"[{label}] goal >= {goal:.2f}x: {'met' if result.hit_rate_ratio >= goal else 'NOT MET'}")


def load(history, merchant) -> None:
    """Write the generated history as real rows, in bulk."""
    now = timezone.now()
    product_ids = sorted(history.categories)
    products = Product.objects.bulk_create([
        Product(merchant=merchant, external_id=f"p{pid}", title=f"Product {pid}", category=history.categories[pid],
                url=f"https://bench.example/p/{pid}") for pid in product_ids])
    variants = ProductVariant.objects.bulk_create([
        ProductVariant(merchant=merchant, product=p, sku=f"S{p.external_id}", title="Default", price=Decimal("10000"),
                       currency="KRW", stock=5) for p in products])
    variant_of = {pid: v.pk for pid, v in zip(product_ids, variants)}
    n_customers = int(history.customer_of_order.max()) + 1
    customers = Customer.objects.bulk_create(
        [Customer(merchant=merchant, email=f"c{i}@bench.example") for i in range(n_customers)], batch_size=5000)
    span = timedelta(days=300)
    orders = Order.objects.bulk_create([
        Order(merchant=merchant, customer_id=customers[int(c)].pk, number=f"B{oid}", currency="KRW",
              total=Decimal("10000"), placed_at=now - span + span * float(t), ship_postal_code="04524",
              ship_country="KR")
        for oid, (c, t) in enumerate(zip(history.customer_of_order, history.placed_at))], batch_size=5000)
    order_pk = [o.pk for o in orders]
    OrderLine.objects.bulk_create([
        OrderLine(order_id=order_pk[oid], variant_id=variant_of[pid], sku="S", title="t", quantity=1,
                  unit_price=Decimal("10000"))
        for oid, pid in zip(history.order_ids.tolist(), history.product_ids.tolist())], batch_size=5000)


def training_cost(orders: int, seed: int) -> None:
    print(f"== Training cost: {orders} orders through the database ({connection.vendor}) ==")
    history = generate_history(n_orders=orders, planted=True, seed=seed)
    merchant = Merchant.objects.create(slug="bench", name="Bench", currency="KRW")
    started = time.perf_counter()
    load(history, merchant)
    print(f"loaded {orders} orders / {history.order_ids.size} lines in {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    popularity = list(OrderLine.objects.filter(order__merchant=merchant).values("variant__product_id")
                      .annotate(orders=Count("order_id", distinct=True)).order_by("-orders"))
    baseline = time.perf_counter() - started

    summary = recommendations_train(merchant_id=merchant.pk, now=timezone.now() + timedelta(days=1))
    rows = ProductRecommendation.objects.filter(merchant=merchant).count()
    print(f"baseline (one GROUP BY popularity query, {len(popularity)} products): {baseline:.2f}s")
    print(f"recommendations_train (read + train + replace {rows} rows): {summary.seconds:.2f}s "
          f"= {summary.seconds / baseline:.1f}x the baseline; goal < 60 s: "
          f"{'met' if summary.seconds < 60 else 'NOT MET'}")

    # The model alone, in memory, against the popularity count alone (same arrays).
    started = time.perf_counter()
    np.unique(history.product_ids, return_counts=True)
    pop_core = time.perf_counter() - started
    from tracking.recommendations import algorithm
    started = time.perf_counter()
    algorithm.train(history.order_ids, history.product_ids, history.categories)
    core = time.perf_counter() - started
    print(f"in memory: model {core:.2f}s vs popularity count {pop_core:.3f}s = {core / max(pop_core, 1e-9):.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20000, help="orders per generated history (quality)")
    parser.add_argument("--train-orders", type=int, default=100000, help="orders for the training-cost run")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    quality(args.orders, args.seed)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        training_cost(args.train_orders, args.seed)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

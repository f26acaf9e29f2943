"""Bulk import vs one-order-at-a-time through the API's services, measured in the same run.

    python bench/import_orders.py [--orders 6000] [--baseline-orders 400] [--lines 3]

Uses a throw-away SQLite file unless DATABASE_URL is set (then that database; a throw-away merchant is
created and deleted). Rows are order lines. The bulk figure includes reading the CSV file; the baseline
(order_upsert + shipment_create per order, what POST /orders/ and /shipments/ do) starts from parsed
records, so the ratio is, if anything, understated."""
import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=6000)
    parser.add_argument("--baseline-orders", type=int, default=400)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="doorstep-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection

    from tracking.imports.formats import read_csv
    from tracking.models import Merchant, Product, ProductVariant
    from tracking.services.fulfilments import ShipmentData, shipment_create
    from tracking.imports.services import orders_import
    from tracking.services.orders import order_upsert

    call_command("migrate", verbosity=0)
    stamp = str(int(time.time()))
    merchant = Merchant.objects.create(slug=f"bench-{stamp}", name="Bench", currency="KRW")
    product = Product.objects.create(merchant=merchant, external_id="p", title="Bench product", category="x")
    skus = [f"B-{i}" for i in range(50)]
    ProductVariant.objects.bulk_create(ProductVariant(merchant=merchant, product=product, sku=sku, title=sku,
                                                      price=Decimal("1000"), currency="KRW") for sku in skus)

    def write_csv(path: Path, prefix: str, count: int):
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["order_number", "placed_at", "currency", "customer_email", "customer_name", "ship_postal_code",
                        "ship_country", "sku", "quantity", "unit_price", "tracking_number", "carrier",
                        "shipment_status", "shipment_status_at"])
            for n in range(count):
                for line in range(args.lines):
                    w.writerow([f"{prefix}{n}", "2025-05-01T10:00:00Z", "KRW", f"c{n % 500}@example.com", "Bench",
                                "04524", "KR", skus[(n + line) % len(skus)], 1 + line % 2, "",
                                f"MOCK{prefix}{stamp}{n:08d}", "mock", "delivered", "2025-05-03T10:00:00Z"])

    base_csv, bulk_csv = workdir / "base.csv", workdir / "bulk.csv"
    write_csv(base_csv, "S", args.baseline_orders)
    write_csv(bulk_csv, "M", args.orders)

    with base_csv.open() as f:
        records = list(read_csv(f))
    started = time.perf_counter()
    for record in records:
        order, _ = order_upsert(merchant=merchant, data=record.order, source="import")
        for parcel in record.shipments:
            shipment_create(merchant=merchant, data=ShipmentData(
                order_number=order.number, tracking_number=parcel.tracking_number, carrier=parcel.carrier,
                lines=parcel.lines))
    base_seconds = time.perf_counter() - started
    base_rows = args.baseline_orders * args.lines

    started = time.perf_counter()
    with bulk_csv.open() as f:
        report = orders_import(merchant=merchant, records=read_csv(f), batch_size=args.batch_size)
    bulk_seconds = time.perf_counter() - started
    bulk_rows = report.order_lines
    assert not report.errors, report.errors[:3]
    assert bulk_rows == args.orders * args.lines

    base_rate, bulk_rate = base_rows / base_seconds, bulk_rows / bulk_seconds
    print(f"database: {connection.vendor}")
    print(f"one at a time (services): {base_rows} rows in {base_seconds:.2f}s = {base_rate:,.0f} rows/s")
    print(f"bulk import_orders:       {bulk_rows} rows in {bulk_seconds:.2f}s = {bulk_rate:,.0f} rows/s "
          f"(batch {args.batch_size}, incl. CSV parsing)")
    print(f"ratio: {bulk_rate / base_rate:.1f}x (goal >= 20x)")
    if connection.vendor != "sqlite":
        merchant.orders.all().delete()
        merchant.delete()


if __name__ == "__main__":
    main()

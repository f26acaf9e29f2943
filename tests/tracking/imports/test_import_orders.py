import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import MerchantFactory, OrderFactory, ShipmentFactory
from tracking.models import Order, OrderLine, Shipment, ShipmentLine, TrackingEvent

pytestmark = pytest.mark.django_db

CSV_HEADER = ("order_number,placed_at,currency,customer_email,customer_name,ship_postal_code,ship_country,sku,"
              "quantity,unit_price,tracking_number,carrier,shipment_status,shipment_status_at\n")


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_orders", str(path), "--merchant", "acme", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_csv_groups_rows_into_orders_and_parcels(tmp_path, merchant, variants):
    path = tmp_path / "orders.csv"
    path.write_text(CSV_HEADER
                    + "A1,2025-03-01T10:00:00Z,KRW,a@example.com,Ann,04524,KR,SKU-0,2,900,MOCK1111111111,mock,delivered,2025-03-03T12:00:00Z\n"
                    + "A1,2025-03-01T10:00:00Z,KRW,a@example.com,Ann,04524,KR,SKU-1,1,,MOCK1111111111,mock,delivered,2025-03-03T12:00:00Z\n"
                    + "A2,2025-03-02T10:00:00Z,KRW,b@example.com,,04524,KR,SKU-2,1,,,,,\n")
    out, err = run(path)
    assert "Imported 2 orders (3 lines) and 1 shipments; skipped 0" in out, err
    a1 = Order.objects.get(number="A1")
    assert a1.source == "import" and a1.subtotal == 900 * 2 + 2000
    shipment = Shipment.objects.get()
    assert shipment.status == "delivered" and shipment.delivered_at.day == 3
    assert ShipmentLine.objects.filter(shipment=shipment).count() == 2
    assert TrackingEvent.objects.get().source == "import"


def test_bad_rows_are_reported_by_line_and_good_ones_land(tmp_path, merchant, variants):
    OrderFactory(merchant=merchant, number="DUP")
    path = tmp_path / "orders.csv"
    path.write_text(CSV_HEADER
                    + "G1,2025-03-01T10:00:00Z,KRW,a@example.com,,04524,KR,SKU-0,1,,,,,\n"   # line 2
                    + "B1,2025-03-01T10:00:00Z,KRW,a@example.com,,04524,KR,NOPE,1,,,,,\n"    # line 3: unknown sku
                    + "B2,not-a-date,KRW,a@example.com,,04524,KR,SKU-0,1,,,,,\n"             # line 4
                    + "DUP,2025-03-01T10:00:00Z,KRW,a@example.com,,04524,KR,SKU-0,1,,,,,\n"  # line 5
                    + "B3,2025-03-01T10:00:00Z,KRW,a@example.com,,04524,KR,SKU-0,-1,,,,,\n"  # line 6
                    + "G2,2025-03-01T10:00:00Z,KRW,a@example.com,,04524,KR,SKU-1,1,,,,,\n")  # line 7
    out, err = run(path, "--batch-size", "2")
    assert "Imported 2 orders" in out and "skipped 4" in out
    assert "line 3: order B1: lines.0.sku" in err
    assert "line 4: order 'B2': placed_at" in err
    assert "line 5: order DUP: order DUP already exists" in err
    assert "line 6: order B3: lines.0.quantity" in err
    assert set(Order.objects.filter(source="import").values_list("number", flat=True)) == {"G1", "G2"}


def test_jsonl_with_shipments_and_duplicate_tracking_number(tmp_path, merchant, variants):
    ShipmentFactory(tracking_number="MOCK9999999999", carrier="mock")
    rows = [
        {"number": "J1", "placed_at": "2025-01-01T00:00:00+09:00", "currency": "KRW",
         "customer": {"email": "j@example.com"}, "shipping_address": {"postal_code": "1", "country": "KR"},
         "lines": [{"sku": "SKU-0", "quantity": 3}],
         "shipments": [{"tracking_number": "MOCK2222222222", "carrier": "mock", "lines": [{"sku": "SKU-0", "quantity": 2}]},
                       {"tracking_number": "MOCK3333333333", "carrier": "mock"}]},
        {"number": "J2", "placed_at": "2025-01-01T00:00:00+09:00", "currency": "KRW",
         "customer": {"email": "j@example.com"}, "shipping_address": {"postal_code": "1", "country": "KR"},
         "lines": [{"sku": "SKU-0", "quantity": 1}],
         "shipments": [{"tracking_number": "MOCK9999999999", "carrier": "mock"}]},
        {"number": "J3", "lines": "nope"},
    ]
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n")
    out, err = run(path)
    assert "Imported 1 orders (1 lines) and 2 shipments; skipped 3" in out
    assert "line 2: order J2: " in err and "already registered" in err
    assert "line 3:" in err and "line 4:" in err
    quantities = sorted(ShipmentLine.objects.filter(shipment__order__number="J1").values_list("quantity", flat=True))
    assert quantities == [1, 2]


def test_atomic_flag_writes_nothing_on_any_error(tmp_path, merchant, variants):
    path = tmp_path / "orders.csv"
    path.write_text(CSV_HEADER
                    + "G1,2025-03-01T10:00:00Z,KRW,a@example.com,,04524,KR,SKU-0,1,,,,,\n"
                    + "B1,2025-03-01T10:00:00Z,KRW,a@example.com,,04524,KR,NOPE,1,,,,,\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        run(path, "--atomic")
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_requires_merchant_when_ambiguous(tmp_path, merchant):
    MerchantFactory()
    path = tmp_path / "x.csv"
    path.write_text(CSV_HEADER)
    with pytest.raises(CommandError, match="--merchant"):
        call_command("import_orders", str(path))
    with pytest.raises(CommandError, match="missing CSV columns"):
        (tmp_path / "y.csv").write_text("a,b\n1,2\n")
        run(tmp_path / "y.csv")


def test_batches_use_a_bounded_number_of_queries(tmp_path, merchant, variants, django_assert_max_num_queries):
    path = tmp_path / "orders.csv"
    rows = "".join(f"N{i},2025-03-01T10:00:00Z,KRW,c{i % 7}@example.com,,04524,KR,SKU-{i % 5},1,,MOCK{i:010d},mock,,\n"
                   for i in range(300))
    path.write_text(CSV_HEADER + rows)
    with django_assert_max_num_queries(30):
        out, _ = run(path, "--batch-size", "1000")
    assert "Imported 300 orders (300 lines) and 300 shipments" in out

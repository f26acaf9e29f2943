"""Bulk import of past orders and their parcels (``manage.py import_orders``).

Batches of orders are validated in Python against one read of the catalogue, customers and existing
numbers, then written with bulk_create in one transaction per batch. A record with a problem is skipped
and reported by its source line numbers; the rest of its batch still lands. If a batch hits a database
error anyway (a concurrent writer), it is rolled back and replayed record by record through the same
services the API uses, so only the offending records are lost. With ``atomic=True`` the whole file is
one transaction and any problem writes nothing.

Imported history does not announce signals or webhooks: it reports the past, not news."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from tracking.carriers import status as st
from tracking.errors import Conflict
from tracking.models import Customer, Merchant, Order, OrderLine, ProductVariant, Shipment, ShipmentLine, TrackingEvent
from tracking.services.fulfilments import ShipmentData, ShipmentLineData, carrier_resolve, normalize_tracking_number, shipment_create
from tracking.services.orders import OrderData, _line_values, order_header_values, order_upsert, order_validate


@dataclass
class ShipmentImport:
    tracking_number: str
    carrier: str = ""
    lines: list[ShipmentLineData] | None = None  # None: everything in the order
    status: str = ""  # canonical status of the parcel at export time, recorded as an import event
    status_at: datetime | None = None


@dataclass
class ImportRecord:
    line_numbers: list[int]
    order: OrderData
    shipments: list[ShipmentImport] = field(default_factory=list)


@dataclass
class ImportReport:
    orders: int = 0
    order_lines: int = 0
    shipments: int = 0
    errors: list[tuple[list[int], str]] = field(default_factory=list)

    def skip(self, line_numbers: list[int], message: str) -> None:
        self.errors.append((line_numbers, message))


class ImportAborted(Exception):
    def __init__(self, report: ImportReport):
        super().__init__(f"{len(report.errors)} problem(s); nothing was imported")
        self.report = report


def _errors_text(errors: dict) -> str:
    return "; ".join(f"{path}: {' '.join(map(str, msgs))}" for path, msgs in errors.items())


def _plan_shipments(record: ImportRecord, lines: list[dict], taken: set) -> list[tuple[ShipmentImport, str, str, list]]:
    """Validate a record's parcels against its own lines. Returns (parcel, carrier, number, [(line idx, qty)])."""
    index_by_sku = {values["sku"]: i for i, values in enumerate(lines)}
    left = [values["quantity"] for values in lines]
    plans = []
    for n, parcel in enumerate(record.shipments):
        number = normalize_tracking_number(parcel.tracking_number)
        carrier = carrier_resolve(tracking_number=number, carrier=parcel.carrier)
        if (carrier, number) in taken:
            raise Conflict(f"shipments.{n}: tracking number {number} is already registered", field="tracking_number")
        taken.add((carrier, number))
        if parcel.status and parcel.status not in st.ALL:
            raise ValidationError({f"shipments.{n}.status": [f"not a canonical status: {parcel.status!r}"]})
        wanted = []
        items = parcel.lines if parcel.lines is not None else [
            ShipmentLineData(sku=v["sku"], quantity=left[i]) for i, v in enumerate(lines) if left[i] > 0]
        for item in items:
            i = index_by_sku.get(item.sku)
            if i is None or item.quantity <= 0 or item.quantity > left[i]:
                raise ValidationError({f"shipments.{n}.lines": [f"{item.sku} × {item.quantity} exceeds the order"]})
            left[i] -= item.quantity
            wanted.append((i, item.quantity))
        if not wanted:
            raise ValidationError({f"shipments.{n}.lines": ["nothing to ship"]})
        plans.append((parcel, carrier, number, wanted))
    return plans


def _status_fields(parcel: ShipmentImport, placed_at: datetime) -> dict:
    if not parcel.status:
        return {}
    at = parcel.status_at or placed_at
    derived = st.derive_status([TrackingEvent(occurred_at=at, status=parcel.status)])
    fields = {"status": derived.status, "last_event_at": at}
    if derived.status == st.DELIVERED:
        fields["delivered_at"] = at
    if derived.status not in (st.PENDING, st.INFO_RECEIVED):
        fields["shipped_at"] = at
    return fields


def _import_batch(*, merchant: Merchant, records: list[ImportRecord], report: ImportReport) -> None:
    skus = {line.sku for r in records for line in r.order.lines}
    variants = {v.sku: v for v in ProductVariant.objects.select_related("product").filter(merchant=merchant, sku__in=skus)}
    numbers = {r.order.number for r in records}
    existing_numbers = set(Order.objects.filter(merchant=merchant, number__in=numbers).values_list("number", flat=True))
    candidate_numbers = {normalize_tracking_number(p.tracking_number) for r in records for p in r.shipments}
    taken = set(Shipment.objects.filter(tracking_number__in=candidate_numbers).values_list("carrier", "tracking_number"))

    accepted = []  # (record, line values, header, shipment plans)
    seen_numbers: set[str] = set()
    for record in records:
        order = record.order
        try:
            if order.number in existing_numbers or order.number in seen_numbers:
                raise Conflict(f"order {order.number} already exists (use the API to update it)", field="number")
            errors = order_validate(data=order, variants=variants)
            if errors:
                raise ValidationError(errors)
            lines = _line_values(order, variants)
            header = order_header_values(order, lines)
            if header["total"] < 0:
                raise ValidationError({"total": ["negative"]})
            plans = _plan_shipments(record, lines, taken)
        except ValidationError as exc:
            report.skip(record.line_numbers, f"order {order.number}: {_errors_text(exc.message_dict)}")
            continue
        except Conflict as exc:
            report.skip(record.line_numbers, f"order {order.number}: {exc.message}")
            continue
        seen_numbers.add(order.number)
        accepted.append((record, lines, header, plans))
    if not accepted:
        return

    emails = {r.order.customer.email.strip().lower() for r, *_ in accepted}
    customers = {c.email: c for c in Customer.objects.filter(merchant=merchant, email__in=emails)}
    new_customers = []
    for record, *_ in accepted:
        email = record.order.customer.email.strip().lower()
        if email not in customers:
            customers[email] = Customer(merchant=merchant, email=email, name=record.order.customer.name)
            new_customers.append(customers[email])
    Customer.objects.bulk_create(new_customers)

    orders = [Order(merchant=merchant, number=r.order.number, source=Order.Source.IMPORT,
                    customer=customers[r.order.customer.email.strip().lower()], **header)
              for r, _lines, header, _plans in accepted]
    Order.objects.bulk_create(orders)
    order_lines = []
    for order, (_record, lines, _header, _plans) in zip(orders, accepted):
        order_lines.append([OrderLine(order=order, **values) for values in lines])
    OrderLine.objects.bulk_create([line for group in order_lines for line in group])

    shipments, shipment_lines, events = [], [], []
    for order, group, (record, _lines, _header, plans) in zip(orders, order_lines, accepted):
        for parcel, carrier, number, wanted in plans:
            shipment = Shipment(merchant=merchant, order=order, carrier=carrier, tracking_number=number,
                                destination_postal_code=order.ship_postal_code,
                                destination_country=order.ship_country,
                                **_status_fields(parcel, order.placed_at))
            shipments.append(shipment)
            shipment_lines += [ShipmentLine(shipment=shipment, order_line=group[i], quantity=q) for i, q in wanted]
            if parcel.status:
                events.append(TrackingEvent(shipment=shipment, occurred_at=shipment.last_event_at, status=parcel.status,
                                            source=TrackingEvent.Source.IMPORT, dedupe_key=f"import:{parcel.status}",
                                            carrier_text="Imported history"))
    Shipment.objects.bulk_create(shipments)
    for line in shipment_lines:
        line.shipment_id = line.shipment.pk
    ShipmentLine.objects.bulk_create(shipment_lines)
    for event in events:
        event.shipment_id = event.shipment.pk
    TrackingEvent.objects.bulk_create(events)
    report.orders += len(orders)
    report.order_lines += sum(len(group) for group in order_lines)
    report.shipments += len(shipments)


def _import_one_by_one(*, merchant: Merchant, records: list[ImportRecord], report: ImportReport) -> None:
    """The slow, precise path after a batch failed in the database: each record alone, via the services."""
    for record in records:
        try:
            with transaction.atomic():
                if Order.objects.filter(merchant=merchant, number=record.order.number).exists():
                    raise Conflict(f"order {record.order.number} already exists")
                order, _ = order_upsert(merchant=merchant, data=record.order, source=Order.Source.IMPORT)
                for parcel in record.shipments:
                    shipment_create(merchant=merchant, data=ShipmentData(
                        order_number=order.number, tracking_number=parcel.tracking_number, carrier=parcel.carrier,
                        lines=parcel.lines))
        except ValidationError as exc:
            report.skip(record.line_numbers, f"order {record.order.number}: {_errors_text(exc.message_dict)}")
        except (Conflict, DatabaseError) as exc:
            report.skip(record.line_numbers, f"order {record.order.number}: {exc}")
        else:
            report.orders += 1
            report.order_lines += len(record.order.lines)
            report.shipments += len(record.shipments)


def orders_import(*, merchant: Merchant, records: Iterable[ImportRecord | tuple[list[int], str]],
                  batch_size: int = 500, atomic: bool = False) -> ImportReport:
    """Import records (or (line numbers, error) pairs from the reader, reported as skipped)."""
    report = ImportReport()

    def run():
        batch: list[ImportRecord] = []
        for item in records:
            if isinstance(item, tuple):
                report.skip(*item)
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                flush(batch)
                batch = []
        if batch:
            flush(batch)

    def flush(batch):
        if atomic:
            _import_batch(merchant=merchant, records=batch, report=report)
            return
        errors_before = len(report.errors)
        try:
            with transaction.atomic():
                _import_batch(merchant=merchant, records=batch, report=report)
        except DatabaseError:
            del report.errors[errors_before:]  # the precise path below reports this batch again
            _import_one_by_one(merchant=merchant, records=batch, report=report)

    if atomic:
        try:
            with transaction.atomic():
                run()
                if report.errors:
                    raise ImportAborted(report)
        except DatabaseError as exc:
            report.skip([], f"database error: {exc}")
            raise ImportAborted(report) from exc
    else:
        run()
    return report

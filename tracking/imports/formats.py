"""Reading order history files (CSV or JSON Lines) into ImportRecords for services.imports.

CSV: one row per order line; rows sharing ``order_number`` make one order. Columns (required first):
  order_number, placed_at, currency, customer_email, ship_postal_code, ship_country, sku, quantity,
  unit_price, customer_name, ship_name, ship_line1, ship_line2, ship_city, ship_region, shipping_total,
  tax_total, discount_total, total, payment_gateway, payment_reference,
  tracking_number, carrier, shipment_status, shipment_status_at   (a line ships in that parcel)
JSONL: one order per line, shaped like the body of POST /api/v1/orders/, plus optional
  "shipments": [{"tracking_number", "carrier", "lines": [{"sku", "quantity"}], "status", "status_at"}].
Parsing is deliberately plain Python (no serializers): it is the hot loop of a bulk import."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from tracking.services.fulfilments import ShipmentLineData
from tracking.imports.services import ImportRecord, ShipmentImport
from tracking.services.orders import AddressData, CustomerData, OrderData, OrderLineData

CSV_REQUIRED = ("order_number", "placed_at", "currency", "customer_email", "ship_postal_code", "ship_country",
                "sku", "quantity")


class RowError(ValueError):
    pass


def _datetime(value, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"{field}: not an ISO 8601 date-time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _decimal(value, field: str, default=None) -> Decimal | None:
    if value in (None, ""):
        return default
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RowError(f"{field}: not a number: {value!r}") from None


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RowError(f"{field}: not a whole number: {value!r}") from None


def _text(row: dict, field: str, required: bool = False) -> str:
    value = row.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise RowError(f"{field}: required")
    return value


def _order(row: dict, lines: list[OrderLineData]) -> OrderData:
    address = row.get("shipping_address") if isinstance(row.get("shipping_address"), dict) else {
        "name": row.get("ship_name"), "line1": row.get("ship_line1"), "line2": row.get("ship_line2"),
        "city": row.get("ship_city"), "region": row.get("ship_region"),
        "postal_code": row.get("ship_postal_code"), "country": row.get("ship_country")}
    customer = row.get("customer") if isinstance(row.get("customer"), dict) else {
        "email": row.get("customer_email"), "name": row.get("customer_name")}
    zero = Decimal("0")
    return OrderData(
        number=_text(row, "number" if "number" in row else "order_number", required=True),
        placed_at=_datetime(row.get("placed_at"), "placed_at"),
        currency=_text(row, "currency", required=True).upper(),
        customer=CustomerData(email=_text(customer, "email", required=True).lower(), name=_text(customer, "name")),
        shipping_address=AddressData(
            postal_code=_text(address, "postal_code", required=True), country=_text(address, "country", required=True),
            name=_text(address, "name"), line1=_text(address, "line1"), line2=_text(address, "line2"),
            city=_text(address, "city"), region=_text(address, "region")),
        lines=lines,
        subtotal=_decimal(row.get("subtotal"), "subtotal"),
        shipping_total=_decimal(row.get("shipping_total"), "shipping_total", zero),
        tax_total=_decimal(row.get("tax_total"), "tax_total", zero),
        discount_total=_decimal(row.get("discount_total"), "discount_total", zero),
        total=_decimal(row.get("total"), "total"),
        payment_gateway=_text(row, "payment_gateway"), payment_reference=_text(row, "payment_reference"),
    )


def _line(row: dict) -> OrderLineData:
    return OrderLineData(sku=_text(row, "sku", required=True), quantity=_int(row.get("quantity"), "quantity"),
                         unit_price=_decimal(row.get("unit_price"), "unit_price"), title=_text(row, "title"))


def read_csv(stream) -> Iterator[ImportRecord | tuple[list[int], str]]:
    """Yields ImportRecords, or (line numbers, error) for orders that could not be read."""
    reader = csv.DictReader(stream)
    missing = [c for c in CSV_REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise RowError(f"missing CSV columns: {', '.join(missing)}")
    groups: dict[str, list[tuple[int, dict]]] = {}
    for row in reader:
        groups.setdefault((row.get("order_number") or "").strip(), []).append((reader.line_num, row))
    for number, rows in groups.items():
        line_numbers = [n for n, _ in rows]
        try:
            lines = [_line(row) for _, row in rows]
            order = _order(rows[0][1], lines)
            parcels: dict[str, ShipmentImport] = {}
            for _, row in rows:
                tracking_number = _text(row, "tracking_number")
                if not tracking_number:
                    continue
                parcel = parcels.get(tracking_number)
                if parcel is None:
                    status_at = row.get("shipment_status_at")
                    parcel = parcels[tracking_number] = ShipmentImport(
                        tracking_number=tracking_number, carrier=_text(row, "carrier"), lines=[],
                        status=_text(row, "shipment_status"),
                        status_at=_datetime(status_at, "shipment_status_at") if status_at else None)
                parcel.lines.append(ShipmentLineData(sku=_text(row, "sku"),
                                                     quantity=_int(row.get("quantity"), "quantity")))
            yield ImportRecord(line_numbers=line_numbers, order=order, shipments=list(parcels.values()))
        except RowError as exc:
            yield line_numbers, f"order {number!r}: {exc}"


def read_jsonl(stream) -> Iterator[ImportRecord | tuple[list[int], str]]:
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
            if not isinstance(row, dict):
                raise RowError("each line must be a JSON object")
            lines = [_line(item) for item in row.get("lines") or []]
            shipments = []
            for parcel in row.get("shipments") or []:
                shipments.append(ShipmentImport(
                    tracking_number=_text(parcel, "tracking_number", required=True), carrier=_text(parcel, "carrier"),
                    lines=[ShipmentLineData(sku=_text(i, "sku", required=True), quantity=_int(i.get("quantity"), "quantity"))
                           for i in parcel["lines"]] if parcel.get("lines") is not None else None,
                    status=_text(parcel, "status"),
                    status_at=_datetime(parcel["status_at"], "status_at") if parcel.get("status_at") else None))
            yield ImportRecord(line_numbers=[number], order=_order(row, lines), shipments=shipments)
        except (RowError, json.JSONDecodeError, AttributeError, TypeError, KeyError) as exc:
            yield [number], f"line {number}: {exc}"

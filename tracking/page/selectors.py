"""Reads behind the shopper pages: order lookup, the order page's data, its cache version and the
tracking-number-only journey. A fixed number of queries whatever the length of the event logs."""
from __future__ import annotations

import hashlib
import hmac
import re

from django.db import connection
from django.db.models import Prefetch
from django.utils.translation import get_language

from tracking.carriers.status import DELIVERED, EXCEPTION, FAILED_ATTEMPT
from tracking.models.orders import number_key
from tracking.models import (
    DelayCase,
    DeliveryRequest,
    Merchant,
    NotificationCategory,
    NotificationOptOut,
    Order,
    OrderLine,
    Product,
    ProductVariant,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)

MAX_MATCHES = 20


def normalise_postal_code(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def _verification_value(order: Order | None, *, by_email: bool) -> str:
    if order is None:
        return "\0no-order"  # never equal to normalised input, compared anyway (same work)
    return order.customer.email.strip().lower() if by_email else normalise_postal_code(order.ship_postal_code)


def orders_matching(*, number: str, secret: str, merchant: Merchant | None) -> list[Order]:
    """Orders with this number whose email (when ``secret`` has an @) or destination postal code
    matches. One query and at least one constant-time comparison whether or not the number exists,
    so a wrong email and an unknown order cost the same."""
    key = number_key(number)
    if not key:
        return []
    queryset = Order.objects.filter(number_key=key).select_related("customer", "merchant")
    if merchant is not None:
        queryset = queryset.filter(merchant=merchant)
    candidates = list(queryset.order_by("-placed_at")[:MAX_MATCHES])
    by_email = "@" in secret
    given = (secret.strip().lower() if by_email else normalise_postal_code(secret)).encode()
    matched = []
    for order in candidates or [None]:
        expected = _verification_value(order, by_email=by_email).encode()
        if hmac.compare_digest(expected, given) and order is not None:
            matched.append(order)
    return matched


# Hand-written because it runs whenever a page's cached version is cold: compiling the equivalent
# ORM query costs more than running it, and one join + GROUP BY plans several times faster than
# correlated subqueries. Plain SQL that SQLite and PostgreSQL both accept; table names come from
# the models.
_VERSION_SQL = """
SELECT o.updated_at, MAX(s.updated_at), COUNT(s.id),
  (SELECT COUNT(*) FROM {opt_out} x WHERE x.customer_id = o.customer_id AND x.category = %s),
  m.id, m.updated_at, m.timezone
FROM {order} o JOIN {merchant} m ON m.id = o.merchant_id LEFT JOIN {shipment} s ON s.order_id = o.id
WHERE o.id = %s
GROUP BY o.id, m.id
"""


def _version_sql() -> str:
    return _VERSION_SQL.format(shipment=Shipment._meta.db_table, opt_out=NotificationOptOut._meta.db_table,
                               order=Order._meta.db_table, merchant=Merchant._meta.db_table)


def _digest(values) -> str:
    return hashlib.blake2b(repr(values).encode(), digest_size=8).hexdigest()


def order_page_version_parts(*, order_id: int) -> tuple[str, int, str, str] | None:
    """(order digest, merchant id, merchant digest, merchant time zone) derived from the rows the
    order page shows, or None when the order does not exist. One query.

    The order digest changes with a new event (it bumps its shipment's updated_at), a new
    prediction, a delivery request (its services touch the shipment too), the shopper's email
    preference; the merchant digest with the merchant's branding. tracking.page.versions keeps
    these in the cache and replaces them with fresh tokens on every write it hears of."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(), [NotificationCategory.SHIPPING.value, order_id])
        row = cursor.fetchone()
    if row is None:
        return None
    return _digest(row[:4]), row[4], _digest(row[5:]), row[6]


def order_page_version(*, order_id: int) -> tuple[str, str] | None:
    """The rows' version straight from the database: (digest, merchant time zone) or None."""
    parts = order_page_version_parts(order_id=order_id)
    if parts is None:
        return None
    return f"{parts[0]}.{parts[2]}", parts[3]


# The order page shows each parcel's latest events; the rest behind a "show all" link.
TIMELINE_LATEST = 5


def _table(model) -> str:
    return model._meta.db_table


def _page_sql() -> dict[str, str]:
    """The order page's reads as plain SQL run through Model.objects.raw(): the same columns and
    type conversions as the ORM, without compiling five querysets and a prefetch on every view
    (that compilation cost more than the queries). Built once per process."""
    order, merchant, shipment = _table(Order), _table(Merchant), _table(Shipment)
    event, line, request = _table(TrackingEvent), _table(ShipmentLine), _table(DeliveryRequest)
    return {
        "order": f"""SELECT o.*, EXISTS(SELECT 1 FROM {_table(NotificationOptOut)} x
                       WHERE x.customer_id = o.customer_id AND x.category = %s) AS shipping_emails_off
                     FROM {order} o WHERE o.id = %s""",
        "merchant": f"SELECT * FROM {merchant} WHERE id = %s",
        "shipments": f"""SELECT * FROM {shipment} WHERE order_id = %s AND is_return = %s
                         ORDER BY created_at, id""",
        # Newest first per parcel, at most %s of them plus every delivery scan (proof of delivery),
        # with each parcel's total for the "show all" link.
        "events": f"""SELECT * FROM (
                        SELECT e.*, ROW_NUMBER() OVER (PARTITION BY e.shipment_id
                                                       ORDER BY e.occurred_at DESC, e.id DESC) AS page_rank,
                               COUNT(*) OVER (PARTITION BY e.shipment_id) AS page_total
                        FROM {event} e JOIN {shipment} s ON s.id = e.shipment_id
                        WHERE s.order_id = %s AND s.is_return = %s) ranked
                      WHERE page_rank <= %s OR status = %s
                      ORDER BY shipment_id, page_rank""",
        # The product's Korean title when the store has one: a Korean page names items in Korean.
        "lines": f"""SELECT sl.*, ol.title AS order_line_title, p.title_ko AS product_title_ko FROM {line} sl
                     JOIN {_table(OrderLine)} ol ON ol.id = sl.order_line_id
                     JOIN {shipment} s ON s.id = sl.shipment_id
                     LEFT JOIN {_table(ProductVariant)} v ON v.id = ol.variant_id
                     LEFT JOIN {_table(Product)} p ON p.id = v.product_id
                     WHERE s.order_id = %s ORDER BY sl.id""",
        # Open delay cases: the banner's kind and a stopped parcel's promised follow-up date.
        "cases": f"""SELECT c.* FROM {_table(DelayCase)} c JOIN {shipment} s ON s.id = c.shipment_id
                     WHERE s.order_id = %s AND s.is_return = %s AND c.resolved_at IS NULL""",
        # The shopper sees their latest request per parcel.
        "requests": f"""SELECT * FROM (
                          SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.shipment_id
                                                         ORDER BY r.created_at DESC, r.id DESC) AS page_rank
                          FROM {request} r JOIN {shipment} s ON s.id = r.shipment_id
                          WHERE s.order_id = %s) ranked
                        WHERE page_rank = 1""",
    }


_PAGE_SQL: dict[str, str] = {}


def order_for_page(*, order_id: int, events_per_parcel: int | None = TIMELINE_LATEST) -> Order | None:
    """The order, its merchant and its outgoing parcels, each parcel with ``page_events`` (newest
    first: the latest ``events_per_parcel``, or all when None, plus any delivery scan),
    ``page_event_total``, ``page_items`` [(title, quantity)], ``page_request`` (the latest
    delivery request or None) and ``page_case`` (its open delay case or None). Six queries for any
    number of events, a seventh when a parcel is late or stopped."""
    sql = _PAGE_SQL or _PAGE_SQL.update(_page_sql()) or _PAGE_SQL
    order = next(iter(Order.objects.raw(sql["order"], [NotificationCategory.SHIPPING.value, order_id])), None)
    if order is None:
        return None
    order.shipping_emails_off = bool(order.shipping_emails_off)
    order.merchant = next(iter(Merchant.objects.raw(sql["merchant"], [order.merchant_id])))
    shipments = list(Shipment.objects.raw(sql["shipments"], [order_id, False]))
    by_id = {}
    for shipment in shipments:
        shipment.merchant, shipment.order = order.merchant, order
        shipment.page_events, shipment.page_event_total, shipment.page_items = [], 0, []
        shipment.page_request = shipment.page_case = None
        by_id[shipment.pk] = shipment
    if not shipments:
        order.page_shipments = []
        return order
    limit = events_per_parcel if events_per_parcel is not None else 2**31 - 1
    for event in TrackingEvent.objects.raw(sql["events"], [order_id, False, limit, DELIVERED]):
        shipment = by_id[event.shipment_id]
        shipment.page_event_total = event.page_total
        event.in_timeline = event.page_rank <= limit
        shipment.page_events.append(event)
    korean = (get_language() or "").startswith("ko")
    for line in ShipmentLine.objects.raw(sql["lines"], [order_id]):
        if line.shipment_id in by_id:
            title = line.product_title_ko if korean and line.product_title_ko else line.order_line_title
            by_id[line.shipment_id].page_items.append((title, line.quantity))
    for request in DeliveryRequest.objects.raw(sql["requests"], [order_id]):
        if request.shipment_id in by_id:
            by_id[request.shipment_id].page_request = request
    if any(s.is_delayed or s.status in (EXCEPTION, FAILED_ATTEMPT) for s in shipments):
        for case in DelayCase.objects.raw(sql["cases"], [order_id, False]):
            by_id[case.shipment_id].page_case = case
    order.page_shipments = shipments
    return order


TRACKING_NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{6,40}$")


def shipments_for_tracking_number(*, tracking_number: str, merchant: Merchant | None) -> list[Shipment]:
    """Parcels with this number (several carriers may reuse one), events prefetched."""
    number = tracking_number.strip()
    queryset = Shipment.objects.filter(tracking_number__in={number, number.upper()}, is_return=False)
    if merchant is not None:
        queryset = queryset.filter(merchant=merchant)
    return list(queryset.select_related("merchant").prefetch_related(
        Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id")),
        Prefetch("delay_cases", queryset=DelayCase.objects.filter(resolved_at__isnull=True), to_attr="open_cases"),
    )[:5])


def merchant_for_lookup(slug: str | None) -> Merchant | None:
    """The merchant whose lookup page this is: by slug, or the only merchant of a single-store install."""
    if slug:
        return Merchant.objects.filter(slug=slug).first()
    only = list(Merchant.objects.all()[:2])
    return only[0] if len(only) == 1 else None

"""The order page's cache version, kept in the shared cache so a cached page view needs no SQL.

Two keys make up the version of one order's page:

* ``orderpage:ver:o:<order id>`` = "<token>|<merchant id>": changes when the order, its parcels,
  their events, contents or delivery requests, or the shopper's email preference change;
* ``orderpage:ver:m:<merchant id>`` = "<token>|<time zone>": changes when the merchant's branding,
  contacts or time zone change (one key for all of a merchant's orders: a branding edit must not
  touch every order).

Writes bump them (tracking/page/receivers.py, on model saves/deletes) with a fresh random token,
once at once and once more after the transaction commits: a reader that rendered the old rows
between the two bumps cached them under a token nobody asks for any more. A cold or expired key
is filled from the rows themselves (selectors.order_page_version_parts, one query) with ``add``,
so it never overwrites a newer bump.

The keys expire after DOORSTEP_PAGE_VERSION_SECONDS: a write that bypasses model signals
(``QuerySet.update``) but moves an ``updated_at`` still shows within that time.

Each process also holds a version it has read for DOORSTEP_PAGE_VERSION_LOCAL_SECONDS (default 1 s),
so a page reloaded again and again (a shopper waiting for an "out for delivery" parcel) costs no
cache round trip at all. A bump made by this process drops its own held copies at once; a bump made elsewhere
(a Celery worker applying a carrier event, another web process) shows here within that hold, a
small delay beside the carrier's own. A shopper's own write is never hidden by it: the form views
leave a one-off message, and a page with messages is rendered from the rows."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from tracking.memo import Memo
from tracking.page.selectors import order_page_version_parts

ORDER_KEY = "orderpage:ver:o:{}"
MERCHANT_KEY = "orderpage:ver:m:{}"

# An order never changes merchant, so each process remembers which merchant an order belongs to
# and asks the cache for both keys in one round trip.
_merchant_of = Memo("order -> merchant", maxsize=50_000)
# order id -> (version, time zone), held for DOORSTEP_PAGE_VERSION_LOCAL_SECONDS
_held = Memo("held order page versions", maxsize=50_000)


def _hold(order_id: int, version: str, tz_name: str) -> None:
    _held.set(order_id, (version, tz_name), ttl=settings.DOORSTEP_PAGE_VERSION_LOCAL_SECONDS)


def _ttl() -> int:
    return settings.DOORSTEP_PAGE_VERSION_SECONDS


def page_version(*, order_id: int) -> tuple[str, str] | None:
    """(version, merchant time zone) of the order's page, or None when the order does not exist.
    Held by this process: no round trip; warm: one cache round trip, no SQL."""
    held = _held.get(order_id)
    if held is not None:
        return held
    okey = ORDER_KEY.format(order_id)
    merchant_id = _merchant_of.get(order_id)
    if merchant_id is not None:
        mkey = MERCHANT_KEY.format(merchant_id)
        found = cache.get_many([okey, mkey])
        order_value, merchant_value = found.get(okey), found.get(mkey)
        if order_value is not None and int(order_value.rpartition("|")[2]) != merchant_id:
            # SQLite may hand a deleted order's id to a new order of another merchant.
            merchant_id = int(order_value.rpartition("|")[2])
            merchant_value = cache.get(MERCHANT_KEY.format(merchant_id))
            _merchant_of.set(order_id, merchant_id)
    else:
        order_value, merchant_value = cache.get(okey), None
        if order_value is not None:
            merchant_id = int(order_value.rpartition("|")[2])
            merchant_value = cache.get(MERCHANT_KEY.format(merchant_id))
    if order_value is None or merchant_value is None:
        parts = order_page_version_parts(order_id=order_id)
        if parts is None:
            return None
        order_digest, merchant_id, merchant_digest, tz_name = parts
        if order_value is None:
            order_value = f"{order_digest}|{merchant_id}"
            cache.add(okey, order_value, _ttl())
        if merchant_value is None:
            merchant_value = f"{merchant_digest}|{tz_name}"
            cache.add(MERCHANT_KEY.format(merchant_id), merchant_value, _ttl())
    if _merchant_of.get(order_id) != merchant_id:
        _merchant_of.set(order_id, merchant_id)
    merchant_token, _, tz_name = merchant_value.partition("|")
    version = f"{order_value.partition('|')[0]}.{merchant_token}"
    _hold(order_id, version, tz_name)
    return version, tz_name


def _bump_now(order_merchants: dict[int, int], merchant_tz: dict[int, str]) -> None:
    values = {ORDER_KEY.format(o): f"{uuid.uuid4().hex[:16]}|{m}" for o, m in order_merchants.items()}
    values.update({MERCHANT_KEY.format(m): f"{uuid.uuid4().hex[:16]}|{tz}" for m, tz in merchant_tz.items()})
    if values:
        cache.set_many(values, _ttl())
    if merchant_tz:
        _held.clear()  # branding edits are rare; which held orders are that merchant's is not worth tracking
    for order_id in order_merchants:
        _held.pop(order_id)


def page_versions_bump(*, orders: Iterable[tuple[int, int]] = (), merchants: Iterable[tuple[int, str]] = ()) -> None:
    """New versions for these (order id, merchant id) and (merchant id, time zone) pairs: now, and
    again once the surrounding transaction commits (see the module docstring)."""
    order_merchants, merchant_tz = dict(orders), dict(merchants)
    if not order_merchants and not merchant_tz:
        return
    _bump_now(order_merchants, merchant_tz)
    transaction.on_commit(lambda: _bump_now(order_merchants, merchant_tz))


def order_page_changed(*, order_id: int) -> None:
    """For writes model signals do not see (QuerySet.update, rows of other apps shown on the page,
    e.g. the NPS survey block): the order's page is rebuilt on its next view."""
    from tracking.models import Order

    merchant_id = Order.objects.filter(pk=order_id).values_list("merchant_id", flat=True).first()
    if merchant_id is not None:
        page_versions_bump(orders=[(order_id, merchant_id)])

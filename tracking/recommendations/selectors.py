"""Reads for shopper pages and dashboards.

Page API (tracking page, exchange step, return confirmation)::

    recs = recommendations_for_order(order=order, limit=4, placement="tracking")   # 1 SQL query
    offer = post_purchase_offer_for_order(order=order)                            # None or ShownOffer

    {% include "tracking/partials/recommendations.html" with recs=recs %}
    {% include "tracking/partials/post_purchase_offer.html" with offer=offer %}
"""
from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import (BooleanField, Case, CharField, Count, DateTimeField, DecimalField, Exists,
                              ExpressionWrapper, F, FloatField, IntegerField, OuterRef, Q, Subquery, Sum, Value, When)
from django.utils import timezone, translation

from tracking.models import Merchant, Order, OrderLine, Product, ProductVariant, Shipment

from tracking.recommendations import algorithm, troubles
from tracking.recommendations.formatting import format_price
from tracking.recommendations.links import click_url
from tracking.recommendations.models import (OfferImpression, Placement, PostPurchaseOffer, ProductRecommendation, RecommendationClick,
                     RecommendationImpression, RecommendationSettings)
from tracking.recommendations.services import offer_impression_record
from tracking.recommendations.tasks import log_recommendation_impression

Kind = ProductRecommendation.Kind


def _language(language: str | None) -> str:
    return (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


# --- Recommendations widget -------------------------------------------------------------------------

@dataclass(frozen=True)
class Recommendation:
    product_id: int
    title: str
    image_url: str
    price: Decimal | None
    currency: str
    price_display: str
    in_stock: bool
    click_url: str


@dataclass
class Recommendations:
    """What the partial renders; falsy (renders nothing) when there is nothing to show."""

    items: list[Recommendation] = field(default_factory=list)
    placement: str = Placement.TRACKING
    impression_id: uuid.UUID | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)


_COLUMNS = ["c_kind", "c_seed", "c_category", "c_in_order", "c_rec", "c_score", "c_title", "c_title_ko", "c_image",
            "c_stock", "c_price", "c_currency"]


def _widget_query(order: Order):
    """One statement: the trained rows for everything the customer bought at this merchant, their
    categories and the merchant's best-sellers (with title, stock and cheapest in-stock price), UNION the
    customer's purchased products themselves (the seeds, flagged when in this order)."""
    merchant_id = order.merchant_id
    customer_lines = OrderLine.objects.filter(order__merchant_id=merchant_id, order__customer_id=order.customer_id)
    bought = customer_lines.values("variant__product_id")
    bought_categories = Product.objects.filter(merchant_id=merchant_id, pk__in=bought).values("category")
    variants = ProductVariant.objects.filter(merchant_id=merchant_id, product_id=OuterRef("recommended_product_id"))
    best_variant = variants.order_by(Case(When(stock__gt=0, then=Value(0)), default=Value(1)), "price", "pk")
    rows = (
        ProductRecommendation.objects.filter(merchant_id=merchant_id, recommended_product__is_active=True)
        .filter(Q(kind=Kind.ITEM, product_id__in=bought) | Q(kind=Kind.CATEGORY, category__in=bought_categories)
                | Q(kind=Kind.POPULAR))
        .exclude(recommended_product_id__in=bought)
        .exclude(merchant__recommendation_settings__widget_enabled=False)
        .annotate(
            c_kind=F("kind"), c_seed=F("product_id"), c_category=F("category"),
            c_in_order=Exists(OrderLine.objects.filter(order_id=order.pk, variant__product_id=OuterRef("product_id"))),
            c_rec=F("recommended_product_id"), c_score=F("score"),
            c_title=F("recommended_product__title"), c_title_ko=F("recommended_product__title_ko"),
            c_image=F("recommended_product__image_url"),
            c_stock=Subquery(variants.order_by().values("product_id").annotate(total=Sum("stock")).values("total")[:1]),
            c_price=Subquery(best_variant.values("price")[:1]),
            c_currency=Subquery(best_variant.values("currency")[:1]),
        ).order_by().values_list(*_COLUMNS)
    )
    seeds = (
        customer_lines.annotate(
            c_kind=Value("seed", output_field=CharField()), c_seed=F("variant__product_id"),
            c_category=F("variant__product__category"),
            c_in_order=ExpressionWrapper(Q(order_id=order.pk), output_field=BooleanField()),
            c_rec=Value(None, output_field=IntegerField()), c_score=Value(None, output_field=FloatField()),
            c_title=Value(None, output_field=CharField()), c_title_ko=Value(None, output_field=CharField()),
            c_image=Value(None, output_field=CharField()), c_stock=Value(None, output_field=IntegerField()),
            c_price=Value(None, output_field=DecimalField()), c_currency=Value(None, output_field=CharField()),
        ).order_by().values_list(*_COLUMNS)
    )
    return rows.union(seeds, all=True)


def recommendations_for_order(*, order: Order, limit: int = 4, placement: str = Placement.TRACKING,
                              language: str | None = None, log_impression: bool = True) -> Recommendations:
    """Up to ``limit`` products for the shopper of ``order``, in one SQL query.

    Never a product the customer bought (in any order at this merchant); active products only; in-stock
    ones first; titles in ``language`` (default: the active language) when the product has one; prices of
    the cheapest in-stock variant, formatted for its currency. Products deleted since training are gone
    with their rows (cascade). When something is shown and ``log_impression``, one impression row is
    written by a Celery task enqueued after commit, so the page itself does no write."""
    placement = Placement(placement)
    lang = _language(language)
    item_rows: dict[int, list] = defaultdict(list)
    category_rows: dict[str, list] = defaultdict(list)
    popular: list = []
    info: dict[int, tuple] = {}
    order_products: set[int] = set()
    history_products: set[int] = set()
    seed_categories: dict[int, str] = {}
    for kind, seed, category, in_order, rec, score, title, title_ko, image, stock, price, currency in _widget_query(order):
        if kind == "seed":
            (order_products if in_order else history_products).add(seed)
            seed_categories[seed] = category
            continue
        info[rec] = (title, title_ko, image, stock or 0, price, currency)
        if kind == Kind.ITEM:
            item_rows[seed].append((rec, score))
        elif kind == Kind.CATEGORY:
            category_rows[category].append((rec, score))
        else:
            popular.append((rec, score))
    bought = order_products | history_products
    ranked = algorithm.rank(
        item_rows=item_rows, category_rows=category_rows, popular=sorted(popular, key=lambda r: -r[1]),
        order_products=order_products, history_products=history_products - order_products,
        product_categories=seed_categories, exclude=bought, limit=limit,
        in_stock={pid: row[3] > 0 for pid, row in info.items()})
    if not ranked:
        return Recommendations(placement=placement)

    impression_id = uuid.uuid4()
    items = []
    for candidate in ranked:
        title, title_ko, image, stock, price, currency = info[candidate.product_id]
        items.append(Recommendation(
            product_id=candidate.product_id,
            title=title_ko if lang == "ko" and title_ko else title,
            image_url=image or "",
            price=price, currency=currency or "",
            price_display=format_price(price, currency, lang) if price is not None and currency else "",
            in_stock=stock > 0,
            click_url=click_url(merchant_id=order.merchant_id, product_id=candidate.product_id,
                                placement=placement, impression_id=impression_id),
        ))
    if log_impression:
        log_recommendation_impression.delay_on_commit(
            str(impression_id), order.merchant_id, order.pk, order.customer_id, str(placement),
            [item.product_id for item in items], timezone.now().isoformat())
    return Recommendations(items=items, placement=placement, impression_id=impression_id)


def cached_recommendations_for_order(*, order: Order, limit: int = 4, placement: str = Placement.TRACKING
                                     ) -> Recommendations:
    """``recommendations_for_order`` for a page that is rendered again and again (the tracking page,
    on every new event): kept in the cache per order, placement and language for
    DOORSTEP_RECS_PAGE_CACHE_SECONDS. What it depends on (training, the shopper's purchases, stock)
    moves on a scale of hours, and a reused block is the same impression, so it is logged once."""
    seconds = settings.DOORSTEP_RECS_PAGE_CACHE_SECONDS
    if seconds <= 0:
        return recommendations_for_order(order=order, limit=limit, placement=placement)
    key = f"recs:page:v1:{order.pk}:{Placement(placement)}:{_language(None)}:{limit}"
    recs = cache.get(key)
    if recs is None:
        recs = recommendations_for_order(order=order, limit=limit, placement=placement)
        cache.set(key, recs, seconds)
    return recs


# --- Post-purchase offer ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ShownOffer:
    headline: str
    discount_text: str
    code: str
    valid_until: date


@functools.cache
def _offer_sql() -> str:
    """The merchant's current offer with whether it was shown for this order and whether a parcel is
    in trouble. Hand-written (it runs on every render of the tracking page): compiling the ORM's
    version with its two EXISTS annotations cost more than running it. Same order as Meta.ordering."""
    statuses = ", ".join(["%s"] * len(troubles.TROUBLED_SHIPMENT_STATUSES))
    return f"""SELECT p.*,
                 EXISTS(SELECT 1 FROM {OfferImpression._meta.db_table} i
                        WHERE i.offer_id = p.id AND i.order_id = %s) AS already_shown,
                 EXISTS(SELECT 1 FROM {Shipment._meta.db_table} s
                        WHERE s.order_id = %s AND s.is_return = %s AND s.status IN ({statuses})) AS parcel_trouble
               FROM {PostPurchaseOffer._meta.db_table} p
               WHERE p.merchant_id = %s AND p.active = %s
               ORDER BY p.created_at DESC, p.id DESC
               LIMIT 1"""


def post_purchase_offer_for_order(*, order: Order, language: str | None = None) -> ShownOffer | None:
    """The merchant's active offer, the first time a page asks for this order (recorded, so it is shown
    once per order) — unless the order is troubled and the offer is not set to show anyway. A troubled
    order records nothing, so the offer appears once the trouble is resolved."""
    offer = next(iter(PostPurchaseOffer.objects.raw(_offer_sql(), [
        order.pk, order.pk, False, *sorted(troubles.TROUBLED_SHIPMENT_STATUSES), order.merchant_id, True])), None)
    if offer is None or bool(offer.already_shown):  # SQLite answers EXISTS with 0/1
        return None
    if not offer.show_when_order_troubled and (
            bool(offer.parcel_trouble) or troubles.registered_trouble(order.pk) is not None):
        return None
    impression = offer_impression_record(offer=offer, order=order)
    if impression is None:
        return None
    lang = _language(language)
    korean = lang == "ko"
    local_day = timezone.localtime(impression.shown_at).date()
    return ShownOffer(
        headline=offer.headline_ko if korean and offer.headline_ko else offer.headline,
        discount_text=offer.discount_text_ko if korean and offer.discount_text_ko else offer.discount_text,
        code=offer.code,
        valid_until=local_day + timedelta(days=offer.valid_days),
    )


# --- Metrics ----------------------------------------------------------------------------------------

def attribution_window_days(*, merchant: Merchant) -> int:
    configured = (RecommendationSettings.objects.filter(merchant=merchant)
                  .values_list("attribution_window_days", flat=True).first())
    return configured or settings.DOORSTEP_RECS_ATTRIBUTION_DAYS


def attributed_orders(*, merchant: Merchant, start: datetime, end: datetime, window_days: int | None = None):
    """Orders placed in [start, end) — any source — holding a product the same customer clicked in a
    recommendation at most ``window_days`` before the order was placed."""
    window = timedelta(days=window_days or attribution_window_days(merchant=merchant))
    click = RecommendationClick.objects.filter(
        merchant_id=merchant.pk, customer_id=OuterRef("customer_id"),
        product__variants__order_lines__order_id=OuterRef("pk"),
        clicked_at__lte=OuterRef("placed_at"),
        clicked_at__gte=ExpressionWrapper(OuterRef("placed_at") - Value(window), output_field=DateTimeField()),
    )
    return Order.objects.filter(merchant_id=merchant.pk, placed_at__gte=start, placed_at__lt=end).filter(Exists(click))


def recommendation_metrics(*, merchant: Merchant, start: datetime, end: datetime) -> dict:
    """Widget figures for [start, end), each a database aggregate:

    impressions (widget renders), clicks (click rows), clicked_impressions (renders with at least one
    click), ctr = clicked_impressions / impressions (Decimal, 4 places), attributed_orders and
    attributed_revenue (sum of those orders' totals in the merchant's currency, Decimal) with
    ``currency``; orders in other currencies are in ``attributed_revenue_by_currency``."""
    impressions = RecommendationImpression.objects.filter(
        merchant_id=merchant.pk, shown_at__gte=start, shown_at__lt=end).count()
    clicks = RecommendationClick.objects.filter(merchant_id=merchant.pk, clicked_at__gte=start, clicked_at__lt=end
                                                ).aggregate(clicks=Count("id"),
                                                            clicked=Count("impression_id", distinct=True))
    by_currency = {row["currency"]: (row["orders"], row["revenue"]) for row in
                   attributed_orders(merchant=merchant, start=start, end=end)
                   .order_by().values("currency").annotate(orders=Count("id"), revenue=Sum("total"))}
    ctr = (Decimal(clicks["clicked"]) / impressions).quantize(Decimal("0.0001")) if impressions else Decimal("0")
    return {
        "impressions": impressions,
        "clicks": clicks["clicks"],
        "clicked_impressions": clicks["clicked"],
        "ctr": ctr,
        "attributed_orders": sum(n for n, _ in by_currency.values()),
        "attributed_revenue": by_currency.get(merchant.currency, (0, Decimal("0")))[1],
        "currency": merchant.currency,
        "attributed_revenue_by_currency": {cur: rev for cur, (_, rev) in by_currency.items()},
    }

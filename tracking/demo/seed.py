"""The demo shop: two merchants, a year of orders, parcels in every mock-carrier scenario.

Deterministic (seeded) and idempotent: a merchant that already has orders is left alone. Everything
is written with bulk inserts; shipment status is derived from each parcel's events with the same
``derive_status`` the live pipeline uses, so the demo is what ingestion would have produced.
Signals are not sent: seeding a year of history must not email ten thousand shoppers.
"""
from __future__ import annotations

import random
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.templatetags.static import static
from django.utils import timezone

from tracking import extensions
from tracking.carriers import mock
from tracking.carriers import status as st
from tracking.carriers.detect import best_company
from tracking.demo.activity import seed_activity
from tracking.demo.images import product_image
from tracking.edd.carrier_table import carrier_transit_range
from tracking.edd.engine import delivery_calendar
from tracking.edd.promise import TABLE_CONFIDENCE, HandlingPolicy, promise_prediction, window_from_transit
from tracking.edd.types import BASIS_CARRIER_TABLE
from tracking.money import quantize
from tracking.models import (
    Customer,
    Merchant,
    Order,
    OrderLine,
    Product,
    ProductVariant,
    Shipment,
    ShipmentLine,
    TrackingEvent,
)
from tracking.services.shipments import NewEvent, apply_derived_fields, event_dedupe_key

BATCH = 2000
ROUTE_INDEX = {"kr": 0, "us": 1, "kr_us": 2}  # the mock picks a route from serial % 3


@dataclass(frozen=True)
class Destination:
    route: str
    city: str
    region: str
    country: str
    postal_prefix: str


@dataclass(frozen=True)
class DemoMerchant:
    slug: str
    name: str
    currency: str
    timezone: str
    locale: str
    country: str
    warehouse_postal_code: str
    primary_color: str
    accent_color: str
    font: str
    categories: dict[str, tuple[tuple[str, str], ...]]  # category -> (en noun, ko noun)
    price_range: tuple[int, int]
    destinations: tuple[tuple[Destination, float], ...]
    korean_names: bool
    customers: int
    orders: int
    extra: dict = field(default_factory=dict)


_ADJECTIVES = (("Classic", "클래식"), ("Everyday", "데일리"), ("Linen", "린넨"), ("Organic", "오가닉"),
               ("Wool", "울"), ("Minimal", "미니멀"), ("Heritage", "헤리티지"), ("Lightweight", "경량"),
               ("Soft", "소프트"), ("Handmade", "수제"))

MERCHANTS = (
    DemoMerchant(
        slug="hanok-home", name="Hanok Home", currency="KRW", timezone="Asia/Seoul", locale="ko", country="KR",
        warehouse_postal_code="04043", primary_color="#8a3b12", accent_color="#1f6f5c", font="serif",
        categories={
            "bedding": (("Duvet", "이불"), ("Pillow", "베개"), ("Sheet set", "침대 시트")),
            "kitchen": (("Tea cup", "찻잔"), ("Rice bowl", "밥그릇"), ("Chopstick set", "수저 세트")),
            "decor": (("Vase", "꽃병"), ("Candle", "캔들"), ("Wall hanging", "벽걸이")),
            "bath": (("Towel", "수건"), ("Bath robe", "목욕 가운"), ("Soap", "비누")),
            "lighting": (("Lamp", "조명"), ("Lantern", "랜턴")),
        },
        price_range=(8_000, 180_000),
        destinations=((Destination("kr", "Busan", "Haeundae-gu", "KR", "480"), 0.85),
                      (Destination("kr_us", "Evanston", "IL", "US", "602"), 0.15)),
        korean_names=True, customers=1000, orders=5000,
    ),
    DemoMerchant(
        slug="trailhead", name="Trailhead Outfitters", currency="USD", timezone="America/New_York", locale="en",
        country="US", warehouse_postal_code="90021", primary_color="#1d4ed8", accent_color="#047857", font="system",
        categories={
            "tents": (("Tent", "텐트"), ("Tarp", "타프"), ("Footprint", "그라운드시트")),
            "sleeping": (("Sleeping bag", "침낭"), ("Sleeping pad", "매트"), ("Camp pillow", "캠핑 베개")),
            "cooking": (("Stove", "스토브"), ("Cook pot", "코펠"), ("Mug", "머그")),
            "apparel": (("Rain jacket", "레인 재킷"), ("Fleece", "플리스"), ("Hiking socks", "등산 양말")),
            "packs": (("Daypack", "데이팩"), ("Backpack", "배낭"), ("Dry bag", "방수 가방")),
        },
        price_range=(12, 420),
        destinations=((Destination("us", "Brooklyn", "NY", "US", "112"), 1.0),),
        korean_names=False, customers=1000, orders=5000,
    ),
)

_KO_FAMILY = ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim")
_KO_GIVEN = ("Minji", "Seojun", "Jiwoo", "Haeun", "Doyun", "Seoyeon", "Jihoon", "Yuna", "Hyunwoo", "Soyeon")
_EN_FAMILY = ("Smith", "Johnson", "Garcia", "Miller", "Davis", "Lopez", "Wilson", "Moore", "Clark", "Hall")
_EN_GIVEN = ("Olivia", "Liam", "Emma", "Noah", "Ava", "Mason", "Mia", "Lucas", "Zoe", "Ethan")


@dataclass
class SeedReport:
    created: dict[str, int]
    skipped: list[str]
    demo_orders: list[dict]


def seed(*, now: datetime | None = None, scale: float = 1.0, seed: int = 20261122) -> SeedReport:
    """Create the demo merchants that do not exist yet. ``scale`` shrinks volumes for tests."""
    now = now or timezone.now()
    created: dict[str, int] = {"merchants": 0, "products": 0, "customers": 0, "orders": 0, "shipments": 0,
                               "events": 0}
    skipped = []
    for spec in MERCHANTS:
        if Order.objects.filter(merchant__slug=spec.slug).exists():
            skipped.append(spec.slug)
            continue
        rng = random.Random(f"{seed}:{spec.slug}")
        with transaction.atomic():
            counts = _seed_merchant(spec, rng=rng, now=now, scale=scale)
        for key, value in counts.items():
            created[key] = created.get(key, 0) + value
    if created["orders"]:
        _predict_travelling_parcels()
    for key, provider in extensions.DEMO_SEED.implementations():
        for name, value in (provider(now=now) or {}).items():
            created[f"{key}:{name}"] = value
    return SeedReport(created=created, skipped=skipped, demo_orders=showcase_orders())


def _predict_travelling_parcels() -> None:
    """Learn lanes from the seeded deliveries and predict the parcels still on the road, so the demo
    pages show real estimates at once (delay detection is left to its beat job, as in production)."""
    from tracking.edd.services import lane_stats_recompute, shipment_update_prediction

    lane_stats_recompute()
    for shipment in Shipment.objects.exclude(status__in=sorted(st.TERMINAL)).only("pk").iterator(chunk_size=500):
        shipment_update_prediction(shipment=shipment)


def _seed_merchant(spec: DemoMerchant, *, rng: random.Random, now: datetime, scale: float) -> dict[str, int]:
    merchant, _ = Merchant.objects.update_or_create(slug=spec.slug, defaults={
        "name": spec.name, "currency": spec.currency, "timezone": spec.timezone, "default_locale": spec.locale,
        "country": spec.country, "primary_color": spec.primary_color, "accent_color": spec.accent_color,
        "font": spec.font, "store_url": f"https://{spec.slug}.example.com",
        "faq_url": f"https://{spec.slug}.example.com/pages/faq",
        "support_email": f"help@{spec.slug}.example.com", "support_phone": "+82-2-555-0100" if spec.korean_names
        else "+1-213-555-0100", "support_url": f"https://{spec.slug}.example.com/pages/contact",
    })
    variants, bundles = _catalogue(merchant, spec, rng)
    customers = _customers(merchant, spec, rng, int(spec.customers * scale))
    orders, lines_by_order = _orders(merchant, spec, rng, now, customers, variants, bundles, int(spec.orders * scale))
    shipments, events = _shipments(merchant, spec, rng, now, orders, lines_by_order)
    _recommendations(merchant, spec, now)
    if spec.korean_names:
        _alimtalk(merchant, now)
    counts = {"merchants": 1, "products": len(variants), "customers": len(customers),
              "orders": len(orders), "shipments": shipments, "events": events}
    counts.update(seed_activity(merchant, rng=rng, now=now))
    # Returns, surveys and whatever else other apps show in the admin (tracking.extensions.DEMO_SEEDERS).
    for _key, seeder in extensions.DEMO_SEEDERS.implementations():
        counts.update(seeder(merchant=merchant, rng=rng, now=now))
    return counts


# The Korean merchant's registered 알림톡 templates (Solapi templateIds are the demo's own).
ALIMTALK_TEMPLATES = {
    "shipment_shipped": ("[#{상점명}] #{고객명}님, 주문 #{주문번호} 상품이 출발했습니다.\n"
                         "#{택배사} #{송장번호}\n배송 조회: #{배송조회}"),
    "shipment_out_for_delivery": ("[#{상점명}] #{고객명}님, 오늘 주문 #{주문번호} 상품이 배송됩니다.\n"
                                  "배송 조회: #{배송조회}"),
    "shipment_delivered": ("[#{상점명}] #{고객명}님, 주문 #{주문번호} 상품이 배달 완료되었습니다.\n"
                           "배송 조회: #{배송조회}"),
}
_ALIMTALK_FOR_STATUS = {st.IN_TRANSIT: "shipment_shipped", st.OUT_FOR_DELIVERY: "shipment_out_for_delivery",
                        st.DELIVERED: "shipment_delivered"}


def _alimtalk(merchant, now):
    """Templates, and the 알림톡 the newest parcels' shoppers got (one fell back to an LMS), so the
    notification log shows KakaoTalk at work. Logged as sent; nothing is sent while seeding."""
    from tracking.models import AlimtalkTemplate, NotificationLog

    for n, (kind, text) in enumerate(ALIMTALK_TEMPLATES.items(), start=1):
        AlimtalkTemplate.objects.update_or_create(merchant=merchant, kind=kind, defaults={
            "template_id": f"KA01TPDEMOHANOK{n:017d}", "text": text})
    parcels = (Shipment.objects.filter(merchant=merchant, status__in=list(_ALIMTALK_FOR_STATUS),
                                       order__customer__locale="ko").exclude(order__customer__phone="")
               .select_related("order__customer").order_by("-last_event_at")[:12])
    rows = []
    for index, shipment in enumerate(parcels):
        kind = _ALIMTALK_FOR_STATUS[shipment.status]
        sent_at = shipment.last_event_at or now
        fell_back = index == 3  # a shopper without KakaoTalk: one LMS instead, never both
        attempts = [{"provider": "solapi", "kind": "alimtalk", "status": "failed" if fell_back else "accepted",
                     "message_id": f"M4V{shipment.pk:020d}A", "provider_code": "3104" if fell_back else "2000",
                     "provider_message": "카카오톡을 사용하지 않는 사용자" if fell_back else "",
                     "fallback_used": False, "at": sent_at.isoformat()}]
        if fell_back:
            attempts.append({"provider": "solapi", "kind": "lms", "status": "accepted",
                             "message_id": f"M4V{shipment.pk:020d}L", "provider_code": "2000", "provider_message": "",
                             "fallback_used": True, "at": sent_at.isoformat()})
        customer = shipment.order.customer
        rows.append(NotificationLog(
            merchant=merchant, customer=customer, order=shipment.order, kind=kind, category="shipping",
            channel="alimtalk", recipient=customer.phone, dedupe_key=f"demo:shipment:{shipment.pk}:{kind}",
            context={"tracking_number": shipment.tracking_number}, status=NotificationLog.Status.SENT,
            subject=f"알림톡 {kind}", send_after=sent_at, sent_at=sent_at, attempts=1,
            delivered_by="lms" if fell_back else "alimtalk", fallback_used=fell_back, attempt_log=attempts,
            provider_message_id=attempts[-1]["message_id"]))
    NotificationLog.objects.bulk_create(rows, ignore_conflicts=True)


def _recommendations(merchant, spec, now):
    # A post-purchase offer and a trained model, so the demo pages show both without waiting for beat.
    from tracking.recommendations.models import PostPurchaseOffer
    from tracking.recommendations.training import recommendations_train

    PostPurchaseOffer.objects.get_or_create(merchant=merchant, active=True, defaults={
        "headline": "Thanks! 10% off your next order", "headline_ko": "감사합니다! 다음 주문 10% 할인",
        "discount_text": "On everything in the store", "discount_text_ko": "스토어 전 상품",
        "code": "THANKS10", "valid_days": 30})
    recommendations_train(merchant_id=merchant.pk, now=now)


def _catalogue(merchant, spec, rng):
    products = []
    for category, nouns in spec.categories.items():
        for index in range(20):
            (noun_en, noun_ko), (adj_en, adj_ko) = nouns[index % len(nouns)], _ADJECTIVES[index % len(_ADJECTIVES)]
            external_id = f"{category}-{index:02d}"
            products.append(Product(
                merchant=merchant, external_id=external_id, category=category,
                title=f"{adj_en} {noun_en}", title_ko=f"{adj_ko} {noun_ko}",
                url=f"https://{spec.slug}.example.com/products/{external_id}",
                image_url=static(product_image(category)),  # served by the app: no external hosts
            ))
    Product.objects.bulk_create(products, batch_size=BATCH)
    variants = []
    low, high = spec.price_range
    for product in products:
        base = Decimal(rng.randint(low, high))
        options = rng.choice((("One size",), ("S", "M", "L"), ("Natural", "Charcoal")))
        final_sale = rng.random() < 0.06
        for option in options:
            variants.append(ProductVariant(
                merchant=merchant, product=product, sku=f"{product.external_id.upper()}-{option[:3].upper()}",
                title=option, price=quantize(base, spec.currency), currency=spec.currency,
                image_url=product.image_url, stock=rng.choice((0, 3, 12, 40, 80)),
                final_sale=final_sale, returnable=not (product.category in ("bath",) and option == "One size"),
            ))
    ProductVariant.objects.bulk_create(variants, batch_size=BATCH)
    # Planted co-purchase structure: each bundle's products are bought together far more than chance.
    by_category = {}
    for product in products:
        by_category.setdefault(product.category, []).append(product)
    bundles = []
    categories = list(by_category)
    for index in range(12):
        first, second = categories[index % len(categories)], categories[(index + 1) % len(categories)]
        bundles.append([by_category[first][index], by_category[second][index], by_category[first][(index + 7) % 20]])
    variants_by_product = {}
    for variant in variants:
        variants_by_product.setdefault(variant.product_id, []).append(variant)
    return variants_by_product, bundles


def _customers(merchant, spec, rng, count):
    family, given = (_KO_FAMILY, _KO_GIVEN) if spec.korean_names else (_EN_FAMILY, _EN_GIVEN)
    customers = []
    for index in range(count):
        first, last = rng.choice(given), rng.choice(family)
        locale = spec.locale if rng.random() < 0.8 else ("en" if spec.locale == "ko" else "ko")
        customers.append(Customer(
            merchant=merchant, email=f"{first.lower()}.{last.lower()}{index}@example.com", name=f"{first} {last}",
            phone=f"+8210{rng.randint(10000000, 99999999)}" if spec.korean_names else "", locale=locale,
            external_id=f"cus_{index:05d}",
        ))
    return Customer.objects.bulk_create(customers, batch_size=BATCH)


def _orders(merchant, spec, rng, now, customers, variants_by_product, bundles, count):
    # Repeat buyers: a skewed pick makes a minority of customers place many orders.
    weights = [1.0 / (1 + index) ** 0.6 for index in range(len(customers))]
    products = list(variants_by_product)
    popularity = [1.0 / (1 + index) ** 0.8 for index in range(len(products))]
    rng.shuffle(popularity)
    destinations = [d for d, _ in spec.destinations]
    destination_weights = [w for _, w in spec.destinations]
    prefix = "HH" if spec.korean_names else "TH"
    orders, planned_lines = [], []
    for index in range(count):
        customer = rng.choices(customers, weights)[0]
        # Orders spread over the last year, a little denser recently (a growing shop).
        age_days = 365 * (rng.random() ** 1.3)
        placed_at = now - timedelta(days=age_days, minutes=rng.randint(0, 600))
        if rng.random() < 0.45:
            bundle = rng.choice(bundles)
            chosen = rng.sample(bundle, rng.choice((2, 2, 3)))
            chosen_ids = [p.pk for p in chosen]
        else:
            chosen_ids = list(dict.fromkeys(rng.choices(products, popularity, k=rng.choice((1, 1, 1, 2)))))
        destination = rng.choices(destinations, destination_weights)[0]
        lines = []
        for product_id in chosen_ids:
            variant = rng.choice(variants_by_product[product_id])
            lines.append((variant, rng.choice((1, 1, 1, 2))))
        subtotal = sum((variant.price * quantity for variant, quantity in lines), Decimal(0))
        shipping = quantize(Decimal(3000 if spec.currency == "KRW" else 7), spec.currency)
        orders.append(Order(
            merchant=merchant, customer=customer, number=f"{prefix}-{10001 + index}", placed_at=placed_at,
            currency=spec.currency, subtotal=subtotal, shipping_total=shipping, total=subtotal + shipping,
            payment_gateway="mock", payment_reference=f"pi_demo_{spec.slug}_{index}",
            ship_name=customer.name, ship_line1=f"{rng.randint(1, 300)} Demo-ro", ship_city=destination.city,
            ship_region=destination.region, ship_postal_code=f"{destination.postal_prefix}{rng.randint(10, 99)}",
            ship_country=destination.country, source=Order.Source.DEMO,
        ))
        planned_lines.append((destination, lines))
    Order.objects.bulk_create(orders, batch_size=BATCH)
    titles = dict(Product.objects.filter(merchant=merchant).values_list("pk", "title"))
    order_lines, lines_by_order = [], {}
    for order, (destination, lines) in zip(orders, planned_lines):
        made = [OrderLine(order=order, variant=variant, sku=variant.sku, title=titles[variant.product_id],
                          quantity=quantity, unit_price=variant.price) for variant, quantity in lines]
        order_lines.extend(made)
        lines_by_order[order.pk] = (destination, made)
    OrderLine.objects.bulk_create(order_lines, batch_size=BATCH)
    return orders, lines_by_order


# Scenario mix for parcels that have finished their journey, and for ones still on the road.
_SETTLED_MIX = (("on_time", 0.80), ("late", 0.09), ("failed_then_delivered", 0.05), ("returned_to_sender", 0.02),
                ("lost", 0.01), ("exception_damaged", 0.01), ("customs_hold", 0.02))
# The demo always has some parcels at each interesting moment right now: (scenario, status to be in now).
_SHOWCASE = (("in_transit", st.IN_TRANSIT), ("out_for_delivery_today", st.OUT_FOR_DELIVERY),
             ("failed_then_delivered", st.FAILED_ATTEMPT), ("customs_hold", st.EXCEPTION),
             ("late", st.IN_TRANSIT), ("on_time", st.INFO_RECEIVED), ("exception_damaged", st.EXCEPTION))


def _ship_time_for(scenario: str, status: str, serial: int, now: datetime) -> datetime:
    """A ship time that puts this parcel just past its first ``status`` event right now."""
    probe = mock.make_tracking_number(scenario, now, serial)
    offsets = [e.occurred_at - now for e in mock.all_scenario_events(probe) if e.status == status]
    if status == st.IN_TRANSIT and scenario == "late":
        offsets = [e.occurred_at - now for e in mock.all_scenario_events(probe) if e.reason == "weather"]
    return now - offsets[0] - timedelta(minutes=30)


def _promise(spec: DemoMerchant, destination_country: str, placed_at: datetime) -> date:
    """What the shop promised at checkout: its cut-off (14:00) and the carrier's published transit
    days, in business days of the merchant's and the destination's calendars (holidays included),
    on a day the standard service delivers — never a calendar-day guess that lands on a Sunday."""
    transit = carrier_transit_range(carrier="mock", service_level="standard", origin_country=spec.country,
                                    destination_country=destination_country)
    return promise_prediction(
        ordered_at=placed_at, policy=HandlingPolicy(cutoff_hour=14, handling_days=0, timezone=spec.timezone),
        origin_country=spec.country, transit=transit,
        destination_country=delivery_calendar("mock", "standard", destination_country),
    ).window_end


def _ship_time_window(spec: DemoMerchant, destination_country: str, shipped_at: datetime):
    """The carrier-table window from the day the parcel left, as the live pipeline records it at ship time."""
    transit = carrier_transit_range(carrier="mock", service_level="standard", origin_country=spec.country,
                                    destination_country=destination_country)
    ship_day = timezone.localtime(shipped_at, zoneinfo.ZoneInfo(spec.timezone)).date()
    return window_from_transit(ship_day, transit, destination_country, confidence=TABLE_CONFIDENCE,
                               basis=BASIS_CARRIER_TABLE, explanation="carrier table at ship time")


def _shipments(merchant, spec, rng, now, orders, lines_by_order):
    shipments, shipment_lines, plans = [], [], []
    # The newest orders become the showcase: two parcels in each interesting state right now.
    newest = sorted(orders, key=lambda o: o.placed_at, reverse=True)[: len(_SHOWCASE) * 2]
    showcase = {order.pk: _SHOWCASE[i % len(_SHOWCASE)] for i, order in enumerate(newest)}
    international = any(d.route == "kr_us" for d, _ in spec.destinations)
    moved_orders = []
    serial = 0
    korean_numbers: set[str] = set()

    def number_for(scenario: str, shipped_at: datetime, route_serial: int) -> str:
        """A mock number; for the Korean merchant a CJ-shaped one (unique and read as CJ's by
        detection: otherwise the parcel leaves a minute later)."""
        if not spec.korean_names:
            return mock.make_tracking_number(scenario, shipped_at, route_serial)
        kr_serial = (route_serial // 3 % 33) * 3 + route_serial % 3  # 0-98, same route
        number = mock.make_korean_number(scenario, shipped_at, kr_serial)
        # Also skip the few that another company's check digit accepts too (FedEx's 12 digits).
        while number in korean_numbers or best_company(number) != mock.KR_COMPANY:
            shipped_at += timedelta(minutes=1)
            number = mock.make_korean_number(scenario, shipped_at, kr_serial)
        korean_numbers.add(number)
        return number

    for order in orders:
        destination, lines = lines_by_order[order.pk]
        serial += 1
        route_serial = serial * 3 + ROUTE_INDEX[destination.route]
        if order.pk in showcase:
            scenario, status = showcase[order.pk]
            if scenario == "customs_hold" and destination.route != "kr_us":
                # Customs only happens on the international route.
                scenario, status = ("customs_hold", st.EXCEPTION) if international else ("lost", st.EXCEPTION)
                if international:
                    destination = next(d for d, _ in spec.destinations if d.route == "kr_us")
                    route_serial = serial * 3 + ROUTE_INDEX["kr_us"]
                    order.ship_city, order.ship_region = destination.city, destination.region
                    order.ship_country, order.ship_postal_code = destination.country, f"{destination.postal_prefix}01"
            shipped_at = _ship_time_for(scenario, status, route_serial, now)
            # Showcase parcels left at a chosen moment; the order must have been placed before that.
            order.placed_at = min(order.placed_at, shipped_at - timedelta(hours=rng.randint(3, 20)))
            moved_orders.append(order)
        else:
            scenario = rng.choices([s for s, _ in _SETTLED_MIX], [w for _, w in _SETTLED_MIX])[0]
            if scenario == "customs_hold" and destination.route != "kr_us":
                scenario = "late"
            shipped_at = order.placed_at + timedelta(hours=rng.randint(4, 40))
        tracking_number = number_for(scenario, shipped_at, route_serial)
        split = len(lines) > 1 and rng.random() < 0.15  # some orders ship in two parcels
        parcels = [lines[:1], lines[1:]] if split else [lines]
        for part, parcel_lines in enumerate(parcels):
            number = tracking_number if part == 0 else number_for(
                "on_time", shipped_at + timedelta(hours=2), route_serial + 3 * 100000)
            promise = _promise(spec, order.ship_country, order.placed_at)
            at_ship = _ship_time_window(spec, order.ship_country, shipped_at)
            shipment = Shipment(
                merchant=merchant, order=order, carrier="mock", service_level="standard", tracking_number=number,
                origin_postal_code=spec.warehouse_postal_code, origin_country=spec.country,
                destination_postal_code=order.ship_postal_code, destination_country=order.ship_country,
                promised_delivery_date=promise,
                # The window the page showed when the parcel left: the EDD accuracy report's year of data.
                initial_window_start=at_ship.window_start, initial_window_end=at_ship.window_end,
                initial_predicted_date=at_ship.most_likely, initial_prediction_basis=at_ship.basis,
            )
            # Derive status before inserting: one INSERT per row instead of an INSERT and a bulk UPDATE.
            # Korean numbers read like a Korean courier's feed: 간선상차, 배송출발, 서울 강남구…
            parcel_events = mock.scenario_events(number, now=now,
                                                 language="ko" if mock.is_korean_number(number) else "en")
            _apply_derived_status(shipment, parcel_events, now)
            shipments.append(shipment)
            plans.append((shipment, parcel_lines, parcel_events))
    Order.objects.bulk_update(moved_orders, ["placed_at", "ship_city", "ship_region", "ship_country",
                                             "ship_postal_code"])
    Shipment.objects.bulk_create(shipments, batch_size=BATCH)
    events = []
    for shipment, parcel_lines, parcel_events in plans:
        for line in parcel_lines:
            shipment_lines.append(ShipmentLine(shipment=shipment, order_line=line, quantity=line.quantity))
        for data in parcel_events:
            new = NewEvent(occurred_at=data.occurred_at, status=data.status, reason=data.reason,
                           carrier_code=data.carrier_code, carrier_text=data.carrier_text, location=data.location,
                           carrier_event_id=data.carrier_event_id, details=dict(data.details))
            events.append((shipment.pk, new, event_dedupe_key(new)))
    ShipmentLine.objects.bulk_create(shipment_lines, batch_size=BATCH)
    _insert_events(events, received_at=now)
    return len(shipments), len(events)


def _insert_events(events: list[tuple[int, NewEvent, str]], *, received_at: datetime) -> None:
    """Bulk-insert the demo's ~130k events with one prepared statement.

    bulk_create spends most of the seed's time preparing each field of each row; these rows are
    built here from known-good values, so they are adapted once per value by the backend's own
    operations (datetimes, JSON) and sent with executemany. Only the demo uses this path."""
    from django.db import connection

    table = TrackingEvent._meta.db_table
    columns = ["shipment_id", "occurred_at", "status", "reason", "carrier_code", "carrier_text", "location",
               "source", "dedupe_key", "details", "received_at"]
    sql = (f"INSERT INTO {connection.ops.quote_name(table)} ({', '.join(map(connection.ops.quote_name, columns))}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    adapt_dt = connection.ops.adapt_datetimefield_value
    details_field = TrackingEvent._meta.get_field("details")
    received = adapt_dt(received_at)
    source = TrackingEvent.Source.IMPORT.value
    rows = [(shipment_id, adapt_dt(e.occurred_at), e.status, e.reason, e.carrier_code, e.carrier_text[:500],
             e.location[:200], source, key, details_field.get_db_prep_save(e.details or {}, connection), received)
            for shipment_id, e, key in events]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


def _apply_derived_status(shipment: Shipment, events, now: datetime) -> None:
    apply_derived_fields(shipment, events)
    shipment.carrier_delivery_date = mock.estimated_delivery(shipment.tracking_number, now=now)


def showcase_orders() -> list[dict]:
    """A few demo orders, one per interesting state, for the README, `make run` and browser tests."""
    wanted = [st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, st.IN_TRANSIT, st.EXCEPTION, st.DELIVERED, st.INFO_RECEIVED]
    found = []
    for status in wanted:
        shipment = (Shipment.objects.filter(status=status, is_return=False, order__source=Order.Source.DEMO)
                    .select_related("order__customer", "merchant").order_by("-order__placed_at").first())
        if shipment:
            order = shipment.order
            found.append({
                "state": status, "merchant": shipment.merchant.slug, "order_number": order.number,
                "email": order.customer.email, "postal_code": order.ship_postal_code,
                "tracking_number": shipment.tracking_number, "order_id": order.pk,
            })
    return found


"""Each metric against a small table computed by hand (the arithmetic is in the comments)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Case, When

from feedback import delivery, metrics
from feedback.models import Survey
from tests.factories import CustomerFactory, MerchantFactory, OrderFactory, ShipmentFactory
from tracking.models import Shipment

from tests.support.feedback import answer, make_survey, settings_for

pytestmark = pytest.mark.django_db
UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 1, tzinfo=UTC)
END = dt.datetime(2026, 4, 1, tzinfo=UTC)


def d(y, m, day, h=12):
    return dt.datetime(y, m, day, h, tzinfo=UTC)


@pytest.fixture
def shop():
    return MerchantFactory(timezone="UTC", currency="USD")


@pytest.fixture
def other_shop():
    return MerchantFactory(timezone="UTC", currency="USD")


class TestCustomerMetrics:
    """W = 90 days, so "active at start" = ordered in [2025-10-03, 2026-01-01) and
    "active at end" = ordered in [2026-01-01, 2026-04-01).

    customer  orders (date, total)                     S  E  N  lost  in period
    A         2025-11-01 100, 2026-02-01 50             ✓  ✓           1
    B         2025-12-15 200                            ✓        ✓     0
    C         2025-06-01 80, 2026-03-01 40, 03-15 60       ✓  ✓        2 (reactivated)
    D         2026-01-10 30                                ✓  ✓        1 (first order)
    E         2026-02-20 70, 2026-03-20 30                 ✓  ✓        2 (first order)
    F         2025-12-01 100, 2026-01-05 20 EUR          ✓  ✓           1 (not USD)
    G         2026-04-05 10  (after the period)
    H         2025-10-10 10                             ✓        ✓     0
    S=4 (A B F H), retained=2 (A F), lost=2 (B H); E=5 (A C D E F), N=3 (C D E), first-time=2 (D E)
    CRR = 2/4 = 50.0 = (E−N)/S = (5−3)/4 ; churn = 100 − 50 = 50.0 ; repeat = 2 (C E) / 5 buyers = 40.0
    AOV = USD orders in period 50+40+60+30+70+30 = 280 / 6 = 46.67
    frequency = 7 orders / 5 buyers = 1.4 ; lifespan = 1/0.5 = 2 periods
    CLV = 280/6 × 1.4 × 2 = 130.67
    Return rate: return parcels on C's 03-01 order and D's order (and on B's old order, outside):
    2 of 7 orders placed in the period = 28.6
    """

    @pytest.fixture
    def table(self, shop, other_shop):
        settings_for(shop, active_window_days=90)
        orders = {}
        rows = {
            "A": [(d(2025, 11, 1), "100"), (d(2026, 2, 1), "50")],
            "B": [(d(2025, 12, 15), "200")],
            "C": [(d(2025, 6, 1), "80"), (d(2026, 3, 1), "40"), (d(2026, 3, 15), "60")],
            "D": [(d(2026, 1, 10), "30")],
            "E": [(d(2026, 2, 20), "70"), (d(2026, 3, 20), "30")],
            "F": [(d(2025, 12, 1), "100"), (d(2026, 1, 5), "20", "EUR")],
            "G": [(d(2026, 4, 5), "10")],
            "H": [(d(2025, 10, 10), "10")],
        }
        for name, placed in rows.items():
            customer = CustomerFactory(merchant=shop, email=f"{name.lower()}@example.com")
            for row in placed:
                when, total, *currency = row
                orders[(name, when.date())] = OrderFactory(
                    merchant=shop, customer=customer, placed_at=when, total=Decimal(total),
                    subtotal=Decimal(total), currency=currency[0] if currency else "USD")
        for key in [("C", dt.date(2026, 3, 1)), ("D", dt.date(2026, 1, 10)), ("B", dt.date(2025, 12, 15))]:
            ShipmentFactory(order=orders[key], is_return=True)
        # Another tenant's busy customer must change nothing.
        stranger = CustomerFactory(merchant=other_shop)
        for month in (11, 12):
            OrderFactory(merchant=other_shop, customer=stranger, placed_at=d(2025, month, 1), total=Decimal("999"))
        for month in (1, 2, 3):
            o = OrderFactory(merchant=other_shop, customer=stranger, placed_at=d(2026, month, 1), total=Decimal("999"))
            ShipmentFactory(order=o, is_return=True)
        return orders

    def test_retention_churn_repeat_clv(self, shop, table, django_assert_max_num_queries):
        with django_assert_max_num_queries(2):  # settings + one aggregate
            m = metrics.customer_metrics(shop, START, END)
        assert (m.active_at_start, m.active_at_end, m.new_customers, m.retained, m.lost) == (4, 5, 3, 2, 2)
        assert m.first_time == 2
        assert m.retention_rate == 50.0
        assert m.churn_rate == 50.0
        assert (m.buyers, m.repeat_buyers, m.repeat_purchase_rate) == (5, 2, 40.0)
        assert m.orders == 7 and m.revenue == Decimal("280.00")
        assert m.aov == Decimal("46.67")
        assert m.purchase_frequency == 1.4
        assert m.lifespan_periods == 2.0
        assert m.clv == Decimal("130.67")

    def test_window_is_the_merchant_setting(self, shop, table):
        # W = 30: active at start = ordered in [2025-12-02, 2026-01-01) → B only; at end = [03-02, 04-01) → C E.
        m = metrics.customer_metrics(shop, START, END, window_days=30)
        assert (m.active_at_start, m.active_at_end, m.new_customers, m.retained, m.lost) == (1, 2, 2, 0, 1)
        assert m.retention_rate == 0.0 and m.churn_rate == 100.0

    def test_return_rate(self, shop, table):
        assert metrics.return_rate(shop, START, END) == {"orders": 7, "returned": 2, "rate": 28.6}

    def test_no_customers_means_no_rates(self):
        empty = MerchantFactory()
        m = metrics.customer_metrics(empty, START, END)
        assert (m.retention_rate, m.churn_rate, m.repeat_purchase_rate, m.aov, m.clv) == (None,) * 5
        assert metrics.return_rate(empty, START, END)["rate"] is None


class TestSurveyMetrics:
    """Ten responses in the period (plus one before it and one for another tenant):

    carrier lane    week of     scores        on_time   P  D  n  NPS
    cj      KR→KR   2026-01-05  10, 9, 10     True      3  0  3  100.0
    dhl     KR→US   2026-02-02  9, 8, 7, 3    False     1  1  4  0.0
    ups     KR→US   2026-03-02  0, 8, 6       None      0  2  3  −66.7
    all                                                 4  3  10 10.0 (passives 3)
    lane KR→US: P1 D3 n7 → −28.6

    delivery ratings 5,4,5 | 3,–,4,1 | 2,–,5 → 5 of 8 are 4–5 = 62.5
    product ratings cj 4, dhl 2 → 1 of 2 = 50.0 ; packaging none → None ; overall 6 of 10 = 60.0
    surveys sent in the period: 10 answered + 3 unanswered → response rate 10/13 = 76.9
    """

    @pytest.fixture
    def table(self, shop, other_shop):
        plan = [
            ("cj", "KR→KR", True, d(2026, 1, 6), [(10, 5, 4), (9, 4, None), (10, 5, None)]),
            ("dhl", "KR→US", False, d(2026, 2, 3), [(9, 3, 2), (8, None, None), (7, 4, None), (3, 1, None)]),
            ("ups", "KR→US", None, d(2026, 3, 4), [(0, 2, None), (8, None, None), (6, 5, None)]),
        ]
        for carrier, lane, on_time, when, answers in plan:
            for score, delivery_rating, product_rating in answers:
                survey = make_survey(OrderFactory(merchant=shop), sent_at=when - dt.timedelta(hours=5),
                                     carrier=carrier, lane=lane, on_time=on_time)
                answer(survey, score, at=when, delivery=delivery_rating, product=product_rating,
                       reason=f"{carrier} {score}")
        for _ in range(3):
            make_survey(OrderFactory(merchant=shop), sent_at=d(2026, 3, 10))
        old = make_survey(OrderFactory(merchant=shop), sent_at=d(2025, 12, 1))
        answer(old, 0, at=d(2025, 12, 2))
        make_survey(OrderFactory(merchant=shop), status=Survey.Status.SKIPPED, sent_at=None,
                    delivered_at=d(2026, 2, 1))
        foreign = make_survey(OrderFactory(merchant=other_shop), sent_at=d(2026, 2, 1))
        answer(foreign, 0, at=d(2026, 2, 2), delivery=1, reason="other tenant")

    def test_nps(self, shop, table):
        assert metrics.nps(shop, START, END) == {"responses": 10, "promoters": 4, "passives": 3, "detractors": 3,
                                                 "nps": 10.0}

    def test_nps_by_carrier(self, shop, table):
        rows = {r["carrier"]: (r["responses"], r["promoters"], r["detractors"], r["nps"])
                for r in metrics.nps_by_carrier(shop, START, END)}
        assert rows == {"cj": (3, 3, 0, 100.0), "dhl": (4, 1, 1, 0.0), "ups": (3, 0, 2, -66.7)}

    def test_nps_by_lane(self, shop, table):
        rows = {r["lane"]: (r["responses"], r["nps"]) for r in metrics.nps_by_lane(shop, START, END)}
        assert rows == {"KR→KR": (3, 100.0), "KR→US": (7, -28.6)}

    def test_nps_by_week(self, shop, table):
        rows = [(r["week"], r["nps"]) for r in metrics.nps_by_week(shop, START, END)]
        assert rows == [(dt.date(2026, 1, 5), 100.0), (dt.date(2026, 2, 2), 0.0), (dt.date(2026, 3, 2), -66.7)]

    def test_nps_on_time_vs_late(self, shop, table):
        rows = [(r["delivery"], r["responses"], r["nps"]) for r in metrics.nps_by_delivery(shop, START, END)]
        assert rows == [("on_time", 3, 100.0), ("late", 4, 0.0), ("unknown", 3, -66.7)]

    def test_score_distribution(self, shop, table):
        dist = {r["score"]: r["responses"] for r in metrics.score_distribution(shop, START, END)}
        assert dist == {0: 1, 1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 1, 7: 1, 8: 2, 9: 2, 10: 2}

    def test_csat(self, shop, table):
        c = metrics.csat(shop, START, END)
        assert c["delivery"] == {"rated": 8, "satisfied": 5, "csat": 62.5}
        assert c["product"] == {"rated": 2, "satisfied": 1, "csat": 50.0}
        assert c["packaging"] == {"rated": 0, "satisfied": 0, "csat": None}
        assert c["overall"] == {"rated": 10, "satisfied": 6, "csat": 60.0}

    def test_response_rate(self, shop, table):
        assert metrics.response_rate(shop, START, END) == {"sent": 13, "answered": 10, "rate": 76.9}

    def test_latest_comments_are_this_tenants_newest_first(self, shop, table):
        comments = metrics.latest_comments(shop, START, END, limit=3)
        # Same answered_at within the ups week: newest row first.
        assert [c["reason"] for c in comments] == ["ups 6", "ups 8", "ups 0"]
        assert all("other tenant" != c["reason"] for c in metrics.latest_comments(shop, START, END))

    def test_extremes(self, other_shop):
        for score in (10, 9):
            answer(make_survey(OrderFactory(merchant=other_shop), sent_at=d(2026, 1, 2)), score, at=d(2026, 1, 3))
        assert metrics.nps(other_shop, START, END)["nps"] == 100.0
        for score in (0, 6, 6, 6):
            answer(make_survey(OrderFactory(merchant=other_shop), sent_at=d(2026, 1, 2)), score, at=d(2026, 1, 3))
        # P2 D4 of 6 → −33.3
        assert metrics.nps(other_shop, START, END)["nps"] == -33.3
        assert metrics.nps(MerchantFactory(), START, END)["nps"] is None


def window(start, end):
    start_f, end_f = delivery.window_fields()
    return {start_f: start, end_f: end}


class TestDeliveryMetrics:
    """Outbound parcels delivered in the period (merchant time zone UTC):

    parcel carrier reference date          delivered        on time  window          EDD
    s1     cj      promised 01-10          01-10 23:00      yes      01-09..01-11    hit
    s2     cj      promised 01-10          01-11 01:00      no       01-08..01-10    miss
    s3     cj      carrier 02-01           01-31            yes      –               –
    s4     dhl     –                       02-05            –        –               –
    s5     dhl     predicted 02-10         02-12            no       02-11..02-13    hit
    (a return parcel and a parcel delivered before the period are left out)
    cj: 2/3 on time = 66.7, EDD 1/2 = 50.0 ; dhl: 0/1 = 0.0, EDD 1/1 = 100.0
    all: 2/4 = 50.0 ; EDD 2/3 = 66.7
    """

    @pytest.fixture
    def table(self, shop, other_shop):
        def parcel(carrier, delivered_at, **kwargs):
            s = ShipmentFactory(order=OrderFactory(merchant=shop), carrier=carrier, **kwargs)
            Shipment.objects.filter(pk=s.pk).update(status="delivered", delivered_at=delivered_at)
            return s

        parcel("cj", dt.datetime(2026, 1, 10, 23, tzinfo=UTC), promised_delivery_date=dt.date(2026, 1, 10),
               **window(dt.date(2026, 1, 9), dt.date(2026, 1, 11)))
        parcel("cj", dt.datetime(2026, 1, 11, 1, tzinfo=UTC), promised_delivery_date=dt.date(2026, 1, 10),
               **window(dt.date(2026, 1, 8), dt.date(2026, 1, 10)))
        parcel("cj", d(2026, 1, 31), carrier_delivery_date=dt.date(2026, 2, 1))
        parcel("dhl", d(2026, 2, 5))
        parcel("dhl", d(2026, 2, 12), predicted_delivery_date=dt.date(2026, 2, 10),
               **window(dt.date(2026, 2, 11), dt.date(2026, 2, 13)))
        parcel("cj", d(2026, 1, 20), is_return=True, promised_delivery_date=dt.date(2026, 1, 1))
        parcel("cj", d(2025, 12, 20), promised_delivery_date=dt.date(2025, 12, 1))
        s = ShipmentFactory(order=OrderFactory(merchant=other_shop), carrier="cj",
                            promised_delivery_date=dt.date(2026, 1, 1))
        Shipment.objects.filter(pk=s.pk).update(status="delivered", delivered_at=d(2026, 1, 20))

    def test_by_carrier(self, shop, table):
        rows = {r["carrier"]: (r["delivered"], r["on_time_known"], r["on_time"], r["on_time_rate"], r["edd_known"],
                               r["edd_hit"], r["edd_accuracy"]) for r in metrics.delivery_by_carrier(shop, START, END)}
        assert rows == {"cj": (3, 3, 2, 66.7, 2, 1, 50.0), "dhl": (2, 1, 0, 0.0, 1, 1, 100.0)}

    def test_summary(self, shop, table):
        s = metrics.delivery_summary(shop, START, END)
        assert (s["delivered"], s["on_time_rate"], s["edd_accuracy"]) == (5, 50.0, 66.7)

    def test_database_and_python_definitions_agree(self, shop, table):
        """The survey copies on_time/edd_hit in Python; the rates use SQL. Same answers, in two time zones."""
        for tz in ("UTC", "Asia/Seoul", "America/Los_Angeles"):
            annotated = Shipment.objects.filter(merchant=shop).annotate(**delivery.shipment_aliases(tz)).annotate(
                db_on_time=Case(When(delivery.ON_TIME, then=True), When(delivery.ON_TIME_KNOWN, then=False),
                                default=None))
            for s in annotated:
                assert s.db_on_time == delivery.is_on_time(s, tz), (tz, s.carrier, s.delivered_at)


def test_totals_from_groupings_equal_the_direct_queries(shop):
    """The dashboard sums grouped rows instead of scanning again; the sums must be the same numbers."""
    for i, score in enumerate([10, 9, 7, 6, 0, 8]):
        s = make_survey(OrderFactory(merchant=shop), sent_at=d(2026, 1 + i % 3, 3), carrier=["a", "b"][i % 2])
        answer(s, score, at=d(2026, 1 + i % 3, 4 + i))
        parcel = ShipmentFactory(order=s.order, carrier=["a", "b"][i % 2],
                                 promised_delivery_date=dt.date(2026, 2, 1))
        Shipment.objects.filter(pk=parcel.pk).update(status="delivered", delivered_at=d(2026, 1 + i % 3, 2))
    assert metrics.nps_total(metrics.nps_by_week(shop, START, END)) == metrics.nps(shop, START, END)
    assert metrics.nps_total(metrics.nps_by_carrier(shop, START, END)) == metrics.nps(shop, START, END)
    assert metrics.delivery_total(metrics.delivery_by_carrier(shop, START, END)) == \
        metrics.delivery_summary(shop, START, END)

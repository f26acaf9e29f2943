"""Metrics that cannot be nonsense, over random order and survey histories: every rate lies in
[0, 100], NPS in [−100, 100], CLV is never negative, retention and churn add up to 100, the cohort
identities hold (retained + lost = S, E − N = retained), and the dashboard shows exactly what the
metric functions compute."""
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from feedback import metrics
from feedback.dashboard import data as dashboard
from feedback.models import Survey, SurveyResponse, SurveySettings
from tests.factories import CustomerFactory, MerchantFactory, OrderFactory

pytestmark = pytest.mark.django_db

UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 1, tzinfo=UTC)
END = dt.datetime(2026, 4, 1, tzinfo=UTC)

# One customer's history: orders as (days from START, total), surveys as scores 0–10 or None (unanswered).
order = st.tuples(st.integers(min_value=-400, max_value=120), st.integers(min_value=0, max_value=500))
customer = st.tuples(st.lists(order, min_size=1, max_size=5),
                     st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=10)), max_size=2))
history = st.lists(customer, max_size=12)
window = st.sampled_from([30, 60, 90, 180])


def build(history, window_days):
    merchant = MerchantFactory(timezone="UTC", currency="USD")
    SurveySettings.objects.update_or_create(merchant=merchant, defaults={"active_window_days": window_days})
    for orders, scores in history:
        person = CustomerFactory(merchant=merchant)
        made = [OrderFactory(merchant=merchant, customer=person, placed_at=START + dt.timedelta(days=offset),
                             total=Decimal(total), subtotal=Decimal(total), currency="USD")
                for offset, total in orders]
        for index, (target, score) in enumerate(zip(made, scores)):  # at most one survey per order
            sent = START + dt.timedelta(days=10 + index)
            survey = Survey.objects.create(
                merchant=merchant, order=target, customer=person, status=Survey.Status.SENT, scheduled_for=sent,
                send_deadline=sent + dt.timedelta(days=14), sent_at=sent, expires_at=sent + dt.timedelta(days=14),
                delivered_at=sent - dt.timedelta(days=2), carrier="mock", lane="KR→KR")
            if score is not None:
                SurveyResponse.objects.create(survey=survey, merchant=merchant, score=score, source="email",
                                              answered_at=sent + dt.timedelta(hours=3), delivery_rating=score % 5 + 1)
    return merchant


def in_range(value, low, high):
    return value is None or low <= value <= high


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(history=history, window_days=window)
def test_customer_metrics_are_bounded_and_consistent(history, window_days):
    merchant = build(history, window_days)
    m = metrics.customer_metrics(merchant, START, END)
    assert m.retained + m.lost == m.active_at_start
    assert m.active_at_end - m.new_customers == m.retained  # the textbook (E − N) / S, with N as defined
    assert 0 <= m.first_time <= m.buyers  # a first-time buyer ordered in the period (but may have lapsed again)
    for rate in (m.retention_rate, m.churn_rate, m.repeat_purchase_rate):
        assert in_range(rate, 0, 100)
    if m.active_at_start:
        assert m.retention_rate + m.churn_rate == pytest.approx(100.0)
        assert m.retention_rate == round(100.0 * m.retained / m.active_at_start, 1)
    else:
        assert m.retention_rate is None and m.churn_rate is None
    assert m.clv is None or m.clv >= 0
    assert m.aov is None or m.aov >= 0


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(history=history, window_days=window)
def test_dashboard_shows_exactly_what_the_metrics_compute(history, window_days):
    merchant = build(history, window_days)
    board = dashboard.build(merchant, START, END)
    cards = {card.key: card.value for card in board.cards}
    m = metrics.customer_metrics(merchant, START, END)
    nps = metrics.nps(merchant, START, END)
    assert in_range(nps["nps"], -100, 100)
    assert cards["nps"] == nps["nps"]
    assert cards["retention"] == m.retention_rate and cards["churn"] == m.churn_rate
    assert cards["repeat"] == m.repeat_purchase_rate and cards["clv"] == m.clv
    assert cards["response_rate"] == metrics.response_rate(merchant, START, END)["rate"]
    assert cards["csat"] == metrics.csat(merchant, START, END)["overall"]["csat"]
    assert cards["return_rate"] == metrics.return_rate(merchant, START, END)["rate"]
    for key in ("csat", "response_rate", "retention", "churn", "repeat", "return_rate", "on_time", "edd_accuracy"):
        assert in_range(cards[key], 0, 100), key

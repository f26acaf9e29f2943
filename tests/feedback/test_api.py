"""The merchant API: NPS responses and metrics, tenant-scoped; nps.responded webhooks."""
import datetime as dt

import pytest
from django.utils import timezone

from feedback.services import response_record
from tests.support.api import KeyClient
from tests.factories import OrderFactory
from tracking.models import ApiKey, WebhookDelivery, WebhookEndpoint

from tests.support.feedback import answer, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops(merchant, other_merchant):
    mine, theirs = merchant, other_merchant
    now = timezone.now()
    for shop, score, number in [(mine, 9, "MINE-1"), (mine, 2, "MINE-2"), (theirs, 0, "THEIRS-1")]:
        survey = make_survey(OrderFactory(merchant=shop, number=number), sent_at=now - dt.timedelta(days=2))
        answer(survey, score, at=now - dt.timedelta(days=1), reason=f"reason {number}", delivery=4)
    return mine, theirs


def test_responses_are_listed_for_the_keys_merchant_only(shops):
    mine, _ = shops
    api = KeyClient(mine, scope=ApiKey.Scope.READ)
    body = api.get("/api/v1/nps/responses/").json()
    assert sorted(r["order_number"] for r in body["results"]) == ["MINE-1", "MINE-2"]
    assert {r["category"] for r in body["results"]} == {"promoter", "detractor"}
    detractors = api.get("/api/v1/nps/responses/", {"score_max": 6}).json()["results"]
    assert [r["order_number"] for r in detractors] == ["MINE-2"]
    assert api.get("/api/v1/nps/responses/", {"score_max": 11}).status_code == 400


def test_metrics_match_the_dashboard(shops):
    mine, _ = shops
    api = KeyClient(mine, scope=ApiKey.Scope.READ)
    today = timezone.localdate()
    resp = api.get("/api/v1/nps/metrics/", {"start": (today - dt.timedelta(days=7)).isoformat(),
                                             "end": (today + dt.timedelta(days=1)).isoformat()})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["cards"]["nps"] == 0.0  # one promoter, one detractor
    assert body["cards"]["csat"] == 100.0
    assert [r["responses"] for r in body["tables"]["score_distribution"] if r["score"] in (0, 2, 9)] == [0, 1, 1]
    bad = api.get("/api/v1/nps/metrics/", {"start": "2026-05-01", "end": "2026-01-01"})
    assert bad.status_code == 400


def test_api_needs_a_key(client, shops):
    assert client.get("/api/v1/nps/responses/").status_code in (401, 403)


def test_an_answer_emits_nps_responded_once_per_change(shops):
    mine, _ = shops
    WebhookEndpoint.objects.create(merchant=mine, url="https://hooks.example.com/x", secret="whsec_test",
                                   event_types=["nps.responded"])
    survey = make_survey(OrderFactory(merchant=mine, number="MINE-3"), sent_at=timezone.now())
    response_record(survey_id=survey.pk, score=7, source="email")
    response_record(survey_id=survey.pk, score=7, source="email")  # replay: nothing new
    response_record(survey_id=survey.pk, score=8, source="page", reason="ok")
    deliveries = WebhookDelivery.objects.filter(merchant=mine, event_type="nps.responded")
    assert deliveries.count() == 2
    assert '"order_number":"MINE-3"' in deliveries.order_by("id").first().body


def test_metrics_defaults_to_the_last_12_months_and_rejects_absurd_dates(shops):
    api = KeyClient(shops[0], scope=ApiKey.Scope.READ)
    assert api.get("/api/v1/nps/metrics/").json()["cards"]["nps"] == 0.0
    assert api.get("/api/v1/nps/metrics/", {"start": "0001-01-01", "end": "0001-01-07"}).status_code == 400

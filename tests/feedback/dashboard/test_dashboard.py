"""The staff dashboard and the detractor queue in admin."""
import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from feedback.models import FollowUpCase
from feedback.services import followup_open
from tests.factories import OrderFactory

from tests.support.feedback import answer, make_survey

pytestmark = pytest.mark.django_db
URL = "/admin/feedback/dashboard/"


def _period():
    today = timezone.localdate()
    return {"start": (today - dt.timedelta(days=30)).isoformat(), "end": (today + dt.timedelta(days=1)).isoformat()}


@pytest.fixture
def two_shops(merchant, other_merchant):
    now = timezone.now()
    mine, theirs = merchant, other_merchant
    for shop, score, reason in [(mine, 10, "Mine was great"), (mine, 2, "Mine was late"),
                                (theirs, 0, "SECRET-OTHER-TENANT")]:
        survey = make_survey(OrderFactory(merchant=shop), sent_at=now - dt.timedelta(days=2), carrier="cj")
        answer(survey, score, at=now - dt.timedelta(days=1), reason=reason, delivery=5)
    return mine, theirs


def test_dashboard_shows_only_the_chosen_merchant(admin_client, two_shops):
    mine, _theirs = two_shops
    html = admin_client.get(URL, {"merchant": mine.pk, **_period()}).content.decode()
    assert "Mine was great" in html and "Mine was late" in html
    assert "SECRET-OTHER-TENANT" not in html
    assert 'id="card-nps"' in html and "<svg" in html
    # NPS: one promoter, one detractor of two → 0.0
    assert '<span class="fb-card-value">0.0</span>' in html
    for card in ("retention", "churn", "repeat", "clv", "return_rate", "on_time", "edd_accuracy", "csat",
                 "response_rate"):
        assert f'id="card-{card}"' in html
    assert "cdn" not in html.lower() and "<script src=\"http" not in html


def test_every_table_exports_as_csv(admin_client, two_shops):
    mine, _ = two_shops
    tables = ["cards", "nps_by_week", "nps_by_carrier", "nps_by_lane", "nps_by_delivery", "score_distribution",
              "csat", "delivery_by_carrier", "comments"]
    for table in tables:
        resp = admin_client.get(URL, {"merchant": mine.pk, **_period(), "export": table})
        assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv"), table
        rows = list(csv.reader(io.StringIO(resp.content.decode())))
        assert len(rows) >= 1
        assert "SECRET-OTHER-TENANT" not in resp.content.decode()
    carrier_rows = list(csv.reader(io.StringIO(admin_client.get(
        URL, {"merchant": mine.pk, **_period(), "export": "nps_by_carrier"}).content.decode())))
    assert carrier_rows == [["Carrier", "Responses", "Promoters", "Passives", "Detractors", "NPS"],
                            ["cj", "2", "1", "0", "1", "0.0"]]
    assert admin_client.get(URL, {"merchant": mine.pk, **_period(), "export": "nope"}).status_code == 404


def test_csv_neutralises_formulas_in_comments(admin_client, merchant):
    shop = merchant
    survey = make_survey(OrderFactory(merchant=shop), sent_at=timezone.now() - dt.timedelta(days=2))
    answer(survey, 5, at=timezone.now() - dt.timedelta(days=1), reason="=HYPERLINK(\"http://evil\")")
    body = admin_client.get(URL, {"merchant": shop.pk, **_period(), "export": "comments"}).content.decode()
    assert "'=HYPERLINK" in body


def test_dashboard_is_staff_only(client, two_shops):
    mine, _ = two_shops
    resp = client.get(URL, {"merchant": mine.pk, **_period()})
    assert resp.status_code == 302 and "/admin/login/" in resp["Location"]
    User.objects.create_user("shopper", password="pw")
    client.login(username="shopper", password="pw")
    assert client.get(URL).status_code == 302
    User.objects.create_user("plainstaff", password="pw", is_staff=True)  # staff without the permission
    client.login(username="plainstaff", password="pw")
    assert client.get(URL).status_code == 403


def test_support_agents_see_the_dashboard(client, two_shops, support_agent):
    client.force_login(support_agent)
    assert client.get(URL).status_code == 200


def test_bad_period_is_a_form_error(admin_client, two_shops):
    mine, _ = two_shops
    html = admin_client.get(URL, {"merchant": mine.pk, "start": "2026-05-01", "end": "2026-01-01"}).content.decode()
    assert "The start date must be on or before the end date." in html
    # A merchant id the user may not see (here: none such) is a 404, so ids of other tenants are never confirmed.
    assert admin_client.get(URL, {"merchant": "999999", **_period()}).status_code == 404


def test_admin_index_links_the_dashboard(admin_client):
    assert URL in admin_client.get("/admin/").content.decode()


def test_dashboard_query_count_does_not_grow_with_data(admin_client, two_shops, django_assert_max_num_queries):
    mine, _ = two_shops
    with django_assert_max_num_queries(25):
        admin_client.get(URL, {"merchant": mine.pk, **_period()})
    for score in range(11):
        s = make_survey(OrderFactory(merchant=mine), sent_at=timezone.now() - dt.timedelta(days=3), carrier=f"c{score}")
        answer(s, score, at=timezone.now() - dt.timedelta(days=2), reason="x")
    with django_assert_max_num_queries(25):
        admin_client.get(URL, {"merchant": mine.pk, **_period()})


@pytest.fixture
def cases(merchant):
    shop = merchant
    made = []
    for due_offset, number in ((-3, "CASE-OVERDUE"), (5, "CASE-LATER")):
        survey = make_survey(OrderFactory(merchant=shop, number=number), sent_at=timezone.now() - dt.timedelta(days=1))
        response = answer(survey, 1, at=timezone.now())
        case = followup_open(survey=survey, response=response)
        FollowUpCase.objects.filter(pk=case.pk).update(due_date=timezone.localdate() + dt.timedelta(days=due_offset))
        made.append(case)
    return made


def test_detractor_queue_filters(admin_client, cases):
    overdue, later = cases
    base = "/admin/feedback/followupcase/"
    html = admin_client.get(base, {"overdue": "yes"}).content.decode()
    assert overdue.order.number in html and later.order.number not in html
    html = admin_client.get(base, {"status__exact": "open"}).content.decode()
    assert overdue.order.number in html and later.order.number in html
    html = admin_client.get(base, {"status__exact": "resolved"}).content.decode()
    assert overdue.order.number not in html


def test_staff_work_a_case_and_it_is_audited(admin_client, cases, admin_user):
    case = cases[0]
    url = f"/admin/feedback/followupcase/{case.pk}/change/"
    resp = admin_client.post(url, {"status": "resolved", "assignee": admin_user.pk, "notes": "Called, refunded",
                                   "due_date": case.due_date.isoformat(),
                                   "log-TOTAL_FORMS": "1", "log-INITIAL_FORMS": "1", "log-MIN_NUM_FORMS": "0",
                                   "log-MAX_NUM_FORMS": "1000", "log-0-id": case.log.first().pk,
                                   "log-0-case": case.pk})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    case.refresh_from_db()
    assert (case.status, case.assignee, case.notes, case.updated_by) == ("resolved", admin_user,
                                                                          "Called, refunded", admin_user)
    assert case.resolved_at is not None
    entry = case.log.get(action="changed")
    assert entry.actor == admin_user and entry.changes["status"] == ["open", "resolved"]
    html = admin_client.get("/admin/feedback/followupcase/", {"assignee__id__exact": admin_user.pk}).content.decode()
    assert case.order.number in html

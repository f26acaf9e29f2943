"""The shopper's side: one-click scores, the follow-up page, and every kind of bad input."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from feedback.models import FollowUpCase, IncentiveIssue, Survey, SurveyAnswerLog, SurveyResponse
from feedback.selectors import score_url, survey_page_url
from feedback.services import response_record
from tracking.tokens import make_token

from tests.support.feedback import make_survey, order_for, settings_for, survey_emails

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(merchant):
    return make_survey(order_for(merchant, number="HK-1"), sent_at=timezone.now() - dt.timedelta(hours=1))


def click(client, survey, score, capture):
    """The shopper clicks a score link (GET: the page, score preselected) and confirms (POST)."""
    url = score_url(survey, score, absolute=False)
    assert client.get(url).status_code == 200
    with capture(execute=True):
        return client.post(url)


def post_answer(client, survey, capture, **data):
    with capture(execute=True):
        return client.post(survey_page_url(survey, absolute=False), data)


def test_one_click_records_the_score_and_asks_why(client, survey, django_capture_on_commit_callbacks):
    resp = click(client, survey, 8, django_capture_on_commit_callbacks)
    assert resp.status_code == 302
    page = client.get(resp["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "What is the main reason for your score?" in html
    assert "We recorded your score: 8 out of 10." in html
    response = SurveyResponse.objects.get(survey=survey)
    assert response.score == 8 and response.source == "email"
    assert 'name="csrfmiddlewaretoken"' in html


def test_follow_up_answer_is_saved_and_changeable(client, survey, django_capture_on_commit_callbacks):
    click(client, survey, 8, django_capture_on_commit_callbacks)
    resp = post_answer(client, survey, django_capture_on_commit_callbacks, score="9", reason="Fast and tidy",
                       delivery_rating="5", product_rating="4", packaging_rating="")
    assert resp.status_code == 302 and resp["Location"].endswith("?saved=1")
    response = SurveyResponse.objects.get(survey=survey)
    assert (response.score, response.reason, response.delivery_rating, response.product_rating,
            response.packaging_rating) == (9, "Fast and tidy", 5, 4, None)
    # Log: the click, then the form's changes — raw values kept.
    log = list(SurveyAnswerLog.objects.filter(survey=survey).values_list("changes", flat=True))
    assert log == [{"score": [None, 8]},
                   {"score": [8, 9], "reason": ["", "Fast and tidy"], "delivery_rating": [None, 5],
                    "product_rating": [None, 4]}]


def test_replayed_clicks_never_duplicate(client, survey, django_capture_on_commit_callbacks):
    for _ in range(3):
        click(client, survey, 3, django_capture_on_commit_callbacks)
    click(client, survey, 7, django_capture_on_commit_callbacks)  # changed their mind
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyResponse.objects.get(survey=survey).score == 7
    assert SurveyAnswerLog.objects.filter(survey=survey).count() == 2  # replays log nothing
    assert FollowUpCase.objects.filter(survey=survey).count() == 1  # opened by the 3, kept as a record
    assert list(FollowUpCase.objects.get(survey=survey).log.values_list("action", flat=True)) == [
        "opened", "score_changed"]


def test_a_click_does_not_wipe_the_comment(client, survey, django_capture_on_commit_callbacks):
    post_answer(client, survey, django_capture_on_commit_callbacks, score="4", reason="Box was crushed")
    click(client, survey, 5, django_capture_on_commit_callbacks)
    response = SurveyResponse.objects.get(survey=survey)
    assert (response.score, response.reason) == (5, "Box was crushed")


def test_head_requests_from_link_scanners_record_nothing(client, survey):
    assert client.head(score_url(survey, 0, absolute=False)).status_code == 200
    assert not SurveyResponse.objects.exists()


def test_a_link_scanner_following_every_link_records_nothing(client, survey, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for score in range(11):
            page = client.get(score_url(survey, score, absolute=False))
            assert page.status_code == 200
    assert not SurveyResponse.objects.exists()
    html = page.content.decode()  # the landing page: the link's score preselected, sent by the shopper
    assert "You chose 10 out of 10." in html
    assert 'value="10" required id="id_score_10" checked' in html or 'value="10" checked' in html or \
        re.search(r'<input[^>]*value="10"[^>]*checked', html)
    assert f'action="{survey_page_url(survey, absolute=False)}"' in html


def test_sending_the_landing_page_records_the_score_and_the_reason(client, survey,
                                                                    django_capture_on_commit_callbacks):
    assert client.get(score_url(survey, 6, absolute=False)).status_code == 200
    resp = post_answer(client, survey, django_capture_on_commit_callbacks, score="6", reason="Late")
    assert resp.status_code == 302
    assert (SurveyResponse.objects.get(survey=survey).score, SurveyResponse.objects.get(survey=survey).reason) == (
        6, "Late")


@pytest.mark.parametrize("score", [-1, 11, "10", None, True, 3.5])
def test_scores_outside_0_to_10_in_a_signed_link_are_rejected(client, survey, score):
    token = make_token("nps", {"s": survey.pk, "v": score})
    assert client.get(f"/f/s/{token}/").status_code == 400
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("score", ["-1", "11", "abc", "", "5.5"])
def test_scores_outside_0_to_10_in_the_form_are_a_form_error(client, survey, score,
                                                               django_capture_on_commit_callbacks):
    resp = post_answer(client, survey, django_capture_on_commit_callbacks, score=score, reason="x")
    assert resp.status_code == 400
    assert "Choose a score from 0 to 10." in resp.content.decode()
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("rating", ["0", "6", "x"])
def test_ratings_outside_1_to_5_are_a_form_error(client, survey, rating, django_capture_on_commit_callbacks):
    resp = post_answer(client, survey, django_capture_on_commit_callbacks, score="8", delivery_rating=rating)
    assert resp.status_code == 400 and not SurveyResponse.objects.exists()


def test_service_rejects_bad_values(survey):
    for bad in ({"score": 11}, {"score": -1}, {"score": 5, "ratings": {"delivery_rating": 6}},
                {"score": 5, "reason": "x" * 5001}):
        with pytest.raises(ValueError):
            response_record(survey_id=survey.pk, source="api", **bad)
    assert not SurveyResponse.objects.exists()


def test_database_refuses_out_of_range_scores(survey):
    from django.db import IntegrityError, transaction

    for fields in ({"score": 11}, {"score": 5, "product_rating": 0}, {"score": 5, "reason": "x" * 5001}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SurveyResponse.objects.create(survey=survey, merchant=survey.merchant, source="api",
                                          answered_at=timezone.now(), **fields)


def test_a_100_kb_comment_gets_a_clear_message_and_keeps_nothing_half_written(
        client, survey, django_capture_on_commit_callbacks):
    click(client, survey, 6, django_capture_on_commit_callbacks)
    resp = post_answer(client, survey, django_capture_on_commit_callbacks, score="2", reason="A" * 100_000)
    assert resp.status_code == 400
    assert "Please shorten your answer to at most 5000 characters (it has 100000)." in resp.content.decode()
    response = SurveyResponse.objects.get(survey=survey)
    assert (response.score, response.reason) == (6, "")  # the valid score stayed, nothing else written


def test_html_in_comments_is_shown_escaped(client, survey, django_capture_on_commit_callbacks, admin_client):
    evil = '<script>alert("x")</script><b>bold</b>'
    post_answer(client, survey, django_capture_on_commit_callbacks, score="3", reason=evil)
    page = client.get(survey_page_url(survey, absolute=False)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    board = admin_client.get("/admin/feedback/dashboard/", {
        "merchant": survey.merchant.pk, "start": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "end": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}).content.decode()
    assert "&lt;script&gt;alert" in board and "<script>alert" not in board
    case = FollowUpCase.objects.get(survey=survey)
    case_page = admin_client.get(f"/admin/feedback/followupcase/{case.pk}/change/").content.decode()
    assert "&lt;script&gt;alert" in case_page and "<script>alert" not in case_page


def test_tampered_tokens_are_404(client, survey):
    url = score_url(survey, 9, absolute=False)
    token = url.split("/")[-2]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert client.get(f"/f/s/{tampered}/").status_code == 404
    assert client.get("/f/s/not-a-token/").status_code == 404
    # A token for another purpose (the order link) does not open a survey.
    assert client.get(f"/f/s/{make_token('order', {'s': survey.pk, 'v': 9})}/").status_code == 404
    assert client.get(f"/f/survey/{make_token('nps', {'s': 999999})}/").status_code == 404
    assert not SurveyResponse.objects.exists()


def test_expired_survey_shows_a_friendly_page(client, survey):
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    resp = client.get(score_url(survey, 9, absolute=False))
    assert resp.status_code == 410
    assert "This survey has closed" in resp.content.decode()
    assert client.get(survey_page_url(survey, absolute=False)).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_expired_token_shows_a_friendly_page(client, survey, monkeypatch):
    from feedback import views

    monkeypatch.setattr(views, "TOKEN_MAX_AGE", dt.timedelta(seconds=-1))
    resp = client.get(score_url(survey, 9, absolute=False))
    assert resp.status_code == 410 and "This survey has closed" in resp.content.decode()


def test_answers_in_korean_for_a_korean_shopper(client, survey, django_capture_on_commit_callbacks):
    survey.customer.locale = "ko"
    survey.customer.save()
    resp = click(client, survey, 9, django_capture_on_commit_callbacks)
    page = client.get(resp["Location"]).content.decode()
    assert "점수를 주신 가장 큰 이유는 무엇인가요?" in page


def test_detractor_opens_one_case_and_alerts_support(client, survey, django_capture_on_commit_callbacks):
    settings_for(survey.merchant, detractor_alert_email="care@acme.example", followup_due_days=3)
    click(client, survey, 2, django_capture_on_commit_callbacks)
    post_answer(client, survey, django_capture_on_commit_callbacks, score="1", reason="Late and broken")
    case = FollowUpCase.objects.get(survey=survey)
    assert case.status == "open" and case.score == 2
    assert case.due_date == timezone.localdate(timezone=__import__("zoneinfo").ZoneInfo("Asia/Seoul")) + \
        dt.timedelta(days=3)
    alerts = [m for m in mail.outbox if m.to == ["care@acme.example"]]
    assert len(alerts) == 1 and "Detractor 2/10" in alerts[0].subject
    page = client.get(survey_page_url(survey, absolute=False) + "?saved=1").content.decode()
    assert "We are sorry it was not better" in page


def test_promoter_sees_the_review_link(client, survey, django_capture_on_commit_callbacks):
    settings_for(survey.merchant, review_url="https://reviews.example.com/acme")
    click(client, survey, 10, django_capture_on_commit_callbacks)
    page = client.get(survey_page_url(survey, absolute=False) + "?saved=1").content.decode()
    assert "https://reviews.example.com/acme" in page
    assert not FollowUpCase.objects.exists()


def test_passive_sees_no_review_link(client, survey, django_capture_on_commit_callbacks):
    settings_for(survey.merchant, review_url="https://reviews.example.com/acme")
    click(client, survey, 8, django_capture_on_commit_callbacks)
    page = client.get(survey_page_url(survey, absolute=False) + "?saved=1").content.decode()
    assert "https://reviews.example.com/acme" not in page


def test_incentive_is_issued_once(client, survey, django_capture_on_commit_callbacks):
    settings_for(survey.merchant, incentive="coupon", incentive_coupon_code="THANKS10")
    click(client, survey, 9, django_capture_on_commit_callbacks)
    click(client, survey, 4, django_capture_on_commit_callbacks)
    post_answer(client, survey, django_capture_on_commit_callbacks, score="5", reason="ok")
    assert IncentiveIssue.objects.filter(survey=survey).count() == 1
    thanks = [m for m in mail.outbox if "THANKS10" in m.body]
    assert len(thanks) == 1
    page = client.get(survey_page_url(survey, absolute=False) + "?saved=1").content.decode()
    assert "THANKS10" in page


def test_store_credit_incentive(client, survey, django_capture_on_commit_callbacks):
    settings_for(survey.merchant, incentive="store_credit", incentive_amount=Decimal("3000"),
                 incentive_currency="KRW")
    click(client, survey, 9, django_capture_on_commit_callbacks)
    issue = IncentiveIssue.objects.get(survey=survey)
    assert (issue.kind, issue.amount, issue.currency) == ("store_credit", Decimal("3000.00"), "KRW")


def test_skipped_survey_cannot_be_answered(client, survey):
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SKIPPED, skip_reason="recently_surveyed")
    assert client.get(score_url(survey, 9, absolute=False)).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_email_links_lead_to_the_landing_page(survey, django_capture_on_commit_callbacks, client):
    from feedback.services import survey_send

    fresh = make_survey(order_for(survey.merchant), status=Survey.Status.SCHEDULED,
                        delivered_at=timezone.now() - dt.timedelta(days=3))
    Survey.objects.filter(pk=fresh.pk).update(scheduled_for=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        survey_send(survey_id=fresh.pk)
    links = re.findall(r"http://[^\s\"]+/f/s/[^\s\"]+/", survey_emails()[0].body)
    assert len(links) == 11
    path = links[0].split("127.0.0.1:8000", 1)[1]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(path).status_code == 200
        assert client.post(path).status_code == 302
    assert SurveyResponse.objects.get(survey=fresh).score == 0

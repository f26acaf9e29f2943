"""Complete Korean: every shopper page and every email, rendered for a Korean visitor, is Korean.

Two checks that fail for different mistakes: (1) every shopper-facing msgid (templates and the Python
modules that write shopper text) has a Korean translation; (2) the pages and emails rendered in Korean
contain no piece of an English msgid, say ``lang="ko"``, write dates in Korean order and times as a place."""
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from feedback.selectors import score_url, survey_page_url
from returns.models import Resolution, ReturnMethod, ReturnStatus
from returns.services import return_policy_ensure
from tests.factories import NotificationLogFactory, SurveyFactory
from tests.support.i18n import untranslated
from tests.support.returns import make_order
from tests.support.shopper_pages import (
    email_contexts,
    english_fragments,
    english_left,
    visible_text,
)
from tracking.carriers import status as st
from tracking.demo.seed import seed
from tracking.models import Merchant, Shipment, TrackingEvent
from tracking.notifications.services import render_message
from tracking.page.views import order_url

pytestmark = pytest.mark.django_db
HANGUL = re.compile(r"[\uac00-\ud7a3]")
ENGLISH_DATE = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|월|화|수|목|금|토|일) \d{1,2} (\d{1,2}월|[A-Z][a-z]{2})\b")


@pytest.fixture(autouse=True)
def _back_to_english():
    yield
    translation.activate("en")


@pytest.fixture
def fragments():
    return english_fragments()


@pytest.fixture
def ko(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ko-KR,ko;q=0.9"
    return client


def assert_korean(html: str, fragments: set[str], where: str, data: set[str] = frozenset()):
    """``data``: texts that are the carrier's or the store's own words (event texts), not ours to translate."""
    text = visible_text(html)
    for words in sorted(data, key=len, reverse=True):
        text = text.replace(words, " ")
    assert 'lang="ko"' in html, where
    assert HANGUL.search(text), where
    left = english_left(text, fragments)
    assert not left, f"{where}: English left on a Korean page: {left}"
    assert not ENGLISH_DATE.search(text), f"{where}: a date in English order: {ENGLISH_DATE.search(text).group(0)}"
    assert "Asia/Seoul" not in text and "America/New_York" not in text, where


def test_every_shopper_msgid_has_a_korean_translation():
    missing = untranslated("ko")
    assert not missing, "No Korean for:\n" + "\n".join(f"  {m.where}: {m.msgid!r}" for m in missing)


def test_labels_shown_from_codes_are_korean():
    with translation.override("ko"):
        for choices in (ReturnStatus, Resolution, ReturnMethod):
            for value, label in choices.choices:
                assert HANGUL.search(str(label)), (choices.__name__, value)


def test_tracking_pages_in_every_state_are_korean(ko, fragments):
    seed(scale=0.02)
    carrier_words = set(TrackingEvent.objects.values_list("carrier_text", flat=True)) - {""}
    pages = 0
    for merchant in Merchant.objects.all():
        for status in (st.INFO_RECEIVED, st.IN_TRANSIT, st.OUT_FOR_DELIVERY, st.FAILED_ATTEMPT, st.EXCEPTION,
                       st.DELIVERED):
            shipment = (Shipment.objects.filter(merchant=merchant, status=status, is_return=False)
                        .select_related("order").first())
            if shipment is None:
                continue
            response = ko.get(order_url(shipment.order))
            assert response.status_code == 200
            assert_korean(response.content.decode(), fragments, f"{merchant.slug} {status}", carrier_words)
            pages += 1
            journey = ko.get(reverse("tracking:lookup"), {"tracking_number": shipment.tracking_number})
            assert_korean(journey.content.decode(), fragments, f"journey {status}", carrier_words)
            place = "서울" if merchant.timezone == "Asia/Seoul" else "뉴욕"
            assert f"시간은 {place} 기준입니다." in visible_text(journey.content.decode())
    assert pages >= 8
    assert_korean(ko.get(reverse("tracking:lookup")).content.decode(), fragments, "lookup")
    miss = ko.post(reverse("tracking:lookup"), {"number": "XX-1", "secret": "nobody@example.com"})
    assert miss.status_code == 404
    assert_korean(miss.content.decode(), fragments, "lookup miss")


def test_error_pages_are_korean(ko, fragments):
    response = ko.get("/t/not-a-link/")
    assert response.status_code == 404
    assert_korean(response.content.decode(), fragments, "404")
    request = RequestFactory(HTTP_ACCEPT_LANGUAGE="ko").get("/")
    for template in ("400.html", "403.html", "429.html", "500.html", "tracking/page/too_many.html",
                     "tracking/page/bad_request.html"):
        with translation.override("ko"):
            html = render_to_string(template, {"merchant": None}, request=request)
        assert_korean(html, fragments, template)


def test_returns_portal_steps_and_the_return_page_are_korean(ko, merchant, fragments):
    return_policy_ensure(merchant=merchant)
    order = make_order(merchant)
    assert_korean(ko.get(reverse("returns:start")).content.decode(), fragments, "returns start")
    items = ko.post(reverse("returns:start"), {"number": order.number, "answer": order.customer.email})
    assert items.status_code == 302
    key = items["Location"].split("/")[3]
    assert_korean(ko.get(items["Location"]).content.decode(), fragments, "items")
    ko.post(items["Location"], {f"qty_{line.pk}": line.quantity for line in order.lines.all()})
    assert_korean(ko.get(reverse("returns:details", args=[key])).content.decode(), fragments, "details")
    ko.post(reverse("returns:details", args=[key]), {"reason": "doesnt_fit", "resolution": "refund"})
    assert_korean(ko.get(reverse("returns:method", args=[key])).content.decode(), fragments, "method")
    ko.post(reverse("returns:method", args=[key]), {"method": "drop_off"})
    summary = ko.get(reverse("returns:summary", args=[key])).content.decode()
    assert_korean(summary, fragments, "summary")
    assert "사이즈가 맞지 않음" in summary
    done = ko.post(reverse("returns:summary", args=[key]), {"token": key})
    assert done.status_code == 302
    page = ko.get(done["Location"]).content.decode()
    assert_korean(page, fragments, "return page")
    text = visible_text(page)
    assert "사이즈가 맞지 않음" in text and "Doesn't fit" not in text
    assert "요청됨" in text and "requested" not in text  # states from their codes, in Korean
    assert re.search(r"\d+월 \d+일 \([월화수목금토일]\)", text)  # Korean order: "12월 5일 (토)"


def test_survey_follows_the_visitor_not_the_stored_customer_language(client, merchant, fragments):
    survey = SurveyFactory(merchant=merchant, order__merchant=merchant, customer__merchant=merchant,
                           customer__locale="en")
    survey.order.customer = survey.customer
    survey.order.save()
    page = client.get(survey_page_url(survey, absolute=False), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert_korean(page, fragments, "survey page")
    english_visitor = client.get(survey_page_url(survey, absolute=False), HTTP_ACCEPT_LANGUAGE="en-US")
    assert 'lang="en"' in english_visitor.content.decode()
    clicked = client.get(score_url(survey, 9, absolute=False), HTTP_ACCEPT_LANGUAGE="ko", follow=True)
    assert_korean(clicked.content.decode(), fragments, "survey after a score click")


@pytest.mark.parametrize("kind", sorted(email_contexts()))
def test_every_email_is_korean_with_its_language_and_title(kind, merchant, fragments):
    log = NotificationLogFactory(order__merchant=merchant, order__customer__merchant=merchant,
                                 order__customer__locale="ko", kind=kind, context=email_contexts()[kind])
    message = render_message(log)
    assert HANGUL.search(message.subject), kind
    assert_korean(message.html, fragments, f"{kind}.html")
    title = re.search(r"<title>(.*?)</title>", message.html, re.DOTALL).group(1).strip()
    assert title == message.subject
    left = english_left(visible_text(message.text), fragments)
    assert not left, f"{kind}.txt: {left}"
    assert "KRW" not in message.text + message.html  # amounts go through the one formatter
    if kind in ("return_resolved", "nps_thanks"):
        amount = "39,543원" if kind == "return_resolved" else "5,000원"
        assert amount in message.text and amount in message.html



def test_the_demo_carriers_return_instructions_follow_the_shopper(ko, merchant, fragments):
    return_policy_ensure(merchant=merchant)
    order = make_order(merchant)
    items = ko.post(reverse("returns:start"), {"number": order.number, "answer": order.customer.email})
    key = items["Location"].split("/")[3]
    ko.post(items["Location"], {f"qty_{line.pk}": line.quantity for line in order.lines.all()})
    ko.post(reverse("returns:details", args=[key]), {"reason": "changed_mind", "resolution": "refund"})
    ko.post(reverse("returns:method", args=[key]), {"method": "drop_off"})
    done = ko.post(reverse("returns:summary", args=[key]), {"token": key})
    text = visible_text(ko.get(done["Location"]).content.decode())
    assert "프린터가 필요 없습니다" in text and "no printer needed" not in text

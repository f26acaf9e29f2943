"""A shopper answers the NPS email in a real browser; a staff member finds the answer on the
dashboard and the detractor case in the queue."""
import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from feedback.models import FollowUpCase, SurveyResponse, SurveySettings
from feedback.tasks import send_due_surveys
from tests.factories import OrderFactory, ShipmentFactory
from tracking.carriers import status as st
from tracking.services.shipments import NewEvent, shipment_add_events

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def survey_email_for_delivered_order(merchant):
    SurveySettings.objects.create(merchant=merchant, delay_hours=0)
    order = OrderFactory(merchant=merchant, number="HK-2001", customer__email="mina@example.com")
    shipment = ShipmentFactory(order=order)
    # Autocommit (transactional test): the delivered signal and the eager Celery tasks run for real.
    shipment_add_events(shipment=shipment, source="webhook", events=[
        NewEvent(occurred_at=timezone.now() - dt.timedelta(minutes=5), status=st.DELIVERED)])
    send_due_surveys.delay()
    [email] = [m for m in mail.outbox if "recommend" in m.subject]
    return merchant, order, email


def test_shopper_answers_and_staff_follow_up(live_server, page, settings, merchant, admin_user):
    merchant, order, email = survey_email_for_delivered_order(merchant)
    links = re.findall(r"http://\S+/f/s/\S+/", email.body)
    assert len(links) == 11
    score_3 = links[3].replace(settings.DOORSTEP_BASE_URL, live_server.url)

    # The shopper clicks "3" in the email (the page opens with 3 chosen; nothing is recorded by the
    # click itself, so a mail scanner following the links leaves no score), explains why and sends.
    page.goto(score_3)
    page.get_by_text("You chose 3 out of 10.").wait_for()
    assert not SurveyResponse.objects.filter(survey__order=order).exists()
    page.get_by_label("What is the main reason for your score?").fill("The box arrived <b>crushed</b>")
    page.locator("#id_delivery_rating input[value='2']").check()
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you for your feedback!").wait_for()
    assert page.get_by_text("We are sorry it was not better.").is_visible()
    response = SurveyResponse.objects.get(survey__order=order)
    assert (response.score, response.reason, response.delivery_rating) == (3, "The box arrived <b>crushed</b>", 2)

    # Support staff log in and open the dashboard from the admin index.
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill("password")  # pytest-django's admin_user
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="NPS & retention dashboard").first.click()
    page.get_by_role("heading", name=re.compile("Acme")).wait_for()
    assert page.locator("#card-nps .fb-card-value").inner_text() == "-100.0"
    comments = page.locator(".fb-comments")
    assert "The box arrived <b>crushed</b>" in comments.inner_text()  # shown as text, not markup
    assert comments.locator("b").count() == 0
    assert page.locator("svg.fb-svg").count() >= 4

    # …and the detractor case waits in the queue.
    page.goto(f"{live_server.url}/admin/feedback/followupcase/?status__exact=open")
    page.get_by_role("link", name="HK-2001").wait_for()
    assert FollowUpCase.objects.filter(survey__order=order, status="open").count() == 1

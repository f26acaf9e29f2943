"""The survey also appears on the order's tracking page once it is delivered."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import SurveyResponse
from tracking.carriers import status as st
from tracking.tokens import make_token

from tests.support.feedback import deliver, order_for, set_status, settings_for, shipment_for

pytestmark = pytest.mark.django_db


def page(client, order):
    return client.get(reverse("tracking:order_link", args=[make_token("order", {"o": order.pk})])).content.decode()


def test_survey_shows_on_the_tracking_page_after_delivery_and_records_clicks(
        merchant, client, django_capture_on_commit_callbacks):
    settings_for(merchant, delay_hours=48)
    order = order_for(merchant)
    shipment = shipment_for(order)
    set_status(shipment, st.IN_TRANSIT, timezone.now() - dt.timedelta(hours=3), django_capture_on_commit_callbacks)
    assert "How likely are you to recommend Acme?" not in page(client, order)

    deliver(shipment, timezone.now() - dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    html = page(client, order)  # the survey row was made after the page's data changed: not a stale cache
    assert "How likely are you to recommend Acme?" in html
    links = [line for line in html.split('"') if line.startswith("/f/s/")]
    assert len(links) == 11
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(links[9]).status_code == 200  # the landing page: nothing recorded yet
        assert client.post(links[9]).status_code == 302  # the shopper confirms
    response = SurveyResponse.objects.get(survey__order=order)
    assert (response.score, response.source) == (9, "tracking")
    assert "You gave us 9 out of 10." in page(client, order)


def test_no_survey_block_for_a_skipped_survey(merchant, client, django_capture_on_commit_callbacks):
    settings_for(merchant, enabled=False)
    order = order_for(merchant)
    deliver(shipment_for(order), timezone.now() - dt.timedelta(hours=1), django_capture_on_commit_callbacks)
    assert "How likely are you to recommend" not in page(client, order)

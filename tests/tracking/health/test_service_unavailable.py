"""A database (or broker) outage during a view answers a friendly, branded 503 with Retry-After — a
problem document under /api/ — never a 500."""
from unittest import mock

import pytest
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError("server closed the connection unexpectedly"),
                                   BrokerError("Error 111 connecting to redis")])
def test_a_page_whose_backing_service_is_down_is_a_branded_503(client, error):
    with mock.patch("tracking.page.views.merchant_for_lookup", side_effect=error):
        response = client.get("/track/acme/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "We will be right back" in html and "Nothing you sent us is lost" in html


def test_the_api_answers_a_problem_document(client, merchant):
    from tests.support.api import KeyClient

    api = KeyClient(merchant)
    with mock.patch("tracking.api.orders.OrderDetailApi.get", side_effect=OperationalError("gone")):
        response = api.get("/api/v1/orders/1001/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 503


def test_other_errors_are_not_disguised(client):
    with mock.patch("tracking.page.views.merchant_for_lookup", side_effect=ValueError("a bug")), \
            pytest.raises(ValueError):
        client.get("/track/acme/")


def test_the_503_page_is_in_korean_for_korean_visitors(client):
    with mock.patch("tracking.page.views.merchant_for_lookup", side_effect=OperationalError("down")):
        response = client.get("/track/acme/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "잠시 후 다시 이용해 주세요" in response.content.decode()

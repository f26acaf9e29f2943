"""Error pages are the shop's pages too: branded, in the visitor's language, with a way back."""
import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, heading, way_back", [
    ("en", "find that page", "Track an order"),
    ("ko", "페이지를 찾을 수 없습니다", "주문 조회"),
])
def test_not_found_is_branded_translated_and_leads_back(client, language, heading, way_back):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in body and heading in body
    assert way_back in body and 'href="/track/"' in body


@pytest.mark.parametrize("language, heading", [("en", "Something went wrong on our side"),
                                               ("ko", "일시적인 오류가 발생했습니다")])
@override_settings(ROOT_URLCONF="tests.tracking.page.error_urls")
def test_a_server_error_is_branded_and_translated(language, heading):
    response = Client(raise_request_exception=False).get("/boom/", HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}">' in body and heading in body and 'href="/track/"' in body


@pytest.mark.parametrize("language, heading, way_back", [("en", "Too many attempts", "Back to order lookup"),
                                                         ("ko", "시도 횟수 초과", "주문 조회로 돌아가기")])
def test_too_many_lookups_is_a_branded_429_with_a_way_back(client, settings, merchant, language, heading, way_back):
    settings.DOORSTEP_LOOKUP_MAX_FAILURES = 1
    url = f"/track/{merchant.slug}/"
    client.post(url, {"number": "NOPE-1", "secret": "x@example.com"}, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(url, {"number": "NOPE-1", "secret": "x@example.com"}, HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 429
    assert f'<html lang="{language}">' in body and heading in body and way_back in body
    assert f'href="/track/{merchant.slug}/"' in body and merchant.name in body

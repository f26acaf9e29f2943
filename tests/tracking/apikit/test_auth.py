import pytest
from rest_framework.test import APIClient

from tests.support.api import KeyClient, order_body, problem_fields
from tracking.models import ApiKey, Order
from tracking.apikit.keys import api_key_authenticate, api_key_revoke

pytestmark = pytest.mark.django_db


def _assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_key_is_stored_hashed_with_visible_prefix(merchant):
    client = KeyClient(merchant)
    assert client.raw_key.startswith("ds_live_")
    assert client.key.prefix == client.raw_key[:20]
    assert client.raw_key not in client.key.key_hash
    assert api_key_authenticate(raw_key=client.raw_key) == client.key


def test_missing_key_is_401_problem_with_challenge(db):
    response = APIClient().get("/api/v1/shipments/")
    _assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer ds_live_000000000000nope", "Bearer nope", "Basic abc", "Bearer"])
def test_invalid_key_is_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    _assert_problem(client.get("/api/v1/orders/"), 401)


def test_key_with_right_prefix_but_wrong_secret_is_401(api):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api.raw_key[:-3]}xyz")
    _assert_problem(client.get("/api/v1/orders/"), 401)


def test_revoked_key_is_401(api):
    assert api.get("/api/v1/orders/").status_code == 200
    api_key_revoke(key=api.key)
    body = _assert_problem(api.get("/api/v1/orders/"), 401)
    assert "revoked" in body["detail"]


def test_read_only_key_can_read_but_not_write(merchant, variants):
    client = KeyClient(merchant, scope=ApiKey.Scope.READ)
    assert client.get("/api/v1/orders/").status_code == 200
    _assert_problem(client.post("/api/v1/orders/", order_body(), format="json"), 403)
    assert not Order.objects.exists()


def test_last_used_at_is_recorded(api):
    assert api.key.last_used_at is None
    api.get("/api/v1/orders/")
    api.key.refresh_from_db()
    assert api.key.last_used_at is not None


def test_unknown_api_path_is_404_problem(api):
    _assert_problem(api.get("/api/v1/nothing-here/"), 404)


def test_wrong_method_is_405_problem(api):
    _assert_problem(api.delete("/api/v1/orders/"), 405)


def test_wrong_content_type_is_415_problem(api):
    _assert_problem(api.post("/api/v1/orders/", "number=1", content_type="application/x-www-form-urlencoded"), 415)


def test_malformed_json_is_400_problem(api):
    _assert_problem(api.post("/api/v1/orders/", "{nope", content_type="application/json"), 400)


def test_throttled_per_key_with_retry_after(api, other_api, settings):
    settings.DOORSTEP_API_RATE = "3/min"
    for _ in range(3):
        assert api.get("/api/v1/orders/").status_code == 200
    response = api.get("/api/v1/orders/")
    body = _assert_problem(response, 429)
    assert int(response["Retry-After"]) >= 1
    assert "throttled" in body["detail"].lower()
    # Another merchant's key has its own bucket.
    assert other_api.get("/api/v1/orders/").status_code == 200


def test_validation_problem_names_fields(api, variants):
    body = order_body()
    del body["number"]
    body["lines"][1]["quantity"] = -2
    body["currency"] = "XXX"
    response = api.post("/api/v1/orders/", body, format="json")
    _assert_problem(response, 400)
    assert problem_fields(response) == {"number", "lines.1.quantity", "currency"}
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert "#/lines/1/quantity" in pointers


def test_admin_creates_key_shown_once_and_revokes(admin_client, merchant):
    response = admin_client.post("/admin/tracking/apikey/add/",
                                 {"merchant": merchant.pk, "name": "Shop sync", "scope": "read"}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"] if str(m).startswith("Copy this API key")]
    assert len(shown) == 1
    raw_key = shown[0].split(": ")[-1]
    key = ApiKey.objects.get()
    assert key.scope == "read" and key.created_by is not None and raw_key.startswith(key.prefix)
    assert api_key_authenticate(raw_key=raw_key) == key
    page = admin_client.get(f"/admin/tracking/apikey/{key.pk}/change/").content.decode()
    assert raw_key not in page and key.prefix in page
    admin_client.post("/admin/tracking/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    assert api_key_authenticate(raw_key=raw_key) is None

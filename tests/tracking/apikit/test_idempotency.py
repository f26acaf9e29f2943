from datetime import timedelta

import pytest
from django.utils import timezone

from tests.support.api import order_body
from tracking.apikit.idempotency import idempotency_records_purge
from tracking.models import IdempotencyRecord, Order, OrderLine
from tracking.apikit.tasks import purge_idempotency_records

pytestmark = pytest.mark.django_db


def test_same_key_same_body_replays_without_doing_the_work(api, variants, django_assert_max_num_queries):
    first = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    Order.objects.filter(number="1001").update(payment_reference="changed-since")
    # Key lookup, claim attempt (savepoint, insert, rollback) and reading the stored response: no order work.
    with django_assert_max_num_queries(6):
        second = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Order.objects.get().payment_reference == "changed-since"


def test_same_key_different_body_is_422(api, variants):
    api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    response = api.post("/api/v1/orders/", order_body(number="1002"), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 422
    assert response.json()["type"].endswith("idempotency-key-reused")
    assert Order.objects.count() == 1


def test_same_key_on_another_endpoint_is_422(api, variants):
    api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    body = {"external_id": "p", "title": "P"}
    assert api.post("/api/v1/products/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 422


def test_in_progress_key_is_409(api, variants):
    # What a concurrent request sees: the first one holds the row (the unique constraint is the lock).
    from tracking.apikit.idempotency import request_fingerprint  # noqa: F401  (same hashing as the view)

    api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    IdempotencyRecord.objects.filter(key="k1").update(state=IdempotencyRecord.State.IN_PROGRESS,
                                                     response_body=None, response_status=None)
    response = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 409 and response["Retry-After"] == "1"


def test_failed_request_releases_the_key(api, variants):
    bad = order_body(skus=("NOPE",))
    assert api.post("/api/v1/orders/", bad, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 422
    assert not IdempotencyRecord.objects.exists()
    assert api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 201


def test_keys_are_per_merchant(api, other_api, variants):
    api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = other_api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 422  # other merchant has no such SKUs: the work ran, not a replay
    assert "Idempotent-Replayed" not in response


def test_expired_key_can_be_reused(api, variants):
    api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = api.post("/api/v1/orders/", order_body(number="2"), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


def test_invalid_key_header_is_400(api, variants):
    response = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 300)
    assert response.status_code == 400
    assert not OrderLine.objects.exists()


def test_purge_removes_records_older_than_a_day(api, variants):
    api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="old")
    api.post("/api/v1/orders/", order_body(number="2"), format="json", HTTP_IDEMPOTENCY_KEY="new")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_idempotency_records.delay().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    assert idempotency_records_purge() == 0

import time

import pytest

from tests.factories import MerchantFactory
from tracking.carriers.mock import sign_webhook, webhook_payload
from tracking.carriers.registry import adapter_class
from tracking.ingest.accounts import carrier_account_create

from tests.tracking.fakes import PollOnlyCarrier

SECRET = "whsec_test_0123456789abcdef"


@pytest.fixture
def merchant(db):
    return MerchantFactory(slug="acme")


@pytest.fixture
def account(merchant):
    return carrier_account_create(merchant=merchant, carrier="mock", webhook_secret=SECRET).account


@pytest.fixture
def fake_carriers(settings):
    settings.DOORSTEP_CARRIERS = {**settings.DOORSTEP_CARRIERS, "pollonly": "tests.tracking.fakes.PollOnlyCarrier"}
    adapter_class.cache_clear()
    PollOnlyCarrier.script = {}
    PollOnlyCarrier.calls = []
    yield PollOnlyCarrier
    adapter_class.cache_clear()


def signed(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict:
    headers = sign_webhook(secret, body, int(time.time() if timestamp is None else timestamp))
    headers.pop("Content-Type", None)
    return headers


def post(client, account_or_id, body: bytes, headers: dict | None = None, query: str = ""):
    public_id = getattr(account_or_id, "public_id", account_or_id)
    return client.post(f"/webhooks/carriers/{public_id}/{query}", data=body, content_type="application/json",
                       headers=headers or {})


@pytest.fixture
def deliver(client, account, django_capture_on_commit_callbacks):
    """Post a signed mock delivery and run what it enqueued (Celery is eager in tests)."""
    def _deliver(tracking_number, events, delivery_id, *, estimated_delivery=None, secret=SECRET):
        body = webhook_payload(tracking_number, events, delivery_id, estimated_delivery=estimated_delivery)
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, account, body, signed(body, secret))
    return _deliver


@pytest.fixture(autouse=True)
def _fresh_account_cache():
    from tracking.ingest.drain import drain_schedule_forget

    drain_schedule_forget()
    yield
    drain_schedule_forget()

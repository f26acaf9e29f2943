import pytest

from tests.support.fakes import PollOnlyCarrier
from tests.support.webhooks import SECRET, post, signed
from tracking.carriers.mock import webhook_payload
from tracking.carriers.registry import adapter_class
from tracking.ingest.accounts import carrier_account_create


@pytest.fixture
def account(merchant):
    return carrier_account_create(merchant=merchant, carrier="mock", webhook_secret=SECRET).account


@pytest.fixture
def fake_carriers(settings):
    settings.DOORSTEP_CARRIERS = {**settings.DOORSTEP_CARRIERS, "pollonly": "tests.support.fakes.PollOnlyCarrier"}
    adapter_class.cache_clear()
    PollOnlyCarrier.script = {}
    PollOnlyCarrier.calls = []
    yield PollOnlyCarrier
    adapter_class.cache_clear()


@pytest.fixture
def deliver(client, account, django_capture_on_commit_callbacks):
    """Post a signed mock delivery and run what it enqueued (Celery is eager in tests)."""
    def _deliver(tracking_number, events, delivery_id, *, estimated_delivery=None, secret=SECRET):
        body = webhook_payload(tracking_number, events, delivery_id, estimated_delivery=estimated_delivery)
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, account, body, signed(body, secret))
    return _deliver

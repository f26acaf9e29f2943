"""One rate limit per provider account across workers (the shared cache), capped by the provider's
published limit, counted per process while the shared cache is unreachable; polls, callback
re-tracks and webhook registrations all spend the same account budget."""
from datetime import UTC, datetime, timedelta

import pytest
import responses
from django.core.cache import cache

from tests.factories import ShipmentFactory
from tracking.ingest import ratelimit
from tracking.ingest.accounts import carrier_account_create
from tracking.ingest.polling import PollContext
from tracking.ingest.registrations import webhook_registrations_renew

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 9, 0, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()
    ratelimit._local.clear()


def test_the_budget_is_shared_by_every_caller_of_one_account():
    assert [ratelimit.take("trackerdelivery:7", 3, now=NOW) for _ in range(4)] == [True, True, True, False]
    assert ratelimit.take("trackerdelivery:8", 3, now=NOW)  # another account has its own
    assert ratelimit.take("trackerdelivery:7", 3, now=NOW + timedelta(minutes=1))  # the next minute


def test_the_providers_published_limit_caps_the_accounts_own(settings):
    settings.DOORSTEP_PROVIDER_RATE_LIMITS = {"trackerdelivery": 20}
    assert ratelimit.effective_limit("trackerdelivery", 600) == 20
    assert ratelimit.effective_limit("trackerdelivery", 5) == 5
    assert ratelimit.effective_limit("mock", 5) == 5


def test_without_the_shared_cache_each_process_counts_on_its_own(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "add", down)
    assert [ratelimit.take("koreapost:1", 2, now=NOW) for _ in range(3)] == [True, True, False]


def test_polls_use_the_capped_limit(merchant, settings):
    settings.DOORSTEP_PROVIDER_RATE_LIMITS = {"trackerdelivery": 12}
    account = carrier_account_create(merchant=merchant, carrier="trackerdelivery", api_key="id:secret",
                                     poll_rate_limit_per_minute=600).account
    shipment = ShipmentFactory(order__merchant=merchant, carrier="trackerdelivery", tracking_number="1234567890")
    _adapter, key, limit = PollContext("trackerdelivery").for_shipment(shipment)
    assert (key, limit) == (f"trackerdelivery:{account.pk}", 12)


def test_registrations_stop_for_the_run_when_the_account_budget_is_spent(merchant, settings):
    settings.DOORSTEP_PROVIDER_RATE_LIMITS = {"trackerdelivery": 2}
    carrier_account_create(merchant=merchant, carrier="trackerdelivery", api_key="id:secret",
                           options={"carrier_code": "kr.cjlogistics"})
    for n in range(5):
        ShipmentFactory(order__merchant=merchant, carrier="trackerdelivery", tracking_number=f"12345678{n:02d}")
    with responses.RequestsMock() as api:
        api.post("https://apis.tracker.delivery/graphql", json={"data": {"registerTrackWebhook": True}})
        assert webhook_registrations_renew()["registered"] == 2
        assert len(api.calls) == 2

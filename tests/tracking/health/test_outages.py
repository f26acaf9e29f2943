"""Redis trouble degrades, never stalls: with the cache and broker on a real redis-server that the test
stops (connections refused) or freezes (SIGSTOP: connections hang), webhooks are acknowledged and
stored, pages and lookups answer from the database, /healthz answers, /readyz says what is down —
each at the cost of a bounded number of attempts at Redis (the breakers, tracking.resilience), not a
socket timeout per call. After recovery every stored delivery is processed exactly once."""
import time
from datetime import timedelta
from unittest import mock

import pytest
from celery import Celery
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from tests.support.page import order_link
from tests.support.redis_server import REDIS_SERVER, RedisServer
from tests.support.webhooks import SECRET, mock_body, post, signed
from tracking.ingest.accounts import carrier_account_create
from tracking.ingest.webhooks import inbound_webhooks_sweep
from tracking.memo import memos_clear
from tracking.models import InboundWebhook
from tracking.resilience import breaker_for, breakers_reset, broker_breaker

pytestmark = [pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server binary"),
              pytest.mark.django_db]

V = InboundWebhook.Verdict


@pytest.fixture
def redis_server():
    server = RedisServer().start()  # a free port: xdist workers run side by side
    yield server
    server.cleanup()


@pytest.fixture
def redis_everywhere(redis_server):
    """Cache and broker on the test's redis-server, configured as in production (short timeouts),
    with breakers that stay open for the whole test so attempts can be counted."""
    options = {**settings.DOORSTEP_REDIS_CACHE_OPTIONS, "SOCKET_CONNECT_TIMEOUT": 0.3, "SOCKET_TIMEOUT": 0.3}
    caches = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_server.url(0),
                          "OPTIONS": options}}
    broker = Celery("outage-test", set_as_current=False)
    broker.conf.broker_url = redis_server.url(1)
    broker.conf.broker_transport_options = {**settings.DOORSTEP_REDIS_BROKER_TRANSPORT_OPTIONS,
                                            "socket_connect_timeout": 0.3, "socket_timeout": 0.3}
    broker.conf.broker_connection_timeout = 2

    class DrainTask:  # what drain.py publishes, sent through the real broker (not run eagerly)
        name = "tracking.ingest.tasks.drain_inbound_webhooks"
        app = broker

        def apply_async(self, args=None, kwargs=None, **options):
            return broker.send_task(self.name, args=args, kwargs=kwargs, **options)

    with override_settings(CACHES=caches, DOORSTEP_REDIS_RETRY_AFTER_SECONDS=600), \
            mock.patch("tracking.ingest.tasks.drain_inbound_webhooks", DrainTask()):
        breakers_reset()
        yield redis_server
        breakers_reset()
    broker.close()


def cache_breaker(server):
    return breaker_for(f"redis 127.0.0.1:{server.port}")


@pytest.fixture
def account(merchant):
    return carrier_account_create(merchant=merchant, carrier="mock", webhook_secret=SECRET).account


def deliver(client, account, serial, commit_hooks):
    body = mock_body(serial, f"dlv_{serial}")
    with commit_hooks(execute=True):
        return post(client, account, body, signed(body))


def test_the_fixture_really_talks_to_redis(redis_everywhere, client, account, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    cache.set("probe", "here")
    assert cache.get("probe") == "here"
    assert deliver(client, account, 1, django_capture_on_commit_callbacks).status_code == 202
    assert broker_breaker.trips == 0 and cache_breaker(redis_everywhere).trips == 0


@pytest.mark.parametrize("outage", ["refusing", "frozen"])
def test_webhooks_are_acknowledged_and_stored_while_redis_is_down_then_processed_once(
        outage, redis_everywhere, client, account, django_capture_on_commit_callbacks):
    assert deliver(client, account, 0, django_capture_on_commit_callbacks).status_code == 202  # warm
    if outage == "refusing":
        redis_everywhere.stop()
    else:
        redis_everywhere.freeze()
    memos_clear()
    started = time.monotonic()
    statuses = [deliver(client, account, n, django_capture_on_commit_callbacks).status_code for n in range(1, 21)]
    assert statuses == [202] * 20
    # One try at the broker and at most a couple at the cache for all twenty, not a timeout each.
    assert broker_breaker.attempts - 1 <= 1 and broker_breaker.trips <= 1
    assert cache_breaker(redis_everywhere).trips <= 2
    assert time.monotonic() - started < 30  # a guard against a hang, not a speed claim
    assert InboundWebhook.objects.filter(verdict=V.ACCEPTED, processed_at__isnull=True).count() >= 20

    # Recovery: Redis back, breakers closed, the sweeper's run re-queues every stored row (eagerly here).
    if outage == "refusing":
        redis_everywhere.start()
    else:
        redis_everywhere.thaw()
    breakers_reset()
    with override_settings(DOORSTEP_WEBHOOK_SWEEP_AFTER=timedelta(0)):
        inbound_webhooks_sweep(now=timezone.now() + timedelta(seconds=1))
    rows = InboundWebhook.objects.filter(verdict=V.ACCEPTED)
    assert rows.count() == 21
    assert set(rows.values_list("processing_attempts", flat=True)) == {1}  # processed exactly once each
    assert rows.filter(processed_at__isnull=True).count() == 0


@pytest.mark.parametrize("outage", ["refusing", "frozen"])
def test_pages_and_lookups_render_from_the_database_while_redis_is_down(outage, redis_everywhere, client, order,
                                                                        in_transit):
    link = order_link(order)
    assert client.get(link).status_code == 200
    if outage == "refusing":
        redis_everywhere.stop()
    else:
        redis_everywhere.freeze()
    memos_clear()
    started = time.monotonic()
    for n in range(10):
        page = client.get(link)
        assert page.status_code == 200 and "#1001" in page.content.decode()
        found = client.post("/track/acme/", {"number": "#1001", "secret": "mina@example.com"},
                            REMOTE_ADDR=f"10.0.0.{n}")
        assert found.status_code == 302
        wrong = client.post("/track/acme/", {"number": "#1001", "secret": "nobody@example.com"},
                            REMOTE_ADDR=f"10.0.1.{n}")
        assert wrong.status_code == 404
    assert cache_breaker(redis_everywhere).trips <= 2
    assert time.monotonic() - started < 30


def test_healthz_answers_without_the_database_or_redis(redis_everywhere, client, django_assert_num_queries):
    redis_everywhere.freeze()
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert cache_breaker(redis_everywhere).attempts == 0


def test_readyz_reports_each_dependency(redis_everywhere, client):
    with override_settings(CELERY_BROKER_URL=redis_everywhere.url(1)), \
            mock.patch("tracking.health.views._broker_app", return_value=redis_everywhere_broker(redis_everywhere)):
        healthy = client.get("/readyz")
        assert healthy.status_code == 200, healthy.content
        assert healthy.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}

        redis_everywhere.freeze()
        frozen = client.get("/readyz")
        assert frozen.status_code == 503
        assert frozen.json() == {"status": "unavailable", "database": "ok", "cache": "unavailable",
                                 "broker": "unavailable"}

        redis_everywhere.thaw()
        redis_everywhere.stop()
        breakers_reset()
        stopped = client.get("/readyz")
        assert stopped.status_code == 503
        assert stopped.json()["cache"] == stopped.json()["broker"] == "unavailable"

        redis_everywhere.start()
        breakers_reset()
        assert client.get("/readyz").status_code == 200


def redis_everywhere_broker(server):
    app = Celery("readyz-test", set_as_current=False)
    app.conf.broker_url = server.url(1)
    app.conf.broker_transport_options = {**settings.DOORSTEP_REDIS_BROKER_TRANSPORT_OPTIONS,
                                         "socket_connect_timeout": 0.3, "socket_timeout": 0.3}
    return app


def test_periodic_job_locks_fail_closed_while_redis_is_frozen(redis_everywhere):
    from tracking.locks import single_run

    with single_run("job", timeout=60) as mine:
        assert mine
    redis_everywhere.freeze()
    started = time.monotonic()
    for _ in range(5):
        with single_run("job", timeout=60) as mine:
            assert mine is False  # skipped: the next beat tick runs it, two schedulers never both do
    assert cache_breaker(redis_everywhere).trips <= 1
    assert time.monotonic() - started < 30

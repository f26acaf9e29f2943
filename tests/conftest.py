"""Fixtures every test can use: Celery runs eagerly, caches and in-process memos start empty, passwords
hash fast, and the shops and users most tests need (``merchant``, ``other_merchant``, ``support_agent``;
pytest-django's ``admin_user``/``admin_client`` are the superuser). Plain helpers live in tests/support/,
factories for every model in tests/factories/."""
import datetime
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from config.celery import app as celery_app
from tests.factories import MerchantFactory, UserFactory
from tests.support.fakes import RecordingSleep


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run inline in tests unless a test talks to a real worker (marker celery_worker)."""
    if request.node.get_closest_marker("celery_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(scope="session", autouse=True)
def _own_redis_cache_per_xdist_worker():
    """With Redis as the cache, each xdist worker gets its own database: cache.clear() is a FLUSHDB,
    and one worker must not wipe another's rate-limit counters or cached pages mid-test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    backend = settings.CACHES["default"]["BACKEND"]
    if not worker.startswith("gw") or not backend.endswith("RedisCache"):
        yield
        return
    parts = urlsplit(settings.CACHES["default"]["LOCATION"])
    base_db = int(parts.path.strip("/") or 0)
    db = (base_db + 1 + int(worker[2:])) % 16
    location = urlunsplit(parts._replace(path=f"/{db}"))
    with override_settings(CACHES={"default": {**settings.CACHES["default"], "LOCATION": location}}):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters, cached pages and every in-process memo must not leak from one test into the next."""
    from tracking.ingest.drain import drain_schedule_forget
    from tracking.memo import memos_clear
    from tracking.resilience import breakers_reset

    def forget():
        breakers_reset()
        cache.clear()
        memos_clear()
        drain_schedule_forget()

    forget()
    yield
    forget()


@pytest.fixture
def sleeper():
    """Hand to a client or provider in place of time.sleep: retries run at once, waits are recorded
    (``sleeper.waits``)."""
    return RecordingSleep()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # admin_client/login hash passwords; PBKDF2's deliberate slowness costs seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Equal quiet-hour bounds = no quiet hours, so messages go out whatever the time the suite runs.
NO_QUIET_HOURS = {"quiet_hours_start": datetime.time(0), "quiet_hours_end": datetime.time(0)}


@pytest.fixture
def merchant(db):
    """The shop most tests run in: Acme, a Korean store (KRW, KR, Asia/Seoul) without quiet hours,
    with an FAQ page and a support phone. A test that needs another configuration builds its own
    shop with MerchantFactory (or names its fixture differently)."""
    return MerchantFactory(slug="acme", name="Acme", currency="KRW", country="KR", timezone="Asia/Seoul",
                           faq_url="https://acme.example.com/faq", support_phone="+82 2 123 4567", **NO_QUIET_HOURS)


@pytest.fixture
def other_merchant(db):
    """A second shop configured like ``merchant``, for tenant-isolation tests: Globex."""
    return MerchantFactory(slug="globex", name="Globex", currency="KRW", country="KR", timezone="Asia/Seoul",
                           **NO_QUIET_HOURS)


@pytest.fixture
def support_agent(db):
    """A staff user in the support-agent group (what most support staff are), without superuser rights."""
    from django.contrib.auth.models import Group

    from tracking.staff.roles import SUPPORT_AGENT

    return UserFactory(username="agent", groups=[Group.objects.get(name=SUPPORT_AGENT)])

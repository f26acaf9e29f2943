import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from config.celery import app as celery_app


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
    from tracking.memo import memos_clear

    cache.clear()
    memos_clear()
    yield
    cache.clear()
    memos_clear()

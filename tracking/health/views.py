"""Probes for load balancers and orchestrators.

* ``/healthz`` — liveness: the process answers. Touches neither the database nor Redis, so an outage
  of either never gets healthy web processes restarted (they degrade and recover on their own).
* ``/readyz`` — readiness: database, cache and broker checked each, with a short timeout; 200 when
  all answer, else 503. The JSON says which one failed.
"""
from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_cache() -> str:
    key, token = "readyz:probe", uuid.uuid4().hex
    cache.set(key, token, 10)
    # With IGNORE_EXCEPTIONS an unreachable cache reads as a miss, not an error.
    if cache.get(key) != token:
        raise ConnectionError("cache did not return what was written")
    return "ok"


def _broker_app():
    from config.celery import app

    return app


def _check_broker() -> str:
    with _broker_app().connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=2)
        conn.default_channel  # noqa: B018 — opens a channel: the broker really answers
    return "ok"


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@require_GET
@never_cache
def readyz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 — a probe reports, never raises
            logger.warning("readiness: %s unavailable: %s", name, exc)
            results[name] = "unavailable"
    ready = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", **results}, status=200 if ready else 503)

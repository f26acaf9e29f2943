"""A backing service that is down answers a friendly, branded 503 (with Retry-After), never a 500.

Cache errors never get here (an unreachable cache reads as empty, tracking.resilience); this catches
what a view cannot do without: the database, or a broker or Redis call that a view makes directly."""
from __future__ import annotations

import logging

import redis
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import JsonResponse
from django.template.response import TemplateResponse
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError, BrokerError, redis.exceptions.ConnectionError,
               redis.exceptions.TimeoutError)
RETRY_AFTER_SECONDS = 30


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, UNAVAILABLE):
        return True
    # psycopg reports a lost server as a DatabaseError subclass on some paths.
    return isinstance(exc, DatabaseError) and "connection" in str(exc).lower()


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not _is_outage(exc):
            return None
        logger.error("503 for %s: a backing service is unavailable: %r", request.path, exc)
        if request.path.startswith(("/api/", "/webhooks/")):
            response = JsonResponse({"type": "about:blank", "title": "Service temporarily unavailable",
                                     "status": 503, "detail": "Please retry shortly."},
                                    status=503, content_type="application/problem+json")
        else:
            response = TemplateResponse(request, "503.html", status=503)
            response.render()
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

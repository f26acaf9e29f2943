"""Guards in front of every view.

ServiceUnavailableMiddleware: a backing service that is down answers a friendly, branded 503 (with
Retry-After), never a 500.

Cache errors never get here (an unreachable cache reads as empty, tracking.resilience); this catches
what a view cannot do without: the database, or a broker or Redis call that a view makes directly.

RequestSizeLimitMiddleware: an over-long request is refused (413) before its body is read."""
from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError, BrokerError, redis.exceptions.ConnectionError,
               redis.exceptions.TimeoutError)
RETRY_AFTER_SECONDS = 30


def is_outage(exc: BaseException) -> bool:
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
        if not is_outage(exc):
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


def max_request_bytes() -> int:
    """settings.DOORSTEP_MAX_REQUEST_BYTES, or (0) enough for a return's photos plus the form."""
    configured = getattr(settings, "DOORSTEP_MAX_REQUEST_BYTES", 0)
    if configured:
        return configured
    return settings.DOORSTEP_RETURN_PHOTO_MAX_BYTES * settings.DOORSTEP_RETURN_PHOTO_MAX_COUNT + 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuse a request whose Content-Length is over the limit with 413, before anything reads the
    body (Django's upload handlers would otherwise stream a 50 MB multipart body to disk first). A
    Content-Length that is not a number is a 400. Chunked bodies carry no Content-Length: they are
    read only by views that bound the read themselves (carrier webhooks)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("CONTENT_LENGTH") or ""
        if raw:
            try:
                length = int(raw)
            except ValueError:
                length = -1
            if length < 0:
                return self._refuse(request, 400, "Bad Content-Length")
            if length > max_request_bytes():
                return self._refuse(request, 413, "Request too large")
        return self.get_response(request)

    @staticmethod
    def _refuse(request, status: int, title: str):
        if request.path.startswith(("/api/", "/webhooks/")):
            response = JsonResponse({"type": "about:blank", "title": title, "status": status},
                                    status=status, content_type="application/problem+json")
        else:
            response = HttpResponse(title, status=status, content_type="text/plain; charset=utf-8")
        response["Connection"] = "close"  # the unread body must not be taken for the next request
        return response

"""RFC 9457 problem details for every API error, served as application/problem+json:

    {"type": "...", "title": "...", "status": 422, "detail": "...",
     "errors": [{"field": "lines.3.sku", "pointer": "#/lines/3/sku", "detail": "...", "code": "..."}]}
"""
from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from tracking.errors import Conflict
from tracking.health.middleware import RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:doorstep:problem:"


class ProblemError(exceptions.APIException):
    """An API error with its own problem type (``TYPE_PREFIX + slug``) and optional field errors."""

    def __init__(self, *, status_code: int, slug: str, title: str, detail: str, errors=None, headers=None):
        super().__init__(detail=detail)
        self.status_code = status_code
        self.slug = slug
        self.title = title
        self.errors = errors or []
        self.headers = headers or {}


def problem_body(*, status_code: int, title: str, detail: str = "", slug: str | None = None,
                 errors: list | None = None, instance: str | None = None) -> dict:
    body = {"type": TYPE_PREFIX + slug if slug else "about:blank", "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def field_error(path: list | str | None, detail: str, code: str = "invalid") -> dict:
    if isinstance(path, str):
        path = path.split(".") if path else []
    path = [str(p) for p in (path or []) if p not in ("non_field_errors", "__all__")]
    return {
        "field": ".".join(path) or None,
        "pointer": "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path),
        "detail": str(detail),
        "code": code,
    }


def _is_leaf(node) -> bool:
    return isinstance(node, dict) and set(node) == {"message", "code"} and not isinstance(node["message"], (dict, list))


def _flatten(node, path: list):
    """DRF's nested error details -> flat (path, message, code). Lists of leaves are several messages
    for one field; lists of dicts are per-item errors of a nested list serializer."""
    if _is_leaf(node):
        yield path, node["message"], node["code"]
    elif isinstance(node, dict):
        for key, child in node.items():
            yield from _flatten(child, path + [key])
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _flatten(child, path if _is_leaf(child) else path + [index])


def validation_errors(exc: exceptions.ValidationError) -> list[dict]:
    return [field_error(path, message, code) for path, message, code in _flatten(exc.get_full_details(), [])]


def django_validation_errors(exc: DjangoValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [field_error(field, message, getattr(err, "code", None) or "invalid")
                for field, errs in exc.error_dict.items() for err in errs for message in err.messages]
    return [field_error(None, message, getattr(exc, "code", None) or "invalid") for message in exc.messages]


_TITLES = {
    400: "Your request is not valid.",
    401: "Authentication is required.",
    403: "You do not have permission to do this.",
    404: "Not found.",
    405: "Method not allowed.",
    406: "Not acceptable.",
    409: "Conflict.",
    415: "Unsupported media type.",
    422: "The request could not be processed.",
    429: "Too many requests.",
    500: "Internal server error.",
}


def problem_exception_handler(exc, context):
    """DRF EXCEPTION_HANDLER: every error becomes a problem document, including unexpected ones."""
    headers = {}
    errors: list[dict] = []
    slug = None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, DjangoValidationError):
        status_code, slug, title = 422, "validation-error", _TITLES[422]
        errors = django_validation_errors(exc)
        detail = errors[0]["detail"] if len(errors) == 1 else f"{len(errors)} fields are not valid."
    elif isinstance(exc, Conflict):
        status_code, slug, title, detail = 409, "conflict", _TITLES[409], exc.message
        errors = [field_error(exc.field, exc.message, "conflict")] if exc.field else []
    elif isinstance(exc, ProblemError):
        status_code, slug, title, detail = exc.status_code, exc.slug, exc.title, str(exc.detail)
        errors, headers = exc.errors, exc.headers
    elif isinstance(exc, exceptions.ValidationError):
        status_code, slug, title = 400, "validation-error", _TITLES[400]
        errors = validation_errors(exc)
        detail = errors[0]["detail"] if len(errors) == 1 else f"{len(errors)} fields are not valid."
    elif isinstance(exc, exceptions.APIException):
        status_code = exc.status_code
        title = _TITLES.get(status_code, "Error.")
        detail = str(exc.detail) if not isinstance(exc.detail, (dict, list)) else title
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    elif is_outage(exc):  # the database or broker is down: a retryable 503, never a 500
        logger.error("503 on %s: a backing service is unavailable: %r", getattr(context.get("request"), "path", "?"),
                     exc)
        status_code, title = 503, "Service temporarily unavailable."
        detail = "A service we depend on is briefly unavailable. Please retry shortly."
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        request = context.get("request")
        logger.exception("Unhandled API error on %s", getattr(request, "path", "?"))
        status_code, title, detail = 500, _TITLES[500], "Something went wrong on our side; it has been logged."

    set_rollback()
    body = problem_body(status_code=status_code, title=title, detail=detail, slug=slug, errors=errors)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


@csrf_exempt  # any method may land here; an unknown URL must still answer 404, not a CSRF 403 page
def api_not_found(request, *args, **kwargs):
    """Catch-all for unknown /api/ paths, so even a mistyped URL answers with a problem document."""
    body = problem_body(status_code=404, title=_TITLES[404], detail=f"No API endpoint at {request.path}.")
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND, content_type=PROBLEM_CONTENT_TYPE)

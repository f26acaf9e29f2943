"""Idempotency-Key support for POST handlers (``@idempotent``).

* First request with a key: a row is inserted (state in_progress) — the unique constraint is the lock —
  then the handler runs and its response is stored in the same transaction as the work it did.
* Same key, same request within 24 h: the stored response is replayed with ``Idempotent-Replayed: true``.
* Same key, different request: 422. Same key while the first is still running: 409.
* Errors (exceptions, 5xx) release the key, so a corrected retry with the same key is possible.
"""
from __future__ import annotations

import functools
import hashlib
import json
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.response import Response

from tracking.models import IdempotencyRecord
from tracking.apikit.problems import ProblemError, field_error

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def request_fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _claim(*, merchant, api_key, key: str, fingerprint: str) -> tuple[IdempotencyRecord, bool]:
    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    merchant=merchant, api_key=api_key, key=key, request_hash=fingerprint
                ), True
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(merchant=merchant, key=key).first()
        if existing is None:
            continue  # released between our insert and our read: try again
        if existing.created_at < timezone.now() - TTL:
            IdempotencyRecord.objects.filter(pk=existing.pk).delete()  # expired: the key is free again
            continue
        return existing, False
    raise ProblemError(status_code=409, slug="idempotency-key-in-use", title="Conflict.",
                       detail="This Idempotency-Key is being used by another request; retry shortly.")


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ProblemError(status_code=400, slug="validation-error", title="Your request is not valid.",
                           detail=f"{HEADER} must be 1–{MAX_KEY_LENGTH} printable characters.",
                           errors=[field_error([HEADER], "Invalid idempotency key.")])


def idempotent(handler):
    """Decorate a DRF view's ``post`` (or ``put``) method. Needs an authenticated ApiKey in request.auth."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        _check_key(key)
        api_key = request.auth
        fingerprint = request_fingerprint(request)
        record, created = _claim(merchant=api_key.merchant, api_key=api_key, key=key, fingerprint=fingerprint)
        if not created:
            if record.request_hash != fingerprint:
                raise ProblemError(
                    status_code=422, slug="idempotency-key-reused", title="The request could not be processed.",
                    detail=f"This {HEADER} was already used with a different request.",
                    errors=[field_error([HEADER], "Already used with a different request.", "reused")])
            if record.state == IdempotencyRecord.State.IN_PROGRESS:
                raise ProblemError(status_code=409, slug="idempotency-key-in-use", title="Conflict.",
                                   detail="A request with this Idempotency-Key is still being processed.",
                                   headers={"Retry-After": "1"})
            return Response(record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"})
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if response.status_code >= 500:
                    raise _Release(response)
                stored = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                IdempotencyRecord.objects.filter(pk=record.pk).update(
                    state=IdempotencyRecord.State.COMPLETED, response_status=response.status_code,
                    response_body=stored, completed_at=timezone.now())
        except _Release as release:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return release.response
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        return response

    wrapper.idempotent = True
    return wrapper


class _Release(Exception):
    def __init__(self, response):
        self.response = response


def idempotency_records_purge(*, older_than: timedelta = TTL) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted

"""Stripe refunds over HTTP with ``requests``.

* ``POST https://api.stripe.com/v1/refunds``, form-encoded, ``Authorization: Bearer <secret key>``.
* ``Idempotency-Key`` is our refund's key: a retry of the same refund is answered with the first
  result instead of refunding twice.
* 429, 5xx and connection errors are retried a bounded number of times, waiting
  ``tracking.backoff.backoff_seconds`` (the same key each time), honouring ``Stripe-Should-Retry`` and
  ``Retry-After``; after that a retryable error is raised and the Celery task retries later — still
  with the same key.
* The base URL comes from ``GatewayCredentials.api_url`` (DOORSTEP_STRIPE_API_URL via the registry),
  defaulting to Stripe's public API.
"""
from __future__ import annotations

import time
from typing import Callable, ClassVar

import requests

from tracking.backoff import backoff_seconds
from tracking.carriers.http import parse_retry_after

from returns.payments.base import (
    GatewayAuthError,
    GatewayUnavailable,
    PaymentGateway,
    RefundRequestData,
    RefundResult,
    check_refundable,
)
from returns.payments.stripe import parse

API_BASE = "https://api.stripe.com"
API_VERSION = "2024-06-20"


class StripeGateway(PaymentGateway):
    slug = "stripe"
    name = "Stripe"
    timeout: ClassVar[tuple[float, float]] = (5.0, 30.0)
    max_retries: ClassVar[int] = 2
    backoff_base: ClassVar[float] = 0.5  # seconds before the first retry (ceiling), doubling per retry
    backoff_cap: ClassVar[float] = 30.0  # longest wait, also the most of a Retry-After we sleep through
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def refund(self, request: RefundRequestData) -> RefundResult:
        if not self.credentials.secret_key:
            raise GatewayAuthError("No Stripe secret key configured", code="missing_key")
        check_refundable(request)
        url = f"{(self.credentials.api_url or API_BASE).rstrip('/')}/v1/refunds"
        headers = {
            "Authorization": f"Bearer {self.credentials.secret_key}",
            "Idempotency-Key": request.idempotency_key,
            "Stripe-Version": API_VERSION,
        }
        form = parse.refund_form(request)
        attempt = 0
        while True:
            try:
                response = requests.post(url, data=form, headers=headers, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = GatewayUnavailable(f"Stripe unreachable: {exc.__class__.__name__}")
            else:
                if response.status_code == 200:
                    return parse.parse_refund(response.json())
                error = parse.error_for(response.status_code, _json(response),
                                        retry_after=_retry_after(response))
                if response.headers.get("Stripe-Should-Retry") == "false":
                    raise error
            if not error.retryable or attempt >= self.max_retries:
                raise error
            self.sleep(backoff_seconds(attempt, base=self.backoff_base, cap=self.backoff_cap,
                                       retry_after=error.retry_after))
            attempt += 1


def _json(response) -> dict | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _retry_after(response) -> float | None:
    return parse_retry_after(response.headers.get("Retry-After"))

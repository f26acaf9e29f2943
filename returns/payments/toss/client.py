"""Toss Payments HTTP: Basic auth with the secret key, JSON, timeouts, bounded retries.

Only this module talks to the network. Every failure leaves as a GatewayError from parse.error_for.
A cancel carries our ``Idempotency-Key``, so resending it after a timeout, a 5xx or a
"still processing" answer cannot cancel twice: Toss answers a repeat with the first answer.
"""
from __future__ import annotations

import base64
import time
from typing import Callable

import requests

from tracking.backoff import backoff_seconds
from tracking.carriers.http import parse_retry_after

from returns.payments.base import GatewayError, GatewayUnavailable
from returns.payments.toss import parse

API_BASE = "https://api.tosspayments.com"
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds; a cancel can wait on a card company


def basic_auth(secret_key: str) -> str:
    """``Basic base64(secretKey + ":")`` — the secret key is the user name, the password is empty."""
    return "Basic " + base64.b64encode(f"{secret_key}:".encode()).decode("ascii")


class TossClient:
    def __init__(self, secret_key: str, *, base_url: str = "", timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 max_retries: int = 2, backoff_base: float = 0.5, backoff_cap: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep, session: requests.Session | None = None):
        self.base_url = (base_url or API_BASE).rstrip("/")
        self.session = session or requests.Session()
        self.headers = {"Authorization": basic_auth(secret_key), "Accept": "application/json",
                        "User-Agent": "Doorstep/1.0 (+payment-gateway)"}
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep

    def cancel(self, payment_key: str, body: dict, *, idempotency_key: str) -> dict:
        """POST /v1/payments/{paymentKey}/cancel -> the Payment object."""
        if not idempotency_key or len(idempotency_key) > parse.MAX_IDEMPOTENCY_KEY:
            raise GatewayError("an Idempotency-Key of 1 to 300 characters is required for a cancel",
                               code="INVALID_IDEMPOTENCY_KEY")
        return self._request("POST", f"/v1/payments/{_path(payment_key)}/cancel", json=body,
                             headers={"Idempotency-Key": idempotency_key})

    def get_payment(self, payment_key: str) -> dict:
        """GET /v1/payments/{paymentKey} -> the Payment object."""
        return self._request("GET", f"/v1/payments/{_path(payment_key)}")

    def _request(self, method: str, path: str, *, json: dict | None = None, headers: dict | None = None) -> dict:
        url = self.base_url + path
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, json=json, headers={**self.headers, **(headers or {})},
                                                timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                error: GatewayError = GatewayUnavailable(f"Toss Payments unreachable: {exc.__class__.__name__}",
                                                         code="network")
            else:
                body = _json(response)
                if 200 <= response.status_code < 300:
                    if body is not None:
                        return body
                    # A 2xx we cannot read: the cancel may have happened. Same key again is safe.
                    error = GatewayUnavailable(f"Toss Payments answered HTTP {response.status_code} without JSON",
                                               code="unexpected_body")
                else:
                    error = parse.error_for(response.status_code, body,
                                            retry_after=parse_retry_after(response.headers.get("Retry-After")))
            if not error.retryable or attempt >= self.max_retries:
                raise error
            self.sleep(backoff_seconds(attempt, base=self.backoff_base, cap=self.backoff_cap,
                                       retry_after=error.retry_after))
            attempt += 1


def _path(payment_key: str) -> str:
    if not payment_key or "/" in payment_key or "?" in payment_key:
        raise GatewayError(f"not a Toss paymentKey: {payment_key!r}", code="INVALID_PAYMENT_KEY")
    return payment_key


def _json(response: requests.Response) -> dict | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None

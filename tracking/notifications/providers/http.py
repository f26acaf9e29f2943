"""HTTP plumbing shared by the provider clients: timeouts, JSON, and bounded retries that never risk
sending a text twice.

Text-message APIs take no idempotency key, so a send is retried here only when the provider cannot
have acted on it: the connection was never made, or it answered 429/503 (refused, nothing sent).
A read timeout, a dropped connection or another 5xx after the request went out is raised at once as
ProviderUnavailable(maybe_sent=True): the caller decides (a notification row is marked before the call).
Reads (``idempotent=True``) are retried on every retryable failure. Waits follow tracking.backoff.
"""
from __future__ import annotations

import time
from typing import Callable, Mapping

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from tracking.backoff import backoff_seconds
from tracking.carriers.http import parse_retry_after

from tracking.notifications.providers.base import DEFAULT_TIMEOUT, ProviderError, ProviderUnavailable


ErrorMapper = Callable[[int, "dict | None", "float | None"], ProviderError]


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server (no connection was made)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args and isinstance(exc.args[0], MaxRetryError):
        return isinstance(exc.args[0].reason, (NewConnectionError, ConnectTimeoutError))
    return False


class ProviderHTTP:
    def __init__(self, *, provider: str, base_url: str, error_for: ErrorMapper,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, max_retries: int = 2, backoff_base: float = 0.5,
                 backoff_cap: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None, auth: tuple[str, str] | None = None):
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.error_for = error_for
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "Doorstep/1.0 (+notifications)"})
        if auth:
            self.session.auth = auth

    def request(self, method: str, path: str, *, json: dict | None = None, data: Mapping | None = None,
                params: Mapping | None = None, headers: Callable[[], dict] | None = None,
                idempotent: bool = False) -> dict:
        """``headers`` is called before every attempt (a signature must be fresh each time)."""
        url = self.base_url + path
        attempt = 0
        while True:
            try:
                response = self.session.request(method, url, json=json, data=data, params=params,
                                                headers=headers() if headers else None, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                error: ProviderError = ProviderUnavailable(
                    f"{self.provider} unreachable: {exc.__class__.__name__}", code="network",
                    provider=self.provider, maybe_sent=not never_sent(exc))
            else:
                body = _json(response)
                if 200 <= response.status_code < 300:
                    if body is not None:
                        return body
                    error = ProviderUnavailable(f"{self.provider} answered HTTP {response.status_code} without JSON",
                                                code="unexpected_body", provider=self.provider, maybe_sent=True)
                else:
                    error = self.error_for(response.status_code, body,
                                           parse_retry_after(response.headers.get("Retry-After")))
                    error.provider = error.provider or self.provider
            safe = idempotent or not getattr(error, "maybe_sent", False)
            if not (error.retryable and safe) or attempt >= self.max_retries:
                raise error
            self.sleep(backoff_seconds(attempt, base=self.backoff_base, cap=self.backoff_cap,
                                       retry_after=error.retry_after))
            attempt += 1


def _json(response: requests.Response) -> dict | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None

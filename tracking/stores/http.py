"""HTTP plumbing shared by the store-platform clients: connect/read timeouts, bounded retries on
429/5xx that honour Retry-After (waits follow tracking.backoff.backoff_seconds, the one rule),
JSON decoded with Decimal numbers, and HTTP failures mapped onto the store error types.

Writes that are not idempotent (``idempotent=False``: a WooCommerce refund, an order note) are
retried only when the platform certainly did not act: a 429, or a connect timeout. Any other
failure after the request left raises StoreUnavailable(outcome_unknown=True) so the caller
reconciles instead of refunding twice.

Parsing stays in each platform's parse.py; this module never looks inside a successful body
beyond decoding it."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import requests

from tracking.backoff import backoff_seconds
from tracking.carriers.http import parse_retry_after
from tracking.stores.base import AuthError, InvalidRequest, NotFound, RateLimited, StoreError, StoreUnavailable
from tracking.stores.parsing import loads

DEFAULT_TIMEOUT = (3.05, 20)  # (connect, read) seconds
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "Doorstep/1.0 (+store-adapter)"


@dataclass(frozen=True)
class HTTPResult:
    status: int
    data: Any  # decoded JSON (Decimal numbers); None for an empty body
    headers: Mapping[str, str] = field(default_factory=dict)


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds, including the decimal form Shopify sends ("2.0"),
    or an HTTP date. None when absent or unreadable."""
    if isinstance(value, str):
        try:
            seconds = float(value.strip())
        except ValueError:
            return parse_retry_after(value)
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    return None


def describe(response: requests.Response) -> str:
    """A short human message from an error body (JSON error fields or the start of the text)."""
    try:
        body = loads(response.content)
    except (ValueError, TypeError, RecursionError):
        return (response.text or response.reason or "")[:200]
    if isinstance(body, dict):
        for key in ("message", "error_description", "errors", "error", "detail", "code"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:200]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"][:200]
            if isinstance(value, list) and value:
                first = value[0]
                if isinstance(first, dict) and isinstance(first.get("message"), str):
                    return first["message"][:200]
                if isinstance(first, str):
                    return first[:200]
    return str(body)[:200]


class StoreHTTP:
    """A requests Session with the retry and error policy every platform client shares.

    ``sleep`` is injectable so tests record waits instead of sleeping. A Retry-After longer than
    ``max_wait`` is not slept through: the caller gets RateLimited(retry_after=…) and reschedules.
    ``classify`` may turn a response into a specific StoreError before the generic mapping (e.g.
    Cafe24's usage-limit headers, an expired-token message)."""

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        max_wait: float = 30.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        sleep: Callable[[float], None] | None = None,
        session: requests.Session | None = None,
        classify: Callable[[requests.Response], StoreError | None] | None = None,
        retry_after: Callable[[requests.Response], float | None] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})}
        self.auth = auth
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.sleep = sleep or time.sleep
        self.classify = classify
        self.retry_after = retry_after or (lambda response: retry_after_seconds(response.headers.get("Retry-After")))

    def url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def get(self, path: str, **kwargs) -> HTTPResult:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> HTTPResult:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> HTTPResult:
        return self.request("PUT", path, **kwargs)

    def request(self, method: str, path: str, *, params=None, json=None, data=None,
                headers: Mapping[str, str] | None = None, auth: tuple[str, str] | None = None,
                idempotent: bool | None = None) -> HTTPResult:
        """One logical call with retries. ``idempotent`` defaults to True for GET/PUT/DELETE and
        False for POST; pass True for a POST that is safe to repeat (GraphQL queries, writes that
        carry a platform idempotency key)."""
        if idempotent is None:
            idempotent = method.upper() != "POST"
        url = self.url(path)
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method, url, params=params, json=json, data=data, timeout=self.timeout,
                    headers={**self.headers, **(headers or {})}, auth=auth or self.auth, allow_redirects=False,
                )
            except requests.ConnectTimeout as exc:  # never reached the platform: always safe
                if attempt < self.max_retries:
                    self._wait(None, attempt)
                    attempt += 1
                    continue
                raise StoreUnavailable(f"{method} {url}: {exc.__class__.__name__}") from exc
            except (requests.Timeout, requests.ConnectionError) as exc:
                if idempotent and attempt < self.max_retries:
                    self._wait(None, attempt)
                    attempt += 1
                    continue
                raise StoreUnavailable(f"{method} {url}: {exc.__class__.__name__}",
                                       outcome_unknown=not idempotent) from exc
            status = response.status_code
            if status in RETRY_STATUSES and attempt < self.max_retries and (idempotent or status == 429):
                wait = self.retry_after(response)
                if wait is None or wait <= self.max_wait:
                    self._wait(wait, attempt)
                    attempt += 1
                    continue
            return self._result(response, method, url, idempotent)

    def _wait(self, retry_after: float | None, attempt: int) -> None:
        self.sleep(backoff_seconds(attempt, base=self.backoff_base, cap=self.backoff_cap, retry_after=retry_after))

    def _result(self, response: requests.Response, method: str, url: str, idempotent: bool) -> HTTPResult:
        status = response.status_code
        headers = dict(response.headers)
        if self.classify:
            error = self.classify(response)
            if error is not None:
                raise error
        if 200 <= status < 300:
            if not response.content or status == 204:
                return HTTPResult(status, None, headers)
            try:
                return HTTPResult(status, loads(response.content), headers)
            except (ValueError, TypeError, RecursionError):
                raise InvalidRequest(f"{method} {url} answered {status} with a body that is not JSON") from None
        message = f"{method} {url}: HTTP {status}: {describe(response)}"
        retry_after = self.retry_after(response)
        if status == 401:
            raise AuthError(message, reason=AuthError.REASON_INVALID)
        if status == 403:
            raise AuthError(message, reason=AuthError.REASON_SCOPE)
        if status == 404:
            raise NotFound(message)
        if status == 429:
            raise RateLimited(message, retry_after=retry_after)
        if status in (402, 423) or status >= 500:  # frozen / locked shop, platform trouble
            raise StoreUnavailable(message, retry_after=retry_after,
                                   outcome_unknown=not idempotent and status >= 500)
        if 300 <= status < 400:
            raise InvalidRequest(f"{message} (redirect to {response.headers.get('Location', '?')}: wrong base URL?)")
        raise InvalidRequest(message, errors=(describe(response),))

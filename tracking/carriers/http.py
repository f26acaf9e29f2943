"""HTTP plumbing shared by the real carrier clients: timeouts, bounded retries on 429/5xx that honour
Retry-After, and mapping of HTTP failures onto the base error types. Parsing stays in each carrier's
parse.py; this module never looks inside a successful body beyond decoding JSON."""
from __future__ import annotations

import email.utils
import time
from datetime import UTC, datetime
from typing import Callable, Mapping

import requests

from tracking.backoff import backoff_seconds
from tracking.carriers.base import AuthError, CarrierError, CarrierUnavailable, InvalidRequest, NotFound, RateLimited

DEFAULT_TIMEOUT = (3.05, 15)  # (connect, read) seconds
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> float | None:
    """Seconds to wait from a Retry-After header: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


class CarrierHTTP:
    """A requests Session with the retry and error policy every carrier client shares.

    ``sleep`` is injectable so tests record waits instead of sleeping. A Retry-After longer than
    ``max_wait`` is not slept through: the caller gets RateLimited(retry_after=…) and can reschedule.
    """

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        max_wait: float = 30.0,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        describe_error: Callable[[requests.Response], str] | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "Doorstep/1.0 (+carrier-adapter)"})
        self.session.headers.update(headers or {})
        if auth:
            self.session.auth = auth
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.backoff = backoff
        self.sleep = sleep
        self.describe_error = describe_error or _describe

    def get(self, path: str, **kwargs) -> dict:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> dict:
        return self.request("POST", path, **kwargs)

    def request(self, method: str, path: str, *, params=None, json=None, data=None) -> dict:
        """A 2xx answer decoded as JSON ({} for an empty body); failures raise CarrierError types."""
        return self.decode_json(self.fetch(method, path, params=params, json=json, data=data))

    @staticmethod
    def decode_json(response: requests.Response):
        """A 2xx body as JSON ({} when empty); CarrierUnavailable when it is not JSON (a gateway's
        HTML page, a truncated body)."""
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise CarrierUnavailable(
                f"carrier answered {response.status_code} with a body that is not JSON"
                f"{_looks_like(response)}") from None

    def fetch(self, method: str, path: str, *, params=None, json=None, data=None) -> requests.Response:
        """The raw 2xx response, for carriers that do not answer JSON (XML, text). Retries and error
        mapping are the same as ``request``; reading the body is the caller's business."""
        url = path if path.startswith("http") else f"{self.base_url}/{path.lstrip('/')}"
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method, url, params=params, json=json, data=data, timeout=self.timeout
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                if attempt < self.max_retries:
                    self._wait(None, attempt)
                    attempt += 1
                    continue
                raise CarrierUnavailable(f"{method} {_redacted(url)}: {exc.__class__.__name__}") from exc
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is None or retry_after <= self.max_wait:
                    self._wait(retry_after, attempt)
                    attempt += 1
                    continue
            self._raise_for_status(response)
            return response

    def _wait(self, retry_after: float | None, attempt: int) -> None:
        self.sleep(backoff_seconds(attempt, base=self.backoff, cap=self.max_wait, retry_after=retry_after))

    def _raise_for_status(self, response: requests.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        message = f"HTTP {status}: {self.describe_error(response)}"
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        error: type[CarrierError]
        if status in (401, 403):
            error = AuthError
        elif status == 404:
            error = NotFound
        elif status == 429:
            error = RateLimited
        elif status >= 500:
            error = CarrierUnavailable
        else:
            error = InvalidRequest
        raise error(message, retry_after=retry_after)


def _looks_like(response: requests.Response) -> str:
    """A hint for people reading the error: gateways and captive portals answer HTML pages."""
    head = response.content[:256].lstrip().lower()
    return " (an HTML page)" if head.startswith((b"<!doctype html", b"<html")) else ""


def _redacted(url: str) -> str:
    """The URL without its query string: some carriers (Sweet Tracker, data.go.kr) take the API key
    as a query parameter, and error messages end up in logs."""
    return url.split("?", 1)[0]


def _describe(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "")[:200]
    if isinstance(body, dict):
        for key in ("detail", "message", "title", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:200]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"][:200]
    return str(body)[:200]

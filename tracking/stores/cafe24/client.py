"""Cafe24 HTTP: the Admin API (``{base}/api/v2/admin/…`` with ``Authorization: Bearer``,
``X-Cafe24-Api-Version``) and the OAuth token endpoint. HTTP only: bodies are parsed in parse.py.

Rate limits (both per mall):

* Requests: a leaky bucket of 40 calls draining two a second. ``X-Api-Call-Limit: used/size`` comes
  with every answer; when the bucket is three quarters full the client pauses until it has drained
  back below that, so a backfill does not run into 429s.
* Usage: ``X-Cafe24-Call-Usage`` / ``X-Cafe24-Time-Usage`` (percent of the call and processing-time
  quotas). Past 100 % Cafe24 answers 429 with ``X-Cafe24-Call-Remain`` / ``X-Cafe24-Time-Remain``
  (seconds until calls resume); that wait is honoured like a Retry-After.
"""
from __future__ import annotations

import time
from typing import Callable

import requests

from tracking.stores.base import AuthError, InvalidRequest, StoreError
from tracking.stores.http import HTTPResult, StoreHTTP, describe, retry_after_seconds


BUCKET_PAUSE_AT = 0.75  # of the bucket
DRAIN_PER_SECOND = 2.0


class NoChange(InvalidRequest):
    """409: the shipment already says exactly this."""


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 10**6 else None


def retry_after(response: requests.Response) -> float | None:
    """Seconds to wait from Cafe24's usage headers (the larger of the two), else Retry-After."""
    waits = [w for w in (_number(response.headers.get("X-Cafe24-Call-Remain")),
                         _number(response.headers.get("X-Cafe24-Time-Remain"))) if w is not None]
    if waits:
        return max(waits)
    return retry_after_seconds(response.headers.get("Retry-After"))


def classify(response: requests.Response) -> StoreError | None:
    if response.status_code == 401:
        message = describe(response)
        reason = AuthError.REASON_EXPIRED if "expired" in message.lower() else AuthError.REASON_INVALID
        return AuthError(f"Cafe24: {message}", reason=reason)
    if response.status_code == 409:
        return NoChange(f"Cafe24: {describe(response)}")
    return None


def bucket_wait(limit_header) -> float:
    """Pause before the next call, from ``X-Api-Call-Limit: used/size``: until the bucket has
    drained below BUCKET_PAUSE_AT of its size (0 when it is emptier than that or unreadable)."""
    if not isinstance(limit_header, str) or "/" not in limit_header:
        return 0.0
    used, _, size = limit_header.partition("/")
    if not (used.strip().isdigit() and size.strip().isdigit()) or int(size) <= 0:
        return 0.0
    excess = int(used) - BUCKET_PAUSE_AT * int(size)
    return min(excess / DRAIN_PER_SECOND, 20.0) if excess > 0 else 0.0


class Cafe24Client:
    def __init__(self, *, base_url: str, access_token: str, api_version: str, client_id: str = "",
                 client_secret: str = "", session: requests.Session | None = None,
                 sleep: Callable[[float], None] | None = None, shop_no: int = 1):
        self.base_url = base_url.rstrip("/")
        self.sleep = sleep or time.sleep
        self.shop_no = shop_no
        self.http = StoreHTTP(base_url=f"{self.base_url}/api/v2/admin", session=session, sleep=self.sleep,
                              headers={"Authorization": f"Bearer {access_token}", "X-Cafe24-Api-Version": api_version,
                                       "Content-Type": "application/json"},
                              classify=classify, retry_after=retry_after, max_wait=60.0, backoff_cap=60.0)
        self.oauth_http = StoreHTTP(base_url=f"{self.base_url}/api/v2", session=session, sleep=self.sleep,
                                    auth=(client_id, client_secret), retry_after=retry_after)

    def _call(self, method: str, path: str, **kwargs) -> HTTPResult:
        result = self.http.request(method, path, **kwargs)
        limit = next((v for k, v in result.headers.items() if k.lower() == "x-api-call-limit"), None)
        pause = bucket_wait(limit)
        if pause:
            self.sleep(pause)
        return result

    def list_orders(self, *, start_date: str, end_date: str, offset: int, limit: int,
                    embed: str = "items,receivers,buyer", date_type: str = "order_date") -> HTTPResult:
        return self._call("GET", "/orders", params={
            "shop_no": self.shop_no, "start_date": start_date, "end_date": end_date, "date_type": date_type,
            "embed": embed, "limit": limit, "offset": offset})

    def get_order(self, order_id: str, *, embed: str = "items,receivers,buyer") -> HTTPResult:
        return self._call("GET", f"/orders/{order_id}", params={"shop_no": self.shop_no, "embed": embed})

    def create_shipment(self, order_id: str, request: dict) -> HTTPResult:
        return self._call("POST", f"/orders/{order_id}/shipments", json={"shop_no": self.shop_no, "request": request},
                          idempotent=False)

    def update_shipment(self, order_id: str, shipping_code: str, request: dict) -> HTTPResult:
        return self._call("PUT", f"/orders/{order_id}/shipments/{shipping_code}",
                          json={"shop_no": self.shop_no, "request": request})

    def list_carriers(self) -> HTTPResult:
        return self._call("GET", "/carriers", params={"shop_no": self.shop_no})

    def list_products(self, *, offset: int, limit: int, updated_since: str | None) -> HTTPResult:
        params = {"shop_no": self.shop_no, "embed": "variants", "limit": limit, "offset": offset}
        if updated_since:
            params["updated_start_date"] = updated_since
        return self._call("GET", "/products", params=params)

    def token(self, form: dict) -> dict:
        """POST /api/v2/oauth/token (code exchange or refresh). Not retried once sent: a code is
        single-use and a refresh retires the old refresh token."""
        result = self.oauth_http.post("/oauth/token", data=form, idempotent=False)
        if not isinstance(result.data, dict):
            raise InvalidRequest("Cafe24 token endpoint answered without a JSON object")
        return result.data



"""Shopify HTTP: the GraphQL Admin API (``POST {base}/admin/api/{version}/graphql.json`` with
``X-Shopify-Access-Token``) and the OAuth token endpoint. HTTP only: bodies are parsed in parse.py.

Rate limits. HTTP 429 and 5xx are retried by StoreHTTP (Retry-After honoured). GraphQL answers a
spent cost bucket with HTTP 200 and ``errors[].extensions.code == "THROTTLED"``; the wait is what
the bucket needs to refill: (requestedQueryCost − currentlyAvailable) / restoreRate seconds, from
``extensions.cost``. Top-level GraphQL errors become store errors; ``userErrors`` inside a
mutation payload are checked by ``mutation``.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import requests

from tracking.backoff import backoff_seconds
from tracking.stores.base import AuthError, InvalidRequest, RateLimited, StoreUnavailable
from tracking.stores.http import StoreHTTP

MAX_WAIT = 30.0  # longer throttles go back to the caller as RateLimited(retry_after=…)


class QueryCostExceeded(InvalidRequest):
    """The query asked for more than Shopify's single-query cost limit: ask for less."""


class ShopifyClient:
    def __init__(self, *, base_url: str, access_token: str, api_version: str,
                 session: requests.Session | None = None, sleep: Callable[[float], None] | None = None,
                 max_throttle_retries: int = 4):
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.sleep = sleep or time.sleep
        self.max_throttle_retries = max_throttle_retries
        self.http = StoreHTTP(base_url=self.base_url, headers={"X-Shopify-Access-Token": access_token},
                              session=session, sleep=self.sleep, max_wait=MAX_WAIT)
        # The token endpoint is called without an access token (that is what it hands out).
        self.oauth_http = StoreHTTP(base_url=self.base_url, session=session, sleep=self.sleep, max_wait=MAX_WAIT)

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/admin/api/{self.api_version}/graphql.json"

    def graphql(self, query: str, variables: dict | None = None, *, idempotent: bool = True) -> dict:
        """Run one document; returns ``data``. Retries THROTTLED answers after the refill wait."""
        attempt = 0
        while True:
            result = self.http.post(self.graphql_url, json={"query": query, "variables": variables or {}},
                                    idempotent=idempotent)
            document = result.data if isinstance(result.data, dict) else {}
            errors = [e for e in document.get("errors") or [] if isinstance(e, dict)] \
                if isinstance(document.get("errors"), list) else []
            if isinstance(document.get("errors"), str):  # REST-style error text with a 200
                raise InvalidRequest(f"Shopify: {document['errors'][:200]}", errors=(document["errors"][:200],))
            if not errors:
                data = document.get("data")
                if not isinstance(data, dict):
                    raise InvalidRequest("Shopify answered without data")
                return data
            codes = {str((e.get("extensions") or {}).get("code", "")) for e in errors if isinstance(e.get("extensions"), dict)}
            messages = tuple(str(e.get("message", ""))[:200] for e in errors)
            if "THROTTLED" in codes:
                wait = throttle_wait(document.get("extensions"))
                if attempt < self.max_throttle_retries and (wait is None or wait <= MAX_WAIT):
                    self.sleep(backoff_seconds(attempt, base=1.0, cap=MAX_WAIT, retry_after=wait))
                    attempt += 1
                    continue
                raise RateLimited("Shopify GraphQL throttled", retry_after=wait)
            if "ACCESS_DENIED" in codes:
                raise AuthError(f"Shopify: {'; '.join(messages)}", reason=AuthError.REASON_SCOPE)
            if "INTERNAL_SERVER_ERROR" in codes:
                raise StoreUnavailable(f"Shopify: {'; '.join(messages)}", outcome_unknown=not idempotent)
            if "MAX_COST_EXCEEDED" in codes:
                raise QueryCostExceeded(f"Shopify GraphQL: {'; '.join(messages)}", errors=messages)
            raise InvalidRequest(f"Shopify GraphQL: {'; '.join(messages)}", errors=messages)

    def mutation(self, query: str, variables: dict, payload_key: str, *, idempotent: bool = False) -> dict:
        """Run a mutation and return its payload object; ``userErrors`` raise InvalidRequest."""
        data = self.graphql(query, variables, idempotent=idempotent)
        payload = data.get(payload_key)
        if not isinstance(payload, dict):
            raise InvalidRequest(f"Shopify answered without {payload_key}")
        user_errors = [e for e in payload.get("userErrors") or [] if isinstance(e, dict)]
        if user_errors:
            messages = tuple(str(e.get("message", ""))[:300] for e in user_errors)
            raise InvalidRequest(f"Shopify {payload_key}: {'; '.join(messages)}", errors=messages)
        return payload

    def oauth_token(self, payload: dict) -> dict:
        """POST {base}/admin/oauth/access_token (code exchange or refresh). Not retried after the
        request left: a code is single-use and a refresh rotates the token."""
        result = self.oauth_http.post(f"{self.base_url}/admin/oauth/access_token", json=payload, idempotent=False)
        if not isinstance(result.data, dict):
            raise InvalidRequest("Shopify token endpoint answered without a JSON object")
        return result.data


def throttle_wait(extensions) -> float | None:
    """Seconds until the cost bucket holds what the query asked for, from ``extensions.cost``."""
    cost = extensions.get("cost") if isinstance(extensions, dict) else None
    if not isinstance(cost, dict):
        return None
    status = cost.get("throttleStatus") if isinstance(cost.get("throttleStatus"), dict) else {}
    try:
        requested = float(cost.get("requestedQueryCost") or 0)
        available = float(status.get("currentlyAvailable") or 0)
        restore = float(status.get("restoreRate") or 0)
    except (TypeError, ValueError):
        return None
    if restore <= 0 or not all(math.isfinite(v) for v in (requested, available, restore)):
        return None
    return max(0.0, (requested - available) / restore)

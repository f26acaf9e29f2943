"""WooCommerce HTTP: REST API v3 (``{store}/wp-json/wc/v3/…``) authenticated with the merchant's
consumer key and secret as HTTP Basic over HTTPS, and the Shipment Tracking extension's routes
(``{store}/wp-json/wc-shipment-tracking/v3/…``). HTTP only: bodies are parsed in parse.py.

Plain-http stores would need OAuth 1.0a request signing; that is left out (the adapter refuses
http:// store URLs unless ``api_url`` points at a sandbox explicitly). Hosts that strip the
Authorization header can pass the keys as query parameters instead (``query_string_auth``).
"""
from __future__ import annotations

from typing import Callable

import requests

from tracking.stores.base import AuthError, StoreError
from tracking.stores.http import HTTPResult, StoreHTTP, describe


def classify(response: requests.Response) -> StoreError | None:
    """WooCommerce answers a key without write permission with 401 and a ``…cannot_…`` code:
    that is a missing permission, not a bad key."""
    if response.status_code == 401:
        try:
            code = str(response.json().get("code", ""))
        except (ValueError, AttributeError):
            code = ""
        if "cannot_" in code:
            return AuthError(f"WooCommerce: {describe(response)}", reason=AuthError.REASON_SCOPE)
    return None


class WooCommerceClient:
    def __init__(self, *, store_url: str, consumer_key: str, consumer_secret: str,
                 session: requests.Session | None = None, sleep: Callable[[float], None] | None = None,
                 query_string_auth: bool = False):
        self.store_url = store_url.rstrip("/")
        self.key_params = {"consumer_key": consumer_key, "consumer_secret": consumer_secret} if query_string_auth else {}
        self.http = StoreHTTP(base_url=f"{self.store_url}/wp-json/wc/v3",
                              auth=None if query_string_auth else (consumer_key, consumer_secret),
                              session=session, sleep=sleep, classify=classify)

    def _params(self, params: dict | None = None) -> dict:
        return {**(params or {}), **self.key_params}

    def list_orders(self, *, page: int, per_page: int, modified_after: str | None) -> HTTPResult:
        params = {"page": page, "per_page": per_page, "orderby": "modified", "order": "asc", "dates_are_gmt": "true"}
        if modified_after:
            params["modified_after"] = modified_after
        return self.http.get("/orders", params=self._params(params))

    def get_order(self, order_id: str) -> HTTPResult:
        return self.http.get(f"/orders/{order_id}", params=self._params())

    def list_products(self, *, page: int, per_page: int, modified_after: str | None) -> HTTPResult:
        params = {"page": page, "per_page": per_page, "orderby": "id", "order": "asc", "dates_are_gmt": "true"}
        if modified_after:
            params["modified_after"] = modified_after
        return self.http.get("/products", params=self._params(params))

    def list_variations(self, product_id: str, *, page: int = 1) -> HTTPResult:
        return self.http.get(f"/products/{product_id}/variations", params=self._params({"page": page, "per_page": 100}))

    def create_webhook(self, payload: dict) -> HTTPResult:
        # WooCommerce has no idempotency key; a duplicate webhook is harmless (deliveries dedupe).
        return self.http.post("/webhooks", json=payload, params=self._params(), idempotent=True)

    def add_note(self, order_id: str, note: str) -> HTTPResult:
        # A repeated note is harmless, a lost one is not: retried like an idempotent call.
        return self.http.post(f"/orders/{order_id}/notes", json={"note": note, "customer_note": False},
                              params=self._params(), idempotent=True)

    def add_shipment_tracking(self, order_id: str, payload: dict) -> HTTPResult:
        return self.http.post(f"{self.store_url}/wp-json/wc-shipment-tracking/v3/orders/{order_id}/shipment-trackings",
                              json=payload, params=self._params(), idempotent=False)

    def create_refund(self, order_id: str, payload: dict) -> HTTPResult:
        # Not idempotent at WooCommerce: never retried once sent (see the adapter's marker check).
        return self.http.post(f"/orders/{order_id}/refunds", json=payload, params=self._params(), idempotent=False)

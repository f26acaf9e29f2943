"""Solapi HTTP: the HMAC-SHA256 Authorization header and the two calls we make.

``Authorization: HMAC-SHA256 apiKey=<key>, date=<ISO 8601>, salt=<random>, signature=<hex>`` where the
signature is HMAC-SHA256 over ``date + salt`` keyed with the API secret. Solapi refuses a date more
than 15 minutes off (RequestTimeTooSkewed) and any signature used before (DuplicatedSignature), so
every attempt gets a new date and salt.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from datetime import UTC, datetime
from typing import Callable

import requests

from tracking.notifications.providers.http import DEFAULT_TIMEOUT, ProviderHTTP
from tracking.notifications.providers.solapi import parse

API_BASE = "https://api.solapi.com"
SEND_PATH = "/messages/v4/send-many/detail"
LIST_PATH = "/messages/v4/list"


def signature(api_secret: str, date: str, salt: str) -> str:
    return hmac.new(api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()


def authorization(api_key: str, api_secret: str, *, now: datetime | None = None, salt: str | None = None) -> str:
    date = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    salt = salt or secrets.token_hex(16)  # 32 characters; Solapi wants 12-64 random bytes
    return f"HMAC-SHA256 apiKey={api_key}, date={date}, salt={salt}, signature={signature(api_secret, date, salt)}"


class SolapiClient:
    def __init__(self, api_key: str, api_secret: str, *, base_url: str = API_BASE,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, max_retries: int = 2, backoff_base: float = 0.5,
                 backoff_cap: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None):
        self.api_key = api_key
        self.api_secret = api_secret
        self.http = ProviderHTTP(provider="solapi", base_url=base_url or API_BASE, error_for=parse.error_for,
                                 timeout=timeout, max_retries=max_retries, backoff_base=backoff_base,
                                 backoff_cap=backoff_cap, sleep=sleep, session=session)

    def _headers(self) -> dict:
        return {"Authorization": authorization(self.api_key, self.api_secret)}

    def send_many(self, messages: list[dict]) -> dict:
        """Register and send messages; the answer lists each one's messageId and statusCode."""
        body = {"messages": messages, "showMessageList": True, "allowDuplicates": False,
                "agent": {"sdkVersion": "doorstep/1.0", "osPlatform": "python"}}
        return self.http.request("POST", SEND_PATH, json=body, headers=self._headers)

    def get_message(self, message_id: str) -> dict:
        """A message's current state (its statusCode is final once delivery was reported)."""
        return self.http.request("GET", LIST_PATH, params={"messageId": message_id}, headers=self._headers,
                                 idempotent=True)

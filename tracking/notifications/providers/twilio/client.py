"""Twilio HTTP: HTTP Basic auth (Account SID : Auth Token), form-encoded requests, JSON answers."""
from __future__ import annotations

import time
from typing import Callable
from urllib.parse import quote

import requests

from tracking.notifications.providers.http import DEFAULT_TIMEOUT, ProviderHTTP
from tracking.notifications.providers.twilio import parse

API_BASE = "https://api.twilio.com"


class TwilioClient:
    def __init__(self, account_sid: str, auth_token: str, *, base_url: str = API_BASE,
                 timeout: tuple[float, float] = DEFAULT_TIMEOUT, max_retries: int = 2, backoff_base: float = 0.5,
                 backoff_cap: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 session: requests.Session | None = None):
        self.account_sid = account_sid
        self.http = ProviderHTTP(provider="twilio", base_url=base_url or API_BASE, error_for=parse.error_for,
                                 timeout=timeout, max_retries=max_retries, backoff_base=backoff_base,
                                 backoff_cap=backoff_cap, sleep=sleep, session=session,
                                 auth=(account_sid, auth_token))

    def _messages(self) -> str:
        return f"/2010-04-01/Accounts/{quote(self.account_sid, safe='')}/Messages"

    def create_message(self, form: dict) -> dict:
        return self.http.request("POST", f"{self._messages()}.json", data=form)

    def fetch_message(self, sid: str) -> dict:
        return self.http.request("GET", f"{self._messages()}/{quote(sid, safe='')}.json", idempotent=True)

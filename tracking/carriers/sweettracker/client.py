"""Sweet Tracker HTTP: ``GET /api/v1/trackingInfo``, ``/api/v1/recommend``, ``/api/v1/companylist``,
each with the API key as ``t_key``. Errors usually come back as HTTP 200 with
``{"status": false, "code": "104", "msg": …}``; parse.py reads those."""
from __future__ import annotations

from typing import Callable

import requests

from tracking.carriers.http import CarrierHTTP

BASE_URL = "https://info.sweettracker.co.kr"


def describe_error(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return (response.text or response.reason or "")[:200]
    if isinstance(body, dict) and (body.get("code") or body.get("msg")):
        return f"{body.get('code', '')}: {body.get('msg', '')}"[:200]
    return str(body)[:200]


class SweetTrackerClient:
    def __init__(self, api_key: str, *, base_url: str = BASE_URL, sleep: Callable[[float], None] | None = None,
                 session: requests.Session | None = None):
        options = {"sleep": sleep} if sleep else {}
        self.api_key = api_key
        self.http = CarrierHTTP(base_url=base_url or BASE_URL, session=session, describe_error=describe_error, **options)

    def tracking_info(self, t_code: str, t_invoice: str) -> dict:
        return self.http.get("/api/v1/trackingInfo", params={"t_key": self.api_key, "t_code": t_code, "t_invoice": t_invoice})

    def recommend(self, t_invoice: str) -> dict:
        return self.http.get("/api/v1/recommend", params={"t_key": self.api_key, "t_invoice": t_invoice})

    def company_list(self) -> dict:
        return self.http.get("/api/v1/companylist", params={"t_key": self.api_key})

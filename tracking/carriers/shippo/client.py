"""Shippo HTTP: read and register tracks. Auth header: ``Authorization: ShippoToken <key>``."""
from __future__ import annotations

from typing import Callable
from urllib.parse import quote

import requests

from tracking.carriers.http import CarrierHTTP

BASE_URL = "https://api.goshippo.com"


class ShippoClient:
    def __init__(self, api_key: str, *, sleep: Callable[[float], None] | None = None, session: requests.Session | None = None, base_url: str = BASE_URL):
        options = {"sleep": sleep} if sleep else {}
        self.http = CarrierHTTP(base_url=base_url, headers={"Authorization": f"ShippoToken {api_key}"}, session=session, **options)

    def get_track(self, carrier: str, tracking_number: str) -> dict:
        return self.http.get(f"/tracks/{quote(carrier, safe='')}/{quote(tracking_number, safe='')}")

    def register_track(self, carrier: str, tracking_number: str, metadata: str = "") -> dict:
        """Subscribes the number to the account's track_updated webhooks."""
        payload = {"carrier": carrier, "tracking_number": tracking_number}
        if metadata:
            payload["metadata"] = metadata[:100]
        return self.http.post("/tracks/", json=payload)

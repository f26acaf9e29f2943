"""DHL Unified Tracking HTTP: ``GET /track/shipments?trackingNumber=…`` with the ``DHL-API-Key`` header."""
from __future__ import annotations

from typing import Callable

import requests

from tracking.carriers.http import CarrierHTTP

BASE_URL = "https://api-eu.dhl.com"


class DHLClient:
    def __init__(self, api_key: str, *, sleep: Callable[[float], None] | None = None, session: requests.Session | None = None, base_url: str = BASE_URL):
        options = {"sleep": sleep} if sleep else {}
        self.http = CarrierHTTP(base_url=base_url, headers={"DHL-API-Key": api_key}, session=session, **options)

    def get_shipments(self, tracking_number: str, *, service: str = "", language: str = "en", recipient_postal_code: str = "") -> dict:
        params = {"trackingNumber": tracking_number, "language": language}
        if service:
            params["service"] = service
        if recipient_postal_code:
            params["recipientPostalCode"] = recipient_postal_code
        return self.http.get("/track/shipments", params=params)

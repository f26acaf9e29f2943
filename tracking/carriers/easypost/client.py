"""EasyPost HTTP: create/retrieve Trackers. Authentication is HTTP Basic with the API key as user."""
from __future__ import annotations

from typing import Callable

import requests

from tracking.carriers.http import CarrierHTTP

BASE_URL = "https://api.easypost.com/v2"


class EasyPostClient:
    def __init__(self, api_key: str, *, sleep: Callable[[float], None] | None = None, session: requests.Session | None = None, base_url: str = BASE_URL):
        options = {"sleep": sleep} if sleep else {}
        self.http = CarrierHTTP(base_url=base_url, auth=(api_key, ""), session=session, **options)

    def create_tracker(self, tracking_code: str, carrier: str = "") -> dict:
        """EasyPost returns the existing Tracker for a code+carrier it already follows, so this is
        also how we fetch the current state without storing EasyPost ids."""
        tracker = {"tracking_code": tracking_code}
        if carrier:
            tracker["carrier"] = carrier
        return self.http.post("/trackers", json={"tracker": tracker})

    def retrieve_tracker(self, tracker_id: str) -> dict:
        return self.http.get(f"/trackers/{tracker_id}")

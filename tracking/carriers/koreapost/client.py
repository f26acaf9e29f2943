"""Korea Post open API HTTP: ``GET …/getLongitudinalDomesticList?serviceKey=…&rgist=…`` -> XML.

data.go.kr issues each service key twice, URL-encoded ("Encoding") and plain ("Decoding"); either
is accepted here and sent encoded once. The published endpoint is plain http; point
DOORSTEP_KOREAPOST_API_URL at an https gateway where one is available, since the key travels in
the query string."""
from __future__ import annotations

import re
from typing import Callable
from urllib.parse import unquote

import requests

from tracking.carriers.http import CarrierHTTP

BASE_URL = "http://openapi.epost.go.kr"
DOMESTIC_TRACE_PATH = "/trace/retrieveLongitudinalService/retrieveLongitudinalService/getLongitudinalDomesticList"
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def plain_service_key(service_key: str) -> str:
    key = (service_key or "").strip()
    return unquote(key) if _ENCODED.search(key) else key


class KoreaPostClient:
    def __init__(self, service_key: str, *, base_url: str = BASE_URL, sleep: Callable[[float], None] | None = None,
                 session: requests.Session | None = None):
        options = {"sleep": sleep} if sleep else {}
        self.service_key = plain_service_key(service_key)
        self.http = CarrierHTTP(base_url=base_url or BASE_URL, headers={"Accept": "application/xml, text/xml"},
                                session=session, **options)

    def domestic_trace(self, rgist: str) -> bytes:
        """The raw XML body for one 13-digit registration number."""
        response = self.http.fetch("GET", DOMESTIC_TRACE_PATH, params={"serviceKey": self.service_key, "rgist": rgist})
        return response.content

"""DHLAdapter: polls the Unified Tracking API. DHL pushes nothing, so webhooks stay unsupported."""
from __future__ import annotations

from tracking.carriers.base import CarrierAdapter, Capability, InvalidRequest, TrackingResult
from tracking.carriers.dhl import parse
from tracking.carriers.dhl.client import BASE_URL, DHLClient


class DHLAdapter(CarrierAdapter):
    slug = "dhl"
    name = "DHL"
    capabilities = Capability.POLLING

    def __init__(self, credentials=None, *, sleep=None, session=None):
        super().__init__(credentials)
        self._client_options = {"sleep": sleep, "session": session}
        self._client: DHLClient | None = None

    @property
    def client(self) -> DHLClient:
        if self._client is None:
            self._client = DHLClient(self.credentials.api_key, base_url=self.credentials.api_url or BASE_URL,
                                     **self._client_options)
        return self._client

    def track(self, tracking_number: str, *, carrier_code: str = "") -> TrackingResult:
        number = tracking_number.strip().upper()
        if not number:
            raise InvalidRequest("empty tracking number")
        extra = self.credentials.extra or {}
        document = self.client.get_shipments(number, service=str(extra.get("service", "")))
        return parse.parse_shipments(document, tracking_number=number, carrier_url=self.tracking_url(number))

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://www.dhl.com/global-en/home/tracking.html?tracking-id={tracking_number.strip().upper()}&submit=1"

"""ShippoAdapter: polling through the Tracking API and token-authenticated ``track_updated`` webhooks."""
from __future__ import annotations

from tracking.carriers import status as st
from tracking.carriers.base import CarrierAdapter, Capability, InvalidRequest, NotFound, TrackingResult
from tracking.carriers.detect import best_detection, public_tracking_url
from tracking.carriers.parsing import load_json_object
from tracking.carriers.webhook_auth import require_url_token
from tracking.carriers.shippo import parse
from tracking.carriers.shippo.client import BASE_URL, ShippoClient

# Doorstep's carrier keys (tracking.carriers.detect) → Shippo carrier tokens.
CARRIER_TOKENS = {
    "ups": "ups",
    "usps": "usps",
    "fedex": "fedex",
    "dhl_express": "dhl_express",
    "dhl_ecommerce": "dhl_ecommerce",
    "mock": "shippo",  # Shippo's own test carrier, for sandbox accounts
}


class ShippoAdapter(CarrierAdapter):
    slug = "shippo"
    name = "Shippo"
    capabilities = Capability.WEBHOOKS | Capability.POLLING

    def __init__(self, credentials=None, *, sleep=None, session=None):
        super().__init__(credentials)
        self._client_options = {"sleep": sleep, "session": session}
        self._client: ShippoClient | None = None

    @property
    def client(self) -> ShippoClient:
        if self._client is None:
            self._client = ShippoClient(self.credentials.api_key, base_url=self.credentials.api_url or BASE_URL,
                                        **self._client_options)
        return self._client

    def carrier_token(self, tracking_number: str) -> str:
        configured = self.credentials.extra.get("carrier") if self.credentials.extra else ""
        if configured:
            return str(configured)
        detected = best_detection(tracking_number)
        token = CARRIER_TOKENS.get(detected.carrier, "") if detected else ""
        if not token:
            raise InvalidRequest("cannot tell which carrier this number belongs to; set 'carrier' on the Shippo account")
        return token

    def track(self, tracking_number: str, *, carrier_code: str = "") -> TrackingResult:
        number = tracking_number.strip().upper()
        track = self.client.get_track(self.carrier_token(number), number)
        try:
            result = parse.parse_track(track, carrier_url=self.tracking_url(number))
        except ValueError as exc:
            raise InvalidRequest(f"Shippo answered with something that is not a Track: {exc}") from None
        # Shippo answers 200 with an UNKNOWN status and no history for numbers the carrier lacks.
        if not result.events or all(e.status == st.PENDING for e in result.events):
            raise NotFound(f"Shippo has no tracking information for {number} yet")
        return result

    def register_tracking(self, tracking_number: str, *, carrier_code: str = "", callback_url: str = "",
                          expires_at=None) -> None:
        """Shippo pushes to the account-wide webhook with no expiry: nothing to renew."""
        number = tracking_number.strip().upper()
        self.client.register_track(self.carrier_token(number), number)

    def tracking_url(self, tracking_number: str) -> str:
        return public_tracking_url(tracking_number)

    def verify_webhook(self, *, headers, body, url_token=""):
        require_url_token(self.credentials, url_token)

    def parse_webhook(self, *, headers, body):
        return parse.parse_webhook(load_json_object(body), body, carrier_url=self.tracking_url)

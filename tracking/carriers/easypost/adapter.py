"""EasyPostAdapter: tracks any carrier EasyPost supports; pushes ``tracker.updated`` webhooks."""
from __future__ import annotations

import hashlib
import hmac
import unicodedata

from tracking.carriers.base import CarrierAdapter, Capability, InvalidRequest, TrackingResult, WebhookRejected, header
from tracking.carriers.detect import best_detection, public_tracking_url
from tracking.carriers.parsing import load_json_object
from tracking.carriers.webhook_auth import matches_any, require_secrets
from tracking.carriers.easypost import parse
from tracking.carriers.easypost.client import BASE_URL, EasyPostClient

SIGNATURE_HEADER = "X-Hmac-Signature"
SIGNATURE_PREFIX = "hmac-sha256-hex="

# Doorstep's carrier keys (tracking.carriers.detect) → EasyPost carrier names.
CARRIER_NAMES = {
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl_express": "DHLExpress",
    "dhl_ecommerce": "DHLEcommerceSolutions",
    "korea_post": "KoreaPost",
}


def signature(secret: str, body: bytes) -> str:
    """EasyPost's scheme: hex HMAC-SHA256 of the raw body, keyed with the NFKD-normalised secret."""
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    return SIGNATURE_PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


class EasyPostAdapter(CarrierAdapter):
    slug = "easypost"
    name = "EasyPost"
    capabilities = Capability.WEBHOOKS | Capability.POLLING

    def __init__(self, credentials=None, *, sleep=None, session=None):
        super().__init__(credentials)
        self._client_options = {"sleep": sleep, "session": session}
        self._client: EasyPostClient | None = None

    @property
    def client(self) -> EasyPostClient:
        if self._client is None:
            self._client = EasyPostClient(self.credentials.api_key, base_url=self.credentials.api_url or BASE_URL,
                                          **self._client_options)
        return self._client

    def _carrier_name(self, tracking_number: str) -> str:
        configured = self.credentials.extra.get("carrier") if self.credentials.extra else ""
        if configured:
            return str(configured)
        detected = best_detection(tracking_number)
        return CARRIER_NAMES.get(detected.carrier, "") if detected else ""  # "" lets EasyPost guess

    def track(self, tracking_number: str, *, carrier_code: str = "") -> TrackingResult:
        number = tracking_number.strip().upper()
        if not number:
            raise InvalidRequest("empty tracking number")
        tracker = self.client.create_tracker(number, self._carrier_name(number))
        try:
            return parse.parse_tracker(tracker)
        except ValueError as exc:
            raise InvalidRequest(f"EasyPost answered with something that is not a Tracker: {exc}") from None

    def register_tracking(self, tracking_number: str, *, carrier_code: str = "", callback_url: str = "",
                          expires_at=None) -> None:
        """EasyPost pushes to the account-wide webhook for as long as the tracker lives: nothing to renew."""
        number = tracking_number.strip().upper()
        self.client.create_tracker(number, self._carrier_name(number))

    def tracking_url(self, tracking_number: str) -> str:
        return public_tracking_url(tracking_number)

    def verify_webhook(self, *, headers, body, url_token=""):
        secrets = require_secrets(self.credentials)
        offered = header(headers, SIGNATURE_HEADER).strip()
        if not offered:
            raise WebhookRejected(f"missing {SIGNATURE_HEADER}", status=401,
                                  reason_code=WebhookRejected.REASON_SIGNATURE)
        if not offered.lower().startswith(SIGNATURE_PREFIX):
            raise WebhookRejected(f"{SIGNATURE_HEADER} is not {SIGNATURE_PREFIX}<hex>", status=400)
        if not matches_any(offered.lower(), [signature(secret, body) for secret in secrets]):
            raise WebhookRejected("signature does not match", status=401,
                                  reason_code=WebhookRejected.REASON_SIGNATURE)

    def parse_webhook(self, *, headers, body):
        return parse.parse_event(load_json_object(body))

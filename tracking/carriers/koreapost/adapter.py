"""KoreaPostAdapter: Korea Post's own trace API for domestic registered items and parcels
(kr.epost, 13-digit numbers). Korea Post pushes nothing, so it is polling only.

Credentials: ``api_key`` is the data.go.kr service key (encoded or decoded form)."""
from __future__ import annotations

import re

from tracking.carriers import companies
from tracking.carriers.base import AuthError, CarrierAdapter, Capability, InvalidRequest, TrackingResult
from tracking.carriers.koreapost import parse
from tracking.carriers.koreapost.client import BASE_URL, KoreaPostClient

NUMBER_RE = re.compile(r"^\d{13}$")


def normalize(tracking_number: str) -> str:
    """Korea Post prints numbers as 6012-3456-78901 or with spaces: digits only."""
    return re.sub(r"[\s-]", "", tracking_number or "")


class KoreaPostAdapter(CarrierAdapter):
    slug = "koreapost"
    name = "Korea Post"
    capabilities = Capability.POLLING

    def __init__(self, credentials=None, *, sleep=None, session=None):
        super().__init__(credentials)
        self._client_options = {"sleep": sleep, "session": session}
        self._client: KoreaPostClient | None = None

    @property
    def client(self) -> KoreaPostClient:
        if self._client is None:
            if not (self.credentials.api_key or "").strip():
                raise AuthError("Korea Post needs a data.go.kr service key")
            self._client = KoreaPostClient(self.credentials.api_key, base_url=self.credentials.api_url or BASE_URL,
                                           **self._client_options)
        return self._client

    def track(self, tracking_number: str, *, carrier_code: str = "") -> TrackingResult:
        if carrier_code and carrier_code != parse.COMPANY:
            raise InvalidRequest(f"Korea Post's API tracks only {parse.COMPANY}, not {carrier_code!r}")
        number = normalize(tracking_number)
        if not NUMBER_RE.match(number):
            raise InvalidRequest("Korea Post registration numbers have 13 digits")
        body = self.client.domestic_trace(number)
        return parse.parse_domestic(body, tracking_number=number, carrier_url=self.tracking_url(number))

    def tracking_url(self, tracking_number: str) -> str:
        return companies.public_tracking_url(parse.COMPANY, normalize(tracking_number))

"""SweetTrackerAdapter: Korean couriers through Sweet Tracker's 스마트택배 API (polling only).

Credentials: ``api_key`` is the Sweet Tracker key (sent as ``t_key``). ``extra["carrier_code"]``
fixes the courier (a company id such as kr.cjlogistics, or a raw t_code such as "04") for
accounts that ship with one courier.
"""
from __future__ import annotations

import re

from tracking.carriers import companies
from tracking.carriers.base import AuthError, CarrierAdapter, Capability, InvalidRequest, TrackingResult
from tracking.carriers.detect import detect
from tracking.carriers.sweettracker import codes, parse
from tracking.carriers.sweettracker.client import BASE_URL, SweetTrackerClient

T_CODE_RE = re.compile(r"^\d{2,3}$")


def normalize(tracking_number: str) -> str:
    return re.sub(r"[\s-]", "", tracking_number or "").upper()


class SweetTrackerAdapter(CarrierAdapter):
    slug = "sweettracker"
    name = "Sweet Tracker"
    capabilities = Capability.POLLING

    def __init__(self, credentials=None, *, sleep=None, session=None):
        super().__init__(credentials)
        self._client_options = {"sleep": sleep, "session": session}
        self._client: SweetTrackerClient | None = None

    @property
    def client(self) -> SweetTrackerClient:
        if self._client is None:
            key = (self.credentials.api_key or "").strip()
            if not key:
                raise AuthError("Sweet Tracker needs an API key (t_key)")
            self._client = SweetTrackerClient(key, base_url=self.credentials.api_url or BASE_URL, **self._client_options)
        return self._client

    # --- Which courier ------------------------------------------------------------------------------------
    def _explicit_code(self, carrier_code: str) -> tuple[str, str]:
        code = carrier_code.strip()
        company = companies.get(code)
        if company is not None:
            t_code = company.provider_code(self.slug)
            if not t_code:
                raise InvalidRequest(f"Sweet Tracker does not track {company.name()} ({company.id})")
            return company.id, t_code
        if T_CODE_RE.match(code):
            return codes.company_for(code), code
        raise InvalidRequest(f"unknown carrier company or Sweet Tracker code {code!r}")

    def resolve_carrier(self, tracking_number: str, carrier_code: str = "") -> tuple[str, str]:
        """(company id or "", t_code). In order: ``carrier_code``, the account's
        ``extra["carrier_code"]``, a detection whose check digit singles out one courier,
        Sweet Tracker's own ``recommend``, then any detection it covers."""
        explicit = carrier_code or str((self.credentials.extra or {}).get("carrier_code", ""))
        if explicit.strip():
            return self._explicit_code(explicit)
        detections = [d for d in detect(tracking_number) if d.score > 0.05 and companies.provider_code(d.company, self.slug)]
        verified = {d.company for d in detections if d.check_digit_verified}
        if len(verified) == 1:
            company = verified.pop()
            return company, companies.provider_code(company, self.slug)
        for guess in self.recommend_companies(tracking_number):
            return guess.company, guess.code
        if detections:
            return detections[0].company, companies.provider_code(detections[0].company, self.slug)
        raise InvalidRequest(f"cannot tell which courier {tracking_number!r} belongs to; pass carrier_code")

    # --- Tracking -------------------------------------------------------------------------------------------
    def track(self, tracking_number: str, *, carrier_code: str = "") -> TrackingResult:
        number = normalize(tracking_number)
        if not number:
            raise InvalidRequest("empty tracking number")
        company, t_code = self.resolve_carrier(number, carrier_code)
        document = self.client.tracking_info(t_code, number)
        return parse.parse_tracking(document, tracking_number=number, company=company,
                                    carrier_url=companies.public_tracking_url(company, number))

    def recommend_companies(self, tracking_number: str) -> list[parse.CompanyGuess]:
        """Sweet Tracker's guess at the courier for a number (its ``recommend`` endpoint), likeliest
        first. Costs one API call; the guesses carry Doorstep company ids where there are some."""
        number = normalize(tracking_number)
        if not number:
            raise InvalidRequest("empty tracking number")
        return parse.parse_companies(self.client.recommend(number), "Recommend")

    def company_list(self) -> list[parse.CompanyGuess]:
        """Every courier Sweet Tracker tracks, as its ``companylist`` says today."""
        return parse.parse_companies(self.client.company_list(), "Company")

    def tracking_url(self, tracking_number: str) -> str:
        number = normalize(tracking_number)
        best = next((d for d in detect(number) if d.score > 0.05 and companies.provider_code(d.company, self.slug)), None)
        return companies.public_tracking_url(best.company, number) if best else ""

"""TrackerDeliveryAdapter: Korean (and some international) carriers through tracker.delivery's
GraphQL API, with per-parcel webhooks that lapse and must be renewed.

Credentials: ``api_key`` is ``<client id>:<client secret>`` (the value of the TRACKQL-API-KEY
header), or the secret alone with the client id in ``extra["client_id"]`` (an id is not secret).
``extra["carrier_code"]`` fixes the carrier company for accounts that ship with one courier.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Callable, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tracking.carriers import companies
from tracking.carriers.base import (
    AuthError,
    CarrierAdapter,
    Capability,
    InvalidRequest,
    TrackingRegistration,
    TrackingResult,
)
from tracking.carriers.detect import best_company, normalize
from tracking.carriers.parsing import load_json_object
from tracking.carriers.webhook_auth import require_url_token
from tracking.carriers.trackerdelivery import parse
from tracking.carriers.trackerdelivery.client import BASE_URL, TrackerDeliveryClient

CARRIER_ID_RE = re.compile(r"^[a-z]{2}\.[a-z0-9][a-z0-9.-]*$")  # kr.cjlogistics, un.upu.ems, jp.yamato


class TrackerDeliveryAdapter(CarrierAdapter):
    slug = "trackerdelivery"
    name = "tracker.delivery"
    capabilities = Capability.WEBHOOKS | Capability.POLLING
    # tracker.delivery recommends registrations 48 hours ahead, renewed before they lapse.
    webhook_ttl: ClassVar[timedelta] = timedelta(hours=48)
    max_webhook_bytes: ClassVar[int] = 4 * 1024  # the callback is two short strings

    clock: Callable[[], datetime] = staticmethod(lambda: datetime.now(UTC))

    def __init__(self, credentials=None, *, sleep=None, session=None):
        super().__init__(credentials)
        self._client_options = {"sleep": sleep, "session": session}
        self._client: TrackerDeliveryClient | None = None

    @property
    def client(self) -> TrackerDeliveryClient:
        if self._client is None:
            self._client = TrackerDeliveryClient(self._api_key(), base_url=self.credentials.api_url or BASE_URL,
                                                 **self._client_options)
        return self._client

    def _api_key(self) -> str:
        key = (self.credentials.api_key or "").strip()
        client_id = str((self.credentials.extra or {}).get("client_id", "")).strip()
        if key and ":" not in key and client_id:
            key = f"{client_id}:{key}"
        if ":" not in key or key.startswith(":") or key.endswith(":"):
            raise AuthError("tracker.delivery needs a client id and a client secret ('<client id>:<client secret>')")
        return key

    # --- Which carrier ----------------------------------------------------------------------------------
    def resolve_carrier(self, tracking_number: str, carrier_code: str = "") -> tuple[str, str]:
        """(company id, tracker.delivery carrierId). ``carrier_code`` may be a company id
        (kr.cjlogistics, ups) or a tracker.delivery id Doorstep has no company for (jp.yamato);
        without one, the account's ``extra["carrier_code"]``, then a detection with a verified check
        digit, then any detection tracker.delivery covers."""
        code = (carrier_code or str((self.credentials.extra or {}).get("carrier_code", ""))).strip()
        if not code:
            code = (best_company(tracking_number, provider=self.slug, verified_only=True)
                    or best_company(tracking_number, provider=self.slug))
        if not code:
            raise InvalidRequest(f"cannot tell which carrier {tracking_number!r} belongs to; pass carrier_code "
                                 "(e.g. kr.cjlogistics)")
        company = companies.get(code)
        if company is not None:
            carrier_id = company.provider_code(self.slug)
            if not carrier_id:
                raise InvalidRequest(f"tracker.delivery does not track {company.name()} ({company.id})")
            return company.id, carrier_id
        if CARRIER_ID_RE.match(code):  # a tracker.delivery carrierId Doorstep has no company for (jp.yamato)
            return parse.company_for(code), code
        raise InvalidRequest(f"unknown carrier company {code!r}")

    # --- Tracking ---------------------------------------------------------------------------------------
    def track(self, tracking_number: str, *, carrier_code: str = "") -> TrackingResult:
        number = normalize(tracking_number)
        if not number:
            raise InvalidRequest("empty tracking number")
        company, carrier_id = self.resolve_carrier(number, carrier_code)
        document, retry_after = self.client.track(carrier_id, number)
        return parse.parse_track(document, tracking_number=number, carrier_code=company,
                                 carrier_url=companies.public_tracking_url(company, number), retry_after=retry_after)

    def register_tracking(self, tracking_number: str, *, carrier_code: str = "", callback_url: str = "",
                          expires_at: datetime | None = None) -> TrackingRegistration:
        """Ask tracker.delivery to call ``callback_url`` (the account's webhook URL; the adapter adds
        the account's secret as ``?token=``) whenever the parcel changes, until ``expires_at``
        (default: now + 48 h). Call again before then to extend it; an ``expires_at`` in the past
        deletes the registration."""
        number = normalize(tracking_number)
        if not number:
            raise InvalidRequest("empty tracking number")
        company, carrier_id = self.resolve_carrier(number, carrier_code)
        if expires_at is None:
            expires_at = self.clock() + self.webhook_ttl
        if expires_at.tzinfo is None:
            raise InvalidRequest("expires_at must be timezone-aware")
        expires_at = expires_at.astimezone(UTC).replace(microsecond=0)
        url = self.callback_url(callback_url)
        document, retry_after = self.client.register_track_webhook(
            carrier_id=carrier_id, tracking_number=number, callback_url=url,
            expiration_time=expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        parse.parse_register(document, retry_after=retry_after)
        return TrackingRegistration(tracking_number=number, carrier_code=company, callback_url=url,
                                    expires_at=expires_at)

    def callback_url(self, url: str) -> str:
        """``url`` with ``token=<current webhook secret>`` (replacing any token already there).
        Refuses to register a callback Doorstep could not authenticate."""
        parts = urlsplit((url or "").strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidRequest("register_tracking needs an absolute http(s) callback_url")
        if not self.credentials.webhook_secret:
            raise InvalidRequest("this tracker.delivery account has no webhook secret to put in the callback URL")
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "token"]
        query.append(("token", self.credentials.webhook_secret))
        return urlunsplit(parts._replace(query=urlencode(query)))

    def tracking_url(self, tracking_number: str) -> str:
        number = normalize(tracking_number)
        return companies.public_tracking_url(best_company(number, provider=self.slug), number)

    def company_of(self, tracking_number: str) -> str:
        """The carrier company a parcel is with (its account's, else the best detection)."""
        number = normalize(tracking_number)
        code = str((self.credentials.extra or {}).get("carrier_code", "")).strip()
        return code or best_company(number, provider=self.slug, verified_only=True) or best_company(
            number, provider=self.slug)

    # --- Webhooks ---------------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body, url_token=""):
        # tracker.delivery signs nothing: the callback is trusted only with our secret in its URL.
        require_url_token(self.credentials, url_token)

    def parse_webhook(self, *, headers, body):
        return [parse.parse_callback(load_json_object(body))]

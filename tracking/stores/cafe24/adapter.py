"""Cafe24Adapter: Admin API backfill in date windows, shipment status written back through the
order's shipments, OAuth with two-hour access tokens and rotating two-week refresh tokens.

Webhooks. Cafe24's webhooks are configured per app in the Cafe24 Developers console (events,
receiving URL), not by API, so there is no WEBHOOK_REGISTRATION. Cafe24 does not sign the body:
a delivery carries the app's webhook key (the console's "WebHook 인증정보" value) in an
``X-API-Key`` header, which only proves the sender knows that shared key. ``verify_webhook``
compares it (or a secret token in the receiving URL) in constant time with
``credentials.webhook_secret``, and every order event is parsed with ``needs_fetch`` so the
processor reads the order from the API instead of trusting the body. A merchant without
webhooks is served by polling (``fetch_orders`` over recent days).

Refunds are not offered: Cafe24 refunds go through cancellation / return claims whose money
flows depend on the mall's payment gateway, which this layer does not model.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, timedelta

from tracking.carriers import status as st
from tracking.carriers.base import header
from tracking.carriers.webhook_auth import matches_any
from tracking.stores import base as b
from tracking.stores.base import (AuthError, Capability, InvalidRequest, NotFound, OAuthRejected, Page, PushResult, StoreAdapter,
                    WebhookRejected)
from tracking.stores.carrier_names import company_id
from tracking.stores.parsing import dicts, load_json_object, obj, text, when
from tracking.stores.cafe24 import oauth, parse
from tracking.stores.cafe24.client import Cafe24Client, NoChange

DEFAULT_API_VERSION = "2025-12-01"
WINDOW_DAYS = 89  # Cafe24 refuses a search window of three months or more
MAX_OFFSET = 15000  # Cafe24's largest offset
ORDER_PAGE_SIZE = 100
PRODUCT_PAGE_SIZE = 100
DEFAULT_HISTORY = timedelta(days=365)  # fetch_orders(since=None) starts this far back

# Canonical status -> Cafe24 shipment status (standby 배송대기, shipping 배송중, shipped 배송완료).
SHIPMENT_STATUS: dict[str, str] = {
    st.PENDING: "standby",
    st.INFO_RECEIVED: "standby",
    st.IN_TRANSIT: "shipping",
    st.OUT_FOR_DELIVERY: "shipping",
    st.FAILED_ATTEMPT: "shipping",
    st.AVAILABLE_FOR_PICKUP: "shipping",
    st.DELIVERED: "shipped",
}


def _cursor(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if not isinstance(state, dict):
            raise ValueError
        for key in ("s", "e", "u"):
            date.fromisoformat(state[key])
        if not all(isinstance(state.get(k), int) for k in ("o", "n")):
            raise ValueError
    except (ValueError, TypeError, KeyError):
        raise InvalidRequest("cursor is not one of ours") from None
    return state


class Cafe24Adapter(StoreAdapter):
    slug = "cafe24"
    name = "Cafe24"
    capabilities = (Capability.WEBHOOKS | Capability.OAUTH | Capability.BACKFILL | Capability.FULFILMENT_EVENTS
                    | Capability.POLLING)

    def __init__(self, credentials=None, *, session=None, sleep=None, now=None):
        super().__init__(credentials, session=session, sleep=sleep, now=now)
        self._client: Cafe24Client | None = None
        self._carriers: dict[str, str] | None = None

    # --- configuration ------------------------------------------------------------------------
    @property
    def mall_id(self) -> str:
        try:
            return oauth.validate_mall_id(self.credentials.shop)
        except OAuthRejected as exc:
            raise InvalidRequest(f"Cafe24 connection misconfigured: {exc}") from None

    @property
    def client(self) -> Cafe24Client:
        if self._client is None:
            self._client = Cafe24Client(
                base_url=oauth.base_url(self.mall_id, self.credentials.api_url),
                access_token=self.credentials.access_token,
                api_version=self.credentials.api_version or DEFAULT_API_VERSION,
                client_id=self.credentials.client_id, client_secret=self.credentials.client_secret,
                session=self._session, sleep=self._sleep,
                shop_no=int(self.credentials.extra.get("shop_no", 1) or 1))
        return self._client

    @property
    def code_overrides(self) -> dict[str, str]:
        overrides = self.credentials.extra.get("cafe24_carrier_codes")
        return {str(k): str(v) for k, v in overrides.items()} if isinstance(overrides, dict) else {}

    def _api(self, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except AuthError as exc:
            if exc.reason == AuthError.REASON_INVALID and oauth.expired(self.credentials.token_expires_at, self._now()):
                raise AuthError(f"{exc} (access token expired)", reason=AuthError.REASON_EXPIRED) from exc
            raise

    def mall_carriers(self) -> dict[str, str]:
        """The mall's own ``shipping_carrier_code → name`` list, read once per adapter. A token
        without the ``mall.read_shipping`` scope gets {} (names sent with items still work)."""
        if self._carriers is None:
            try:
                self._carriers = parse.parse_carriers(self._api(self.client.list_carriers).data)
            except AuthError as exc:
                if exc.reason != AuthError.REASON_SCOPE:
                    raise
                self._carriers = {}
        return self._carriers

    def _parse_order(self, document: dict) -> b.StoreOrder:
        needs_table = any(text(i.get("shipping_company_code"), 20) and not text(i.get("shipping_company_name"), 100)
                          and text(i.get("shipping_company_code"), 20) not in self.code_overrides
                          for i in dicts(obj(document).get("items")))
        try:
            return parse.parse_order(document, carriers=self.mall_carriers() if needs_table else None,
                                     overrides=self.code_overrides)
        except ValueError as exc:
            raise InvalidRequest(f"Cafe24 order: {exc}") from None

    # --- webhooks -------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body, url_token=""):
        secrets = list(self.credentials.webhook_secrets)
        if not secrets:
            raise WebhookRejected("no webhook key configured for this mall", status=401,
                                  reason_code=WebhookRejected.REASON_SIGNATURE)
        offered = header(headers, "X-API-Key").strip()
        token = url_token.strip() if isinstance(url_token, str) else ""
        if not offered and not token:
            raise WebhookRejected("missing X-API-Key", status=401, reason_code=WebhookRejected.REASON_SIGNATURE)
        # Both are always compared (no early exit), so timing says nothing about which matched.
        key_ok = matches_any(offered, secrets) if offered else False
        token_ok = matches_any(token, secrets) if token else False
        if not (key_ok or token_ok):
            raise WebhookRejected("webhook key does not match", status=401, reason_code=WebhookRejected.REASON_SIGNATURE)

    def parse_webhook(self, *, headers, body):
        document = load_json_object(body)
        try:
            topic, platform_topic, fields = parse.parse_webhook_payload(document)
        except ValueError as exc:
            raise WebhookRejected(f"Cafe24: {exc}", status=422, reason_code=WebhookRejected.REASON_SHAPE) from None
        resource = obj(document.get("resource"))
        delivery_id = header(headers, "X-Trace-Id").strip()[:200] or hashlib.sha256(bytes(body)).hexdigest()[:40]
        triggered = when(resource.get("updated_date")) or when(resource.get("deleted_date")) or when(resource.get("expired_date"))
        return b.StoreWebhook(platform=parse.PLATFORM, topic=topic, platform_topic=platform_topic,
                              delivery_id=delivery_id, shop=text(resource.get("mall_id"), 60),
                              triggered_at=triggered, **fields)

    # --- backfill and polling -------------------------------------------------------------------
    def _kst_date(self, moment: datetime) -> date:
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise InvalidRequest("timestamps must be timezone-aware datetimes")
        return moment.astimezone(oauth.KST).date()

    def fetch_orders(self, *, since=None, cursor=None, page_size=ORDER_PAGE_SIZE):
        """Orders by order date (Cafe24 keeps no modification date to filter on), in windows of
        at most 89 days and pages of ``page_size`` by offset. A window holding more than Cafe24's
        15,000-offset limit is halved and read again (duplicates are harmless upserts). Changes to
        older orders arrive by webhook, or by polling a recent ``since``."""
        if cursor:
            state = _uncursor(cursor)
        else:
            today = self._kst_date(self._now())
            start = self._kst_date(since) if since else today - DEFAULT_HISTORY
            state = {"s": start.isoformat(), "e": min(start + timedelta(days=WINDOW_DAYS), today).isoformat(),
                     "u": today.isoformat(), "o": 0, "n": max(1, min(page_size, 1000))}
        start, end, until = (date.fromisoformat(state[k]) for k in ("s", "e", "u"))
        limit, offset = max(1, min(state["n"], 1000)), max(0, state["o"])
        result = self._api(self.client.list_orders, start_date=start.isoformat(), end_date=end.isoformat(),
                           offset=offset, limit=limit)
        documents = dicts(obj(result.data).get("orders"))
        orders = tuple(self._parse_order(d) for d in documents)
        if len(documents) >= limit:
            if offset + 2 * limit <= MAX_OFFSET:
                next_state = {**state, "o": offset + limit}
            elif start < end:  # too many orders in this window for Cafe24's offset limit: halve it
                next_state = {**state, "e": (start + (end - start) // 2).isoformat(), "o": 0}
            else:
                raise InvalidRequest(f"more than {MAX_OFFSET} Cafe24 orders on {start}: cannot page further")
        elif end < until:
            next_start = end + timedelta(days=1)
            next_state = {**state, "s": next_start.isoformat(),
                          "e": min(next_start + timedelta(days=WINDOW_DAYS), until).isoformat(), "o": 0}
        else:
            next_state = None
        return Page(items=orders, next_cursor=_cursor(next_state) if next_state else None)

    def fetch_order(self, order_id):
        order_id = text(order_id, 100)
        if not order_id or "/" in order_id:
            raise NotFound(f"not a Cafe24 order id: {order_id!r}")
        result = self._api(self.client.get_order, order_id)
        document = obj(result.data).get("order")
        if not isinstance(document, dict):
            raise NotFound(f"Cafe24 order {order_id} not found")
        return self._parse_order(document)

    def fetch_products(self, *, since=None, cursor=None, page_size=PRODUCT_PAGE_SIZE):
        try:
            state = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode())) if cursor else {
                "o": 0, "n": max(1, min(page_size, 100)),
                "since": since.astimezone(oauth.KST).isoformat(timespec="seconds") if since else None}
            offset, limit = int(state["o"]), max(1, min(int(state["n"]), 100))
        except (ValueError, TypeError, KeyError, AttributeError):
            raise InvalidRequest("cursor is not one of ours") from None
        result = self._api(self.client.list_products, offset=offset, limit=limit,
                           updated_since=state.get("since") if isinstance(state.get("since"), str) else None)
        documents = dicts(obj(result.data).get("products"))
        try:
            products = tuple(parse.parse_product(d) for d in documents)
        except ValueError as exc:
            raise InvalidRequest(f"Cafe24 product: {exc}") from None
        more = len(documents) >= limit and offset + limit < MAX_OFFSET
        return Page(items=products, next_cursor=_cursor({**state, "o": offset + limit}) if more else None)

    # --- write back -----------------------------------------------------------------------------
    def shipping_company_code(self, carrier: str) -> str:
        """The mall's ``shipping_company_code`` for a Doorstep carrier company id ("" if none)."""
        for code, company in self.code_overrides.items():
            if company == carrier:
                return code
        for code, name in self.mall_carriers().items():
            if company_id(name) == carrier:
                return code
        return ""

    def push_fulfilment_event(self, *, order_id, fulfilment_id, tracking_number, status, happened_at, reason="",
                              message="", carrier="", location="", estimated_delivery_at=None):
        """Move the order's shipment (``PUT …/shipments/{shipping_code}``) to shipping / shipped.
        Cafe24 has three shipment states, so only forward moves are sent (never back to standby).
        With no ``fulfilment_id`` the parcel is registered first (``POST …/shipments`` with the
        tracking number and the mall's code for ``carrier``) and the new shipping code returned."""
        mapped = SHIPMENT_STATUS.get(status)
        if mapped is None:
            return PushResult(accepted=False, skipped_reason=f"Cafe24 has no shipment status for {status!r}")
        if fulfilment_id:
            if mapped == "standby":
                return PushResult(accepted=False, skipped_reason="Cafe24 shipments are not moved back to standby")
            try:
                self._api(self.client.update_shipment, text(order_id, 100), text(fulfilment_id, 100), {"status": mapped})
            except NoChange:
                return PushResult(accepted=True, platform_status=mapped, remote_id=fulfilment_id,
                                  skipped_reason="unchanged")
            return PushResult(accepted=True, platform_status=mapped, remote_id=fulfilment_id)
        if not tracking_number:
            return PushResult(accepted=False, skipped_reason="no tracking number to register")
        code = self.shipping_company_code(carrier)
        if not code:
            return PushResult(accepted=False, skipped_reason=f"no Cafe24 shipping company code for {carrier!r}")
        first = "shipping" if mapped in ("shipping", "shipped") else "standby"
        try:
            created = self._api(self.client.create_shipment, text(order_id, 100),
                                {"tracking_no": tracking_number, "shipping_company_code": code, "status": first})
        except NoChange:
            return PushResult(accepted=True, platform_status=first, skipped_reason="unchanged")
        shipments = dicts(obj(created.data).get("shipments")) or [obj(obj(created.data).get("shipment"))]
        shipping_code = next((text(s.get("shipping_code"), 100) for s in shipments if text(s.get("shipping_code"), 100)), "")
        if mapped == "shipped" and shipping_code:
            try:
                self._api(self.client.update_shipment, text(order_id, 100), shipping_code, {"status": "shipped"})
            except NoChange:
                pass
            return PushResult(accepted=True, platform_status="shipped", remote_id=shipping_code)
        return PushResult(accepted=True, platform_status=first, remote_id=shipping_code)

    # --- OAuth ----------------------------------------------------------------------------------
    def authorize_url(self, *, redirect_uri, state, scopes=()):
        return oauth.authorize_url(mall_id=self.mall_id, client_id=self.credentials.client_id,
                                   redirect_uri=redirect_uri, state=state,
                                   scopes=tuple(scopes) or self.credentials.scopes, base=self.credentials.api_url)

    def exchange_code(self, *, code, redirect_uri=""):
        grant = oauth.parse_token_response(self.client.token(oauth.code_form(code=code, redirect_uri=redirect_uri)))
        if grant.shop and grant.shop.lower() != self.mall_id:
            raise OAuthRejected(f"token is for mall {grant.shop!r}, not {self.mall_id!r}")
        self._use(grant)
        return grant

    def refresh_access_token(self):
        if not self.credentials.refresh_token:
            raise AuthError("no refresh token: the merchant must re-authorise", reason=AuthError.REASON_INVALID)
        if oauth.expired(self.credentials.refresh_token_expires_at, self._now()):
            raise AuthError("the refresh token expired (two weeks): the merchant must re-authorise",
                            reason=AuthError.REASON_INVALID)
        try:
            document = self.client.token(oauth.refresh_form(refresh_token=self.credentials.refresh_token))
        except (InvalidRequest, AuthError) as exc:
            raise AuthError(f"Cafe24 refused the refresh token: {exc}", reason=AuthError.REASON_INVALID) from exc
        grant = oauth.parse_token_response(document)
        self._use(grant)
        return grant

    def _use(self, grant: b.TokenGrant) -> None:
        self.credentials = grant.apply(self.credentials)
        self._client = None

"""WooCommerceAdapter: REST API v3 with consumer key/secret, webhooks signed per webhook secret,
shipment status written back as order notes (and Shipment Tracking items), refunds through the
payment gateway (``api_refund``)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlsplit

from tracking.carriers import status as st
from tracking.carriers.base import header
from tracking.carriers.webhook_auth import matches_any
from tracking.stores import base as b
from tracking.stores.base import Capability, InvalidRequest, NotFound, Page, PushResult, StoreAdapter, WebhookRejected
from tracking.stores.parsing import currency, dicts, ident, load_json_object, money, text
from tracking.stores.woocommerce import parse
from tracking.stores.woocommerce.client import WooCommerceClient

ORDER_PAGE_SIZE = 50
PRODUCT_PAGE_SIZE = 50
MAX_VARIATION_PAGES = 10
STATUS_LABELS = dict(st.STATUSES)
KEY_MARKER = re.compile(r"\[doorstep:([A-Za-z0-9_.:-]{1,100})\]")

H_SIGNATURE, H_TOPIC, H_SOURCE = "X-WC-Webhook-Signature", "X-WC-Webhook-Topic", "X-WC-Webhook-Source"
H_DELIVERY, H_WEBHOOK_ID = "X-WC-Webhook-Delivery-ID", "X-WC-Webhook-ID"


def webhook_signature(secret: str, body: bytes) -> str:
    """WooCommerce's scheme: base64 of the HMAC-SHA256 of the raw body, keyed with the webhook's secret."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode()


def is_ping(headers, body) -> bool:
    """WooCommerce's creation ping: an unsigned form body ``webhook_id=<n>`` and no topic."""
    return (isinstance(body, (bytes, bytearray)) and bool(parse.PING_BODY.fullmatch(bytes(body)))
            and not header(headers, H_SIGNATURE) and not header(headers, H_TOPIC))


def _cursor(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, TypeError):
        raise InvalidRequest("cursor is not one of ours") from None
    if not isinstance(state, dict):
        raise InvalidRequest("cursor is not one of ours")
    return state


def _gmt(moment: datetime) -> str:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InvalidRequest("timestamps must be timezone-aware datetimes")
    return moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat()


def _int_header(result, name: str) -> int | None:
    value = next((v for k, v in result.headers.items() if k.lower() == name.lower()), "")
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 9 else None


class WooCommerceAdapter(StoreAdapter):
    slug = "woocommerce"
    name = "WooCommerce"
    capabilities = (Capability.WEBHOOKS | Capability.WEBHOOK_REGISTRATION | Capability.BACKFILL
                    | Capability.FULFILMENT_EVENTS | Capability.REFUNDS | Capability.POLLING)

    def __init__(self, credentials=None, *, session=None, sleep=None, now=None):
        super().__init__(credentials, session=session, sleep=sleep, now=now)
        self._client: WooCommerceClient | None = None

    @property
    def store_url(self) -> str:
        """The store's base URL: ``api_url`` (a sandbox, may be http) or ``shop`` (must be https)."""
        url = (self.credentials.api_url or self.credentials.shop or "").strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
            raise InvalidRequest(f"WooCommerce store URL is not usable: {url[:100]!r}")
        if parts.scheme == "http" and not self.credentials.api_url:
            raise InvalidRequest("WooCommerce keys are sent over HTTPS only (http stores need OAuth 1.0a)")
        return url

    @property
    def client(self) -> WooCommerceClient:
        if self._client is None:
            if not (self.credentials.consumer_key and self.credentials.consumer_secret):
                raise InvalidRequest("WooCommerce consumer key and secret are required")
            self._client = WooCommerceClient(
                store_url=self.store_url, consumer_key=self.credentials.consumer_key,
                consumer_secret=self.credentials.consumer_secret, session=self._session, sleep=self._sleep,
                query_string_auth=bool(self.credentials.extra.get("query_string_auth")))
        return self._client

    # --- webhooks -------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body, url_token=""):
        if is_ping(headers, body):
            return  # unsigned by WooCommerce's design; it carries nothing but the webhook id
        secrets = self.credentials.webhook_secrets
        if not secrets:
            raise WebhookRejected("no webhook secret configured for this store", status=401,
                                  reason_code=WebhookRejected.REASON_SIGNATURE)
        offered = header(headers, H_SIGNATURE).strip()
        if not offered:
            raise WebhookRejected(f"missing {H_SIGNATURE}", status=401, reason_code=WebhookRejected.REASON_SIGNATURE)
        if not isinstance(body, (bytes, bytearray)):
            raise WebhookRejected("body must be the raw bytes", status=400, reason_code=WebhookRejected.REASON_BODY)
        if not matches_any(offered, [webhook_signature(secret, bytes(body)) for secret in secrets]):
            raise WebhookRejected("signature does not match", status=401, reason_code=WebhookRejected.REASON_SIGNATURE)

    def parse_webhook(self, *, headers, body):
        source = header(headers, H_SOURCE).strip()[:255]
        if is_ping(headers, body):
            webhook_id = parse.PING_BODY.fullmatch(bytes(body)).group(1).decode()
            return b.StoreWebhook(platform=parse.PLATFORM, topic=b.TOPIC_PING, platform_topic="ping",
                                  delivery_id=f"ping-{webhook_id}", shop=source)
        platform_topic = header(headers, H_TOPIC).strip()[:100]
        if not platform_topic:
            raise WebhookRejected(f"missing {H_TOPIC}", status=400, reason_code=WebhookRejected.REASON_SHAPE)
        document = load_json_object(body)
        topic = parse.TOPICS.get(platform_topic.lower(), b.TOPIC_UNKNOWN)
        try:
            fields = parse.parse_webhook_payload(topic, document)
        except ValueError as exc:
            raise WebhookRejected(f"{platform_topic}: {exc}", status=422, reason_code=WebhookRejected.REASON_SHAPE) from None
        delivery_id = header(headers, H_DELIVERY).strip()[:200] or hashlib.sha256(
            platform_topic.encode() + b"\0" + bytes(body)).hexdigest()[:40]
        orders = fields.get("orders") or ()
        return b.StoreWebhook(platform=parse.PLATFORM, topic=topic, platform_topic=platform_topic,
                              delivery_id=delivery_id, shop=source,
                              triggered_at=orders[0].updated_at if orders else None,
                              event_id=header(headers, H_WEBHOOK_ID).strip()[:50], **fields)

    def register_webhooks(self, *, callback_url, topics=None):
        """``POST /webhooks`` per topic, signed with ``credentials.webhook_secret`` (generate and
        store it before calling). Doorstep topics WooCommerce folds into order.updated
        (cancellations, tracking changes) or lacks (uninstall) are skipped."""
        if not self.credentials.webhook_secret:
            raise InvalidRequest("set credentials.webhook_secret before registering WooCommerce webhooks")
        created = []
        for topic in topics or b.DEFAULT_TOPICS:
            if topic in parse.COVERED_ELSEWHERE:
                continue
            wc_topic = parse.SUBSCRIPTION_TOPICS.get(topic)
            if not wc_topic:
                raise InvalidRequest(f"WooCommerce has no webhook topic for {topic!r}")
            result = self.client.create_webhook({"name": f"Doorstep {topic}", "topic": wc_topic,
                                                 "delivery_url": callback_url, "secret": self.credentials.webhook_secret,
                                                 "status": "active"})
            webhook_id = ident((result.data or {}).get("id")) if isinstance(result.data, dict) else ""
            if webhook_id:
                created.append(webhook_id)
        return created

    # --- backfill and polling -------------------------------------------------------------------
    def fetch_orders(self, *, since=None, cursor=None, page_size=ORDER_PAGE_SIZE):
        """Keyset pages over ``date_modified`` (``orderby=modified&order=asc&modified_after=…``): the
        next page starts one second before the last order seen, so an order changed while we page
        moves behind us instead of shifting one we have not read yet. Orders at the boundary
        second come twice; upserts make that harmless. Page numbers are used only when a whole
        page shares one second."""
        state = _uncursor(cursor) if cursor else {"after": _gmt(since) if since else None, "page": 1,
                                                  "n": max(1, min(page_size, 100))}
        per_page = state.get("n") if isinstance(state.get("n"), int) and 0 < state["n"] <= 100 else ORDER_PAGE_SIZE
        page = state.get("page") if isinstance(state.get("page"), int) and 0 < state["page"] < 10**6 else 1
        after = state.get("after") if isinstance(state.get("after"), str) else None
        result = self.client.list_orders(page=page, per_page=per_page, modified_after=after)
        try:
            orders = tuple(parse.parse_order(o) for o in dicts(result.data))
        except ValueError as exc:
            raise InvalidRequest(f"WooCommerce order: {exc}") from None
        total_pages = _int_header(result, "X-WP-TotalPages")
        if len(orders) < per_page or (total_pages is not None and total_pages <= page):
            return Page(items=orders, next_cursor=None)
        stamps = [o.updated_at for o in orders if o.updated_at]
        next_after = _gmt(max(stamps) - timedelta(seconds=1)) if stamps else None
        if next_after is None or (after is not None and next_after <= after):
            next_state = {"after": after, "page": page + 1, "n": per_page}
        else:
            next_state = {"after": next_after, "page": 1, "n": per_page}
        return Page(items=orders, next_cursor=_cursor(next_state))

    def fetch_order(self, order_id):
        if not ident(order_id).isdigit():
            raise NotFound(f"WooCommerce order ids are numbers, not {order_id!r}")
        result = self.client.get_order(ident(order_id))
        try:
            return parse.parse_order(result.data)
        except ValueError as exc:
            raise InvalidRequest(f"WooCommerce order: {exc}") from None

    def fetch_products(self, *, since=None, cursor=None, page_size=PRODUCT_PAGE_SIZE):
        """Pages by id (``orderby=id&order=asc``); a variable product costs one more call for its
        variations."""
        state = _uncursor(cursor) if cursor else {"after": _gmt(since) if since else None, "page": 1,
                                                  "n": max(1, min(page_size, 100))}
        per_page = state.get("n") if isinstance(state.get("n"), int) and 0 < state["n"] <= 100 else PRODUCT_PAGE_SIZE
        page = state.get("page") if isinstance(state.get("page"), int) and 0 < state["page"] < 10**6 else 1
        after = state.get("after") if isinstance(state.get("after"), str) else None
        result = self.client.list_products(page=page, per_page=per_page, modified_after=after)
        products = []
        for document in dicts(result.data):
            variations = None
            if document.get("type") == "variable" and ident(document.get("id")):
                variations = []
                for variation_page in range(1, MAX_VARIATION_PAGES + 1):
                    chunk = dicts(self.client.list_variations(ident(document["id"]), page=variation_page).data)
                    variations.extend(chunk)
                    if len(chunk) < 100:
                        break
            try:
                products.append(parse.parse_product(document, variations))
            except ValueError as exc:
                raise InvalidRequest(f"WooCommerce product: {exc}") from None
        total_pages = _int_header(result, "X-WP-TotalPages")
        done = len(products) < per_page or (total_pages is not None and total_pages <= page)
        return Page(items=tuple(products),
                    next_cursor=None if done else _cursor({"after": after, "page": page + 1, "n": per_page}))

    # --- write back -----------------------------------------------------------------------------
    def push_fulfilment_event(self, *, order_id, fulfilment_id, tracking_number, status, happened_at, reason="",
                              message="", carrier="", location="", estimated_delivery_at=None):
        """A private order note with the new status. With the Shipment Tracking extension
        (``credentials.extra["shipment_tracking"]``) and no ``fulfilment_id`` yet, the parcel is
        first attached to the order as a tracking item (its id is returned as ``remote_id``: pass it
        as ``fulfilment_id`` next time)."""
        if status not in STATUS_LABELS:
            raise InvalidRequest(f"unknown canonical status {status!r}")
        if not isinstance(happened_at, datetime) or happened_at.tzinfo is None:
            raise InvalidRequest("happened_at must be timezone-aware")
        remote_id = ""
        if not fulfilment_id and tracking_number and self.credentials.extra.get("shipment_tracking"):
            provider = parse.TRACKING_PROVIDERS.get(carrier)
            item = {"tracking_number": tracking_number, "date_shipped": happened_at.date().isoformat()}
            if provider:
                item["tracking_provider"] = provider
            else:
                item["custom_tracking_provider"] = carrier or "Carrier"
            created = self.client.add_shipment_tracking(ident(order_id), item)
            remote_id = text((created.data or {}).get("tracking_id"), 100) if isinstance(created.data, dict) else ""
        label = STATUS_LABELS[status]
        when_text = happened_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        note = f"Parcel {tracking_number}: {label} ({when_text})"
        extra = " · ".join(p for p in (message.strip(), location.strip()) if p)
        if extra:
            note += f" – {extra}"
        result = self.client.add_note(ident(order_id), note[:1000])
        note_id = ident((result.data or {}).get("id")) if isinstance(result.data, dict) else ""
        return PushResult(accepted=True, platform_status=label, remote_id=remote_id or note_id)

    def create_refund(self, *, order_id, amount, currency, idempotency_key, lines=(), note="", notify=False):
        """``POST /orders/<id>/refunds`` with ``api_refund: true`` (the payment gateway returns the
        money when it supports refunds). WooCommerce has no idempotency keys, so the key is written
        into the refund reason as ``[doorstep:<key>]`` and the order's refunds are checked for it
        first: repeating a call (after a timeout) returns the existing refund instead of paying
        twice."""
        value = amount if isinstance(amount, Decimal) else money(amount)
        if value is None or not value.is_finite() or value <= 0:
            raise InvalidRequest("refund amount must be a positive Decimal")
        if not isinstance(idempotency_key, str) or not KEY_MARKER.fullmatch(f"[doorstep:{idempotency_key}]"):
            raise InvalidRequest("idempotency key: 1-100 characters of A-Z a-z 0-9 _ . : -")
        order = self.fetch_order(order_id)
        if currency_code(currency) != order.currency:
            raise InvalidRequest(f"refund currency {currency!r} is not the order's currency {order.currency!r}")
        marker = f"[doorstep:{idempotency_key}]"
        for refund in order.refunds:
            if marker in refund.note:
                return refund
        payload = {"amount": f"{value:.2f}" if value.as_tuple().exponent >= -2 else str(value),
                   "reason": f"{note.strip()} {marker}".strip()[:500], "api_refund": True,
                   "api_restock": any(line.restock for line in lines)}
        if lines:
            payload["line_items"] = [{"id": line.line_id, "quantity": int(line.quantity)} for line in lines]
        result = self.client.create_refund(order.id, payload)
        try:
            return parse.parse_refund(result.data, order.id, order.currency)
        except ValueError as exc:
            raise InvalidRequest(f"WooCommerce refund: {exc}") from None


def currency_code(value) -> str:
    return currency(value)


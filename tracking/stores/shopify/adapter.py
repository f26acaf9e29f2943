"""ShopifyAdapter: GraphQL Admin API for backfill and write-back, REST-shaped JSON webhooks signed
with the app's client secret, OAuth with expiring offline tokens."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timezone
from decimal import Decimal

from tracking.carriers.base import header
from tracking.carriers.webhook_auth import matches_any
from tracking.stores import base as b
from tracking.stores.base import (AuthError, Capability, InvalidRequest, NotFound, OAuthRejected, Page, PushResult, StoreAdapter,
                    WebhookRejected)
from tracking.stores.parsing import currency, dicts, ident, load_json_object, money, obj, text, when
from tracking.stores.shopify import oauth, parse, queries
from tracking.stores.shopify.carriers import fulfillment_event_status
from tracking.stores.shopify.client import QueryCostExceeded, ShopifyClient

DEFAULT_API_VERSION = "2026-10"
DEFAULT_BASE_URL = "https://{shop}"
ORDER_PAGE_SIZE = 8  # see queries.py: about 100 cost points an order
PRODUCT_PAGE_SIZE = 15
MAX_LINE_PAGES = 20

# Shopify sends X-Shopify-*; its newer Events deliveries drop the X- prefix. Either is accepted.
H_HMAC, H_TOPIC, H_SHOP = "Hmac-Sha256", "Topic", "Shop-Domain"
H_WEBHOOK_ID, H_EVENT_ID, H_TRIGGERED_AT, H_API_VERSION = "Webhook-Id", "Event-Id", "Triggered-At", "API-Version"


def shopify_header(headers, name: str) -> str:
    return (header(headers, f"X-Shopify-{name}") or header(headers, f"Shopify-{name}")).strip()


def webhook_signature(secret: str, body: bytes) -> str:
    """Shopify's scheme: base64 of the HMAC-SHA256 of the raw body, keyed with the client secret."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode()


def encode_cursor(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise InvalidRequest("cursor is not one of ours") from None
    if not isinstance(state, dict):
        raise InvalidRequest("cursor is not one of ours")
    return state


def iso(moment: datetime) -> str:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InvalidRequest("timestamps must be timezone-aware datetimes")
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class ShopifyAdapter(StoreAdapter):
    slug = "shopify"
    name = "Shopify"
    capabilities = (Capability.WEBHOOKS | Capability.WEBHOOK_REGISTRATION | Capability.OAUTH | Capability.BACKFILL
                    | Capability.FULFILMENT_EVENTS | Capability.REFUNDS | Capability.COMPLIANCE_WEBHOOKS
                    | Capability.POLLING)

    def __init__(self, credentials=None, *, session=None, sleep=None, now=None):
        super().__init__(credentials, session=session, sleep=sleep, now=now)
        self._client: ShopifyClient | None = None

    # --- configuration ------------------------------------------------------------------------
    @property
    def shop(self) -> str:
        try:
            return oauth.validate_shop(self.credentials.shop)
        except OAuthRejected as exc:
            raise InvalidRequest(f"Shopify connection misconfigured: {exc}") from None

    @property
    def api_version(self) -> str:
        return self.credentials.api_version or DEFAULT_API_VERSION

    @property
    def base_url(self) -> str:
        return (self.credentials.api_url or DEFAULT_BASE_URL).replace("{shop}", self.shop).rstrip("/")

    @property
    def client(self) -> ShopifyClient:
        if self._client is None:
            self._client = ShopifyClient(base_url=self.base_url, access_token=self.credentials.access_token,
                                         api_version=self.api_version, session=self._session, sleep=self._sleep)
        return self._client

    def _expired(self) -> bool:
        expires = self.credentials.token_expires_at
        return expires is not None and expires <= self._now()

    def _graphql(self, query: str, variables: dict, *, idempotent: bool = True) -> dict:
        try:
            return self.client.graphql(query, variables, idempotent=idempotent)
        except AuthError as exc:
            if exc.reason == AuthError.REASON_INVALID and self._expired():
                raise AuthError(f"{exc} (access token expired)", reason=AuthError.REASON_EXPIRED) from exc
            raise

    def _mutation(self, query: str, variables: dict, key: str, *, idempotent: bool) -> dict:
        try:
            return self.client.mutation(query, variables, key, idempotent=idempotent)
        except AuthError as exc:
            if exc.reason == AuthError.REASON_INVALID and self._expired():
                raise AuthError(f"{exc} (access token expired)", reason=AuthError.REASON_EXPIRED) from exc
            raise

    # --- webhooks -------------------------------------------------------------------------------
    def verify_webhook(self, *, headers, body, url_token=""):
        secrets = tuple(s for s in (self.credentials.client_secret, *self.credentials.webhook_secrets) if s)
        if not secrets:
            raise WebhookRejected("no client secret configured for this Shopify app", status=401,
                                  reason_code=WebhookRejected.REASON_SIGNATURE)
        offered = shopify_header(headers, H_HMAC)
        if not offered:
            raise WebhookRejected("missing X-Shopify-Hmac-Sha256", status=401,
                                  reason_code=WebhookRejected.REASON_SIGNATURE)
        if not isinstance(body, (bytes, bytearray)):
            raise WebhookRejected("body must be the raw bytes", status=400, reason_code=WebhookRejected.REASON_BODY)
        if not matches_any(offered, [webhook_signature(secret, bytes(body)) for secret in secrets]):
            raise WebhookRejected("signature does not match", status=401, reason_code=WebhookRejected.REASON_SIGNATURE)
        sent_for = shopify_header(headers, H_SHOP).lower()
        if self.credentials.shop and sent_for and sent_for != self.credentials.shop.strip().lower():
            raise WebhookRejected("delivery is for another shop", status=401,
                                  reason_code=WebhookRejected.REASON_SIGNATURE)

    def parse_webhook(self, *, headers, body):
        platform_topic = shopify_header(headers, H_TOPIC)[:100]
        if not platform_topic:
            raise WebhookRejected("missing X-Shopify-Topic", status=400, reason_code=WebhookRejected.REASON_SHAPE)
        document = load_json_object(body)
        topic = parse.TOPICS.get(platform_topic.lower(), b.TOPIC_UNKNOWN)
        try:
            fields = parse.parse_webhook_payload(topic, document)
        except ValueError as exc:
            raise WebhookRejected(f"{platform_topic}: {exc}", status=422, reason_code=WebhookRejected.REASON_SHAPE) from None
        event_id = shopify_header(headers, H_EVENT_ID)[:200]
        delivery_id = shopify_header(headers, H_WEBHOOK_ID)[:200] or event_id or hashlib.sha256(
            platform_topic.encode() + b"\0" + bytes(body)).hexdigest()[:40]
        return b.StoreWebhook(
            platform=parse.PLATFORM,
            topic=topic,
            platform_topic=platform_topic,
            delivery_id=delivery_id,
            shop=shopify_header(headers, H_SHOP).lower()[:255],
            triggered_at=when(shopify_header(headers, H_TRIGGERED_AT)),
            event_id=event_id,
            api_version=shopify_header(headers, H_API_VERSION)[:20],
            **fields,
        )

    def register_webhooks(self, *, callback_url, topics=None):
        """Create HTTP webhook subscriptions (JSON). The mandatory compliance topics
        (customers/data_request, customers/redact, shop/redact) cannot be subscribed by API: they
        are set in the app's configuration (shopify.app.toml ``[webhooks] compliance_topics`` or the
        Partner Dashboard) and arrive at the URL configured there. A topic already subscribed for
        this URL is left as it is (Shopify answers "already been taken"); only new ids are returned."""
        if not isinstance(callback_url, str) or not callback_url.startswith("https://"):
            raise InvalidRequest("Shopify delivers webhooks to https:// URLs only")
        created = []
        for topic in topics or b.DEFAULT_TOPICS:
            if topic in b.COMPLIANCE_TOPICS:
                raise InvalidRequest(f"{topic} is a compliance topic: configure it in the app, not by API")
            subscription_topic = parse.SUBSCRIPTION_TOPICS.get(topic)
            if not subscription_topic:
                raise InvalidRequest(f"Shopify has no webhook topic for {topic!r}")
            url_field = "uri" if self.api_version >= "2025-10" else "callbackUrl"
            try:
                payload = self._mutation(
                    queries.WEBHOOK_SUBSCRIPTION_CREATE,
                    {"topic": subscription_topic, "subscription": {url_field: callback_url, "format": "JSON"}},
                    "webhookSubscriptionCreate", idempotent=True)
            except InvalidRequest as exc:
                if any("already" in message.lower() for message in exc.errors):
                    continue
                raise
            subscription_id = text(obj(payload.get("webhookSubscription")).get("id"), 200)
            if subscription_id:
                created.append(subscription_id)
        return created

    # --- backfill and polling -------------------------------------------------------------------
    def fetch_orders(self, *, since=None, cursor=None, page_size=ORDER_PAGE_SIZE):
        state = decode_cursor(cursor) if cursor else {
            "q": f"updated_at:>='{iso(since)}'" if since else None, "after": None, "n": max(1, min(page_size, 50))}
        first = state.get("n") if isinstance(state.get("n"), int) and 0 < state["n"] <= 50 else ORDER_PAGE_SIZE
        while True:
            try:
                data = self._graphql(queries.ORDERS, {"first": first, "after": state.get("after"), "query": state.get("q")})
                break
            except QueryCostExceeded:
                if first == 1:
                    raise
                first = max(1, first // 2)
        nodes, after = parse.connection_page(data.get("orders"))
        orders = []
        for node in nodes:
            _, more_lines = parse.graphql_lines_page(node)
            try:
                orders.append(self.fetch_order(ident(node.get("id"))) if more_lines else parse.parse_graphql_order(node))
            except ValueError as exc:
                raise InvalidRequest(f"Shopify order node: {exc}") from None
        next_cursor = encode_cursor({"q": state.get("q"), "after": after, "n": first}) if after else None
        return Page(items=tuple(orders), next_cursor=next_cursor)

    def fetch_order(self, order_id):
        order_gid = parse.gid("Order", order_id)
        data = self._graphql(queries.ORDER, {"id": order_gid})
        node = data.get("order")
        if not isinstance(node, dict):
            raise NotFound(f"Shopify order {order_id} not found")
        _, cursor = parse.graphql_lines_page(node)
        extra = []
        for _ in range(MAX_LINE_PAGES):
            if not cursor:
                break
            page = self._graphql(queries.ORDER_LINES, {"id": order_gid, "after": cursor})
            lines, cursor = parse.graphql_lines_page(obj(page.get("order")))
            extra.extend(lines)
        try:
            return parse.parse_graphql_order(node, extra)
        except ValueError as exc:
            raise InvalidRequest(f"Shopify order node: {exc}") from None

    def fetch_products(self, *, since=None, cursor=None, page_size=PRODUCT_PAGE_SIZE):
        state = decode_cursor(cursor) if cursor else {
            "q": f"updated_at:>='{iso(since)}'" if since else None, "after": None, "n": max(1, min(page_size, 50))}
        first = state.get("n") if isinstance(state.get("n"), int) and 0 < state["n"] <= 50 else PRODUCT_PAGE_SIZE
        data = self._graphql(queries.PRODUCTS, {"first": first, "after": state.get("after"), "query": state.get("q")})
        nodes, after = parse.connection_page(data.get("products"))
        try:
            products = tuple(parse.parse_graphql_product(node) for node in nodes)
        except ValueError as exc:
            raise InvalidRequest(f"Shopify product node: {exc}") from None
        return Page(items=products, next_cursor=encode_cursor({"q": state.get("q"), "after": after, "n": first}) if after else None)

    # --- write back -----------------------------------------------------------------------------
    def push_fulfilment_event(self, *, order_id, fulfilment_id, tracking_number, status, happened_at, reason="",
                              message="", carrier="", location="", estimated_delivery_at=None):
        """``fulfillmentEventCreate`` on an existing fulfilment. Doorstep does not create Shopify
        fulfilments (that is the merchant's fulfilment flow), so without ``fulfilment_id`` the push
        is skipped. Retried on 5xx: a repeated event shows twice on Shopify's timeline, which is
        better than a lost one."""
        shopify_status = fulfillment_event_status(status, reason)
        if shopify_status is None:
            return PushResult(accepted=False, skipped_reason=f"Shopify has no fulfillment event for {status!r}")
        if not fulfilment_id:
            return PushResult(accepted=False, skipped_reason="no Shopify fulfillment for this parcel")
        note = " · ".join(p for p in (message.strip(), location.strip()) if p)[:255]
        event = {"fulfillmentId": parse.gid("Fulfillment", fulfilment_id), "status": shopify_status,
                 "happenedAt": iso(happened_at)}
        if note:
            event["message"] = note
        if estimated_delivery_at is not None:
            event["estimatedDeliveryAt"] = iso(estimated_delivery_at)
        payload = self._mutation(queries.FULFILLMENT_EVENT_CREATE, {"fulfillmentEvent": event},
                                 "fulfillmentEventCreate", idempotent=True)
        return PushResult(accepted=True, platform_status=shopify_status,
                          remote_id=text(obj(payload.get("fulfillmentEvent")).get("id"), 200))

    def create_refund(self, *, order_id, amount, currency, idempotency_key, lines=(), note="", notify=False):
        """``refundCreate`` against the order's original payments: the order's transactions are read
        first and the amount is split over its successful SALE/CAPTURE transactions (less what was
        already refunded from each), in the currency the shopper paid in. From API 2026-01 the
        idempotency key rides along as ``@idempotent(key:)``, so a retry cannot refund twice."""
        amount = _positive(amount)
        if not isinstance(idempotency_key, str) or not idempotency_key.strip() or len(idempotency_key) > 255:
            raise InvalidRequest("an idempotency key (1-255 characters) is required")
        order_gid = parse.gid("Order", order_id)
        data = self._graphql(queries.ORDER_TRANSACTIONS, {"id": order_gid})
        order = data.get("order")
        if not isinstance(order, dict):
            raise NotFound(f"Shopify order {order_id} not found")
        paid_in = currency_code(order.get("presentmentCurrencyCode")) or currency_code(order.get("currencyCode"))
        if currency_code(currency) != paid_in:
            raise InvalidRequest(f"refund currency {currency!r} is not the order's presentment currency {paid_in!r}")
        transactions = [{"orderId": order_gid, "parentId": parent, "gateway": gateway, "kind": "REFUND",
                         "amount": str(part)} for parent, gateway, part in refund_plan(order.get("transactions"), amount)]
        refund_input = {"orderId": order_gid, "currency": paid_in, "notify": bool(notify), "transactions": transactions}
        if note:
            refund_input["note"] = note[:1000]
        if lines:
            refund_input["refundLineItems"] = [
                {"lineItemId": parse.gid("LineItem", line.line_id), "quantity": int(line.quantity),
                 "restockType": "RETURN" if line.restock else "NO_RESTOCK"} for line in lines]
        if self.api_version >= "2026-01":
            payload = self._mutation(queries.REFUND_CREATE, {"input": refund_input, "idempotencyKey": idempotency_key},
                                     "refundCreate", idempotent=True)
        else:
            payload = self._mutation(queries.REFUND_CREATE_LEGACY, {"input": refund_input}, "refundCreate",
                                     idempotent=False)
        refund = payload.get("refund")
        if not isinstance(refund, dict) or not ident(refund.get("id")):
            raise InvalidRequest("Shopify refundCreate answered without a refund")
        return parse.parse_graphql_refund(refund, ident(order_id), paid_in)

    # --- OAuth ----------------------------------------------------------------------------------
    def authorize_url(self, *, redirect_uri, state, scopes=()):
        return oauth.authorize_url(shop=self.credentials.shop, client_id=self.credentials.client_id,
                                   scopes=tuple(scopes) or self.credentials.scopes, redirect_uri=redirect_uri,
                                   state=state, base_url=self.credentials.api_url)

    def exchange_code(self, *, code, redirect_uri=""):
        payload = oauth.token_request(client_id=self.credentials.client_id,
                                      client_secret=self.credentials.client_secret, code=code)
        document = self.client.oauth_token(payload)
        grant = oauth.parse_token_response(document, shop=self.shop, now=self._now())
        self._use(grant)
        return grant

    def refresh_access_token(self):
        if not self.credentials.refresh_token:
            raise AuthError("no refresh token: the merchant must re-authorise", reason=AuthError.REASON_INVALID)
        payload = oauth.refresh_request(client_id=self.credentials.client_id,
                                        client_secret=self.credentials.client_secret,
                                        refresh_token=self.credentials.refresh_token)
        try:
            document = self.client.oauth_token(payload)
        except InvalidRequest as exc:  # 400 invalid_grant: the refresh token is spent or revoked
            raise AuthError(f"Shopify refused the refresh token: {exc}", reason=AuthError.REASON_INVALID) from exc
        grant = oauth.parse_token_response(document, shop=self.shop, now=self._now())
        self._use(grant)
        return grant

    def _use(self, grant: b.TokenGrant) -> None:
        self.credentials = grant.apply(self.credentials)
        self._client = None


def currency_code(value) -> str:
    return currency(value)


def _positive(amount) -> Decimal:
    value = money(amount) if not isinstance(amount, Decimal) else amount
    if value is None or not value.is_finite() or value <= 0:
        raise InvalidRequest("refund amount must be a positive Decimal")
    return value


def refund_plan(transactions, amount: Decimal) -> list[tuple[str, str, Decimal]]:
    """Split ``amount`` over the order's refundable payments: successful SALE and CAPTURE
    transactions, each less the successful REFUNDs already made against it, in order. Amounts are
    the presentment money (what the shopper paid). Raises InvalidRequest when they cannot cover it."""
    payments = [t for t in dicts(transactions)
                if text(t.get("kind"), 20).upper() in ("SALE", "CAPTURE") and text(t.get("status"), 20).upper() == "SUCCESS"]
    refunded: dict[str, Decimal] = {}
    for t in dicts(transactions):
        if text(t.get("kind"), 20).upper() == "REFUND" and text(t.get("status"), 20).upper() == "SUCCESS":
            parent = text(obj(t.get("parentTransaction")).get("id"), 200)
            refunded[parent] = refunded.get(parent, Decimal("0")) + (_presentment(t) or Decimal("0"))
    plan, remaining = [], amount
    for payment in payments:
        if remaining <= 0:
            break
        payment_id = text(payment.get("id"), 200)
        available = (_presentment(payment) or Decimal("0")) - refunded.get(payment_id, Decimal("0"))
        if available <= 0 or not payment_id:
            continue
        part = min(available, remaining)
        places = Decimal(1).scaleb(min(amount.as_tuple().exponent, 0))
        if part.quantize(places) == part:  # write 292.40 like the request's 300.00, never rounding
            part = part.quantize(places)
        plan.append((payment_id, text(payment.get("gateway"), 100), part))
        remaining -= part
    if remaining > 0:
        raise InvalidRequest(f"the order's payments can return {amount - remaining}, not {amount}")
    return plan


def _presentment(transaction: dict) -> Decimal | None:
    return money(obj(obj(transaction.get("amountSet")).get("presentmentMoney")).get("amount"))


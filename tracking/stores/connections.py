"""Store connections: create, store tokens, disconnect, mark for re-authorisation, refresh tokens
under the row lock, register webhooks, and the resumable backfill (``store_sync_run``)."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tracking.models import Merchant, StoreConnection
from tracking.stores.base import AuthError, Capability, StoreError, TokenGrant
from tracking.stores.registry import (
    UnknownPlatform,
    adapter_class,
    available_platforms,
    get_adapter,
)

logger = logging.getLogger(__name__)
S = StoreConnection.State


@dataclass(frozen=True)
class IssuedConnection:
    connection: StoreConnection
    webhook_secret: str  # plaintext, shown once ("" when the platform's app secret signs deliveries)


def normalize_shop(platform: str, shop: str) -> str:
    shop = (shop or "").strip()
    if platform == "shopify":
        from tracking.stores.base import OAuthRejected
        from tracking.stores.shopify.oauth import validate_shop

        try:
            return validate_shop(shop.lower().removeprefix("https://").rstrip("/"))
        except OAuthRejected as exc:
            raise ValidationError({"shop": [str(exc)]}) from None
    if platform == "cafe24":
        from tracking.stores.base import OAuthRejected
        from tracking.stores.cafe24.oauth import validate_mall_id

        try:
            return validate_mall_id(shop.lower())
        except OAuthRejected as exc:
            raise ValidationError({"shop": [str(exc)]}) from None
    if platform == "woocommerce":
        if not shop.startswith(("https://", "http://")):
            raise ValidationError({"shop": ["Give the store's URL, e.g. https://shop.example"]})
        return shop.rstrip("/")
    return shop


@transaction.atomic
def connection_create(*, merchant: Merchant, platform: str, shop: str, access_token: str = "",
                      refresh_token: str = "", webhook_secret: str = "", consumer_key: str = "",
                      consumer_secret: str = "", options: dict | None = None,
                      grant: TokenGrant | None = None) -> IssuedConnection:
    """Connect a store (or reconnect a disconnected one of this merchant). WooCommerce and Cafe24
    sign webhooks with a per-connection secret: one is generated when none is given."""
    if platform not in available_platforms():
        raise ValidationError({"platform": [f"Unknown platform {platform!r}: {', '.join(available_platforms())}."]})
    shop = normalize_shop(platform, shop)
    live = StoreConnection.objects.select_for_update().filter(platform=platform, shop=shop).exclude(
        state=S.DISCONNECTED).first()
    if live is not None and live.merchant_id != merchant.pk:
        raise ValidationError({"shop": ["This store is connected to another merchant."]})
    connection = live or StoreConnection(merchant=merchant, platform=platform, shop=shop)
    if platform in ("woocommerce", "cafe24") and not webhook_secret and not connection.webhook_secret_encrypted:
        from tracking.stores.models import new_store_webhook_secret

        webhook_secret = new_store_webhook_secret()
    connection.state = S.ACTIVE
    connection.last_error = ""
    connection.disconnected_at = None
    connection.options = {**(connection.options or {}), **(options or {})}
    secrets = {"access_token": access_token, "refresh_token": refresh_token, "consumer_key": consumer_key,
               "consumer_secret": consumer_secret, "webhook_secret": webhook_secret}
    connection.set_secrets(**{k: v for k, v in secrets.items() if v})
    if grant is not None:
        _apply_grant(connection, grant)
    connection.save()
    return IssuedConnection(connection, webhook_secret)


def _apply_grant(connection: StoreConnection, grant: TokenGrant) -> list[str]:
    changed = connection.set_secrets(access_token=grant.access_token)
    if grant.refresh_token:
        changed += connection.set_secrets(refresh_token=grant.refresh_token)
    connection.token_expires_at = grant.expires_at
    connection.refresh_token_expires_at = grant.refresh_token_expires_at or connection.refresh_token_expires_at
    if grant.scopes:
        connection.scopes = ",".join(grant.scopes)[:500]
    return [*changed, "token_expires_at", "refresh_token_expires_at", "scopes"]


@transaction.atomic
def connection_disconnect(*, connection: StoreConnection, reason: str = "") -> StoreConnection:
    """Stop every call to the store: wipe the tokens, keep the rows synced so far."""
    locked = StoreConnection.objects.select_for_update().get(pk=connection.pk)
    locked.set_secrets(access_token="", refresh_token="", consumer_key="", consumer_secret="")
    locked.state = S.DISCONNECTED
    locked.disconnected_at = timezone.now()
    locked.sync_cursor = ""
    locked.last_error = (reason or "disconnected")[:500]
    locked.last_error_at = timezone.now()
    locked.save()
    connection.state = locked.state
    return locked


def connection_needs_reauth(*, connection: StoreConnection, error: str) -> None:
    StoreConnection.objects.filter(pk=connection.pk, state=S.ACTIVE).update(
        state=S.NEEDS_REAUTH, last_error=error[:500], last_error_at=timezone.now())
    connection.state = S.NEEDS_REAUTH


def connection_error(*, connection: StoreConnection, error: str) -> None:
    StoreConnection.objects.filter(pk=connection.pk).update(last_error=error[:500], last_error_at=timezone.now())


@transaction.atomic
def connection_store_grant(*, connection: StoreConnection, grant: TokenGrant) -> StoreConnection:
    """Persist new tokens (OAuth callback, refresh) and make the connection active again."""
    locked = StoreConnection.objects.select_for_update().get(pk=connection.pk)
    _apply_grant(locked, grant)
    if locked.state != S.DISCONNECTED:
        locked.state = S.ACTIVE
    locked.save()
    return locked


def with_fresh_token(connection: StoreConnection, call: Callable, *, session=None, sleep=None):
    """Run ``call(adapter)``, refreshing an expiring token first under the connection's row lock (refresh
    tokens rotate: two workers refreshing at once would lose the connection). An AuthError that
    means the merchant must act marks the connection ``needs_reauth`` and is raised."""
    if connection.state == S.DISCONNECTED:
        raise AuthError("the store is disconnected", reason=AuthError.REASON_INVALID)
    adapter = get_adapter(connection.platform, connection.credentials(), session=session, sleep=sleep)
    if adapter.needs_refresh():
        with transaction.atomic():
            locked = StoreConnection.objects.select_for_update().get(pk=connection.pk)
            adapter = get_adapter(locked.platform, locked.credentials(), session=session, sleep=sleep)
            if adapter.needs_refresh():
                try:
                    grant = adapter.refresh_access_token()
                except AuthError as exc:
                    connection_needs_reauth(connection=connection, error=str(exc))
                    raise
                _apply_grant(locked, grant)
                locked.save()
    try:
        return call(adapter)
    except AuthError as exc:
        if exc.reason != AuthError.REASON_EXPIRED:
            connection_needs_reauth(connection=connection, error=f"{exc.reason}: {exc}")
        raise


def connection_register_webhooks(*, connection: StoreConnection, session=None) -> list[str]:
    """Subscribe the connection's webhook URL to the platform's topics (when it can by API)."""
    cls = adapter_class(connection.platform)
    if not cls.capabilities & Capability.WEBHOOK_REGISTRATION:
        return []
    created = with_fresh_token(connection, lambda a: a.register_webhooks(callback_url=connection.webhook_url),
                               session=session)
    if created:
        StoreConnection.objects.filter(pk=connection.pk).update(
            webhook_subscriptions=list(dict.fromkeys([*(connection.webhook_subscriptions or []), *created])))
    return created


# --- backfill ---------------------------------------------------------------------------------------------
@dataclass
class SyncReport:
    pages: int = 0
    orders: int = 0
    created: int = 0
    skipped: int = 0
    errors: int = 0
    done: bool = False
    error: str = ""


def store_sync_run(*, connection: StoreConnection, since: datetime | None = None, restart: bool = False,
                   max_pages: int | None = None, page_size: int = 50, session=None, sleep=None,
                   progress: Callable[[SyncReport], None] | None = None) -> SyncReport:
    """Backfill orders page by page through ``sync.store_order_apply`` (one transaction per page, so
    a crash loses at most the page in hand), saving the platform cursor after each page: a second
    run resumes where the first stopped. A revoked token marks the connection ``needs_reauth`` and
    stops, keeping the cursor; a rate limit or outage stops with the error recorded (try again)."""
    from tracking.stores import sync

    report = SyncReport()
    connection.refresh_from_db()
    if connection.state != S.ACTIVE:
        report.error = f"connection is {connection.state}"
        return report
    cursor = "" if restart else connection.sync_cursor
    if not cursor:
        StoreConnection.objects.filter(pk=connection.pk).update(sync_since=since, sync_orders_seen=0)
    while max_pages is None or report.pages < max_pages:
        try:
            page = with_fresh_token(connection, lambda a, at=cursor: a.fetch_orders(
                since=since, cursor=at or None, page_size=page_size), session=session, sleep=sleep)
        except StoreError as exc:
            report.error = f"{type(exc).__name__}: {exc}"
            connection_error(connection=connection, error=report.error)
            return report
        try:
            outcome = sync.store_orders_apply_batch(connection=connection, orders=list(page.items))
        except Exception as exc:  # a bad page must not stop a backfill of thousands: record and stop here
            logger.exception("store sync: a page of connection %s", connection.pk)
            report.errors += 1
            report.error = f"page failed: {exc!r}"[:500]
            connection_error(connection=connection, error=report.error)
            return report
        report.orders += outcome.orders
        report.created += outcome.created
        report.skipped += outcome.skipped
        report.errors += outcome.errors
        cursor = page.next_cursor or ""
        StoreConnection.objects.filter(pk=connection.pk).update(sync_cursor=cursor, last_sync_at=timezone.now())
        report.pages += 1
        if progress:
            progress(report)
        if not page.next_cursor:
            report.done = True
            break
    connection.sync_cursor = cursor
    return report


def platform_choices() -> list[str]:
    try:
        return available_platforms()
    except UnknownPlatform:  # pragma: no cover - settings without stores
        return []

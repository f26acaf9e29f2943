"""Store endpoints. Thin: the webhook hands the raw request to tracking.stores.webhooks; the OAuth
views check the staff member, keep a one-time state nonce in the session, verify the callback and
hand the grant to tracking.stores.connections.

Installing starts from Doorstep (a staff member of the merchant opens
``/stores/shopify/install?shop=x.myshopify.com&merchant=<id>``), so the connection always belongs to a
known merchant; the callback must come back in the same browser session."""
from __future__ import annotations

import logging
import secrets
import time

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tracking.staff.selectors import merchant_from_query, visible_merchants
from tracking.stores.base import OAuthRejected, StoreError
from tracking.stores.webhooks import store_webhook_receive

logger = logging.getLogger(__name__)
SESSION_KEY = "doorstep_store_oauth"
STATE_MAX_AGE = 600  # seconds: the merchant has ten minutes on the platform's consent screen


def _content_length(request) -> int | None:
    try:
        value = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return value if value >= 0 else None


@csrf_exempt  # stores authenticate with a signature, not a browser session
@require_POST
def store_webhook(request, public_id: str):
    receipt = store_webhook_receive(
        public_id=public_id, headers=request.headers, content_length=_content_length(request),
        read_body=request.read, url_token=request.GET.get("token", "") if request.META.get("QUERY_STRING") else "",
        remote_addr=request.META.get("REMOTE_ADDR"))
    if receipt.status >= 400:
        return JsonResponse({"error": receipt.reason or receipt.verdict}, status=receipt.status)
    return JsonResponse({"status": receipt.verdict}, status=receipt.status)


def _problem(status: int, detail: str):
    return JsonResponse({"type": "about:blank", "title": "Store connection refused", "status": status,
                         "detail": detail}, status=status, content_type="application/problem+json")


def _merchant(request):
    merchant = merchant_from_query(request)
    if merchant is None:
        visible = list(visible_merchants(request.user)[:2])
        merchant = visible[0] if len(visible) == 1 else None
    return merchant


def _start(request, *, platform: str, shop: str, merchant, adapter_url):
    state = secrets.token_urlsafe(24)
    pending = {k: v for k, v in request.session.get(SESSION_KEY, {}).items()
               if v.get("at", 0) > time.time() - STATE_MAX_AGE}
    pending[state] = {"platform": platform, "shop": shop, "merchant": merchant.pk, "at": time.time()}
    request.session[SESSION_KEY] = pending
    return HttpResponseRedirect(adapter_url(state))


def _take_state(request, state: str, platform: str) -> dict | None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(state, None) if isinstance(state, str) and state else None
    request.session[SESSION_KEY] = pending
    if not entry or entry.get("platform") != platform or entry.get("at", 0) < time.time() - STATE_MAX_AGE:
        return None
    return entry


def _callback_uri(request, name: str) -> str:
    return settings.DOORSTEP_BASE_URL + reverse(name)


def _guard(request):
    if not request.user.is_authenticated or not request.user.is_staff:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    return None


def _install(request, *, platform: str, shop_param: str, validate):
    """Start an OAuth install: a staff member of the merchant, a valid shop, the app's client id
    configured; then the platform's consent screen with a state nonce kept in the session."""
    from tracking.stores.base import StoreCredentials
    from tracking.stores.registry import get_adapter

    if (denied := _guard(request)) is not None:
        return denied
    try:
        shop = validate(request.GET.get(shop_param, ""))
    except OAuthRejected as exc:
        return _problem(400, str(exc))
    merchant = _merchant(request)
    if merchant is None:
        return _problem(400, "Say which merchant connects this store (?merchant=<id>).")
    adapter = get_adapter(platform, StoreCredentials(shop=shop))
    if not adapter.credentials.client_id:
        return _problem(400, f"DOORSTEP_{platform.upper()}_CLIENT_ID is not configured.")
    redirect_uri = _callback_uri(request, f"store-{platform}-callback")
    return _start(request, platform=platform, shop=shop, merchant=merchant,
                  adapter_url=lambda state: adapter.authorize_url(redirect_uri=redirect_uri, state=state))


@never_cache
@require_GET
def shopify_install(request):
    from tracking.stores.shopify.oauth import validate_shop

    return _install(request, platform="shopify", shop_param="shop", validate=validate_shop)


@never_cache
@require_GET
def shopify_callback(request):
    from tracking.stores.base import StoreCredentials
    from tracking.stores.registry import get_adapter
    from tracking.stores.shopify import oauth

    if (denied := _guard(request)) is not None:
        return denied
    entry = _take_state(request, request.GET.get("state", ""), "shopify")
    adapter = get_adapter("shopify", StoreCredentials())
    try:
        shop = oauth.verify_callback(request.GET.dict(), client_secret=adapter.credentials.client_secret)
    except OAuthRejected as exc:
        return _problem(400, str(exc))
    if entry is None:
        return _problem(400, "callback state does not match the session")
    if shop != entry["shop"]:
        return _problem(400, "callback is for another shop than the one being installed")
    return _finish(request, platform="shopify", shop=shop, merchant_id=entry["merchant"], code=request.GET.get("code", ""),
                   redirect_uri=_callback_uri(request, "store-shopify-callback"))


@never_cache
@require_GET
def cafe24_install(request):
    from tracking.stores.cafe24.oauth import validate_mall_id

    return _install(request, platform="cafe24", shop_param="mall_id", validate=validate_mall_id)


@never_cache
@require_GET
def cafe24_callback(request):
    if (denied := _guard(request)) is not None:
        return denied
    if request.GET.get("error"):
        return _problem(400, f"Cafe24 refused: {request.GET.get('error')[:100]}")
    entry = _take_state(request, request.GET.get("state", ""), "cafe24")
    if entry is None:
        return _problem(400, "callback state does not match the session")
    return _finish(request, platform="cafe24", shop=entry["shop"], merchant_id=entry["merchant"],
                   code=request.GET.get("code", ""), redirect_uri=_callback_uri(request, "store-cafe24-callback"))


def _finish(request, *, platform: str, shop: str, merchant_id: int, code: str, redirect_uri: str):
    from tracking.models import Merchant
    from tracking.stores.base import StoreCredentials
    from tracking.stores.connections import (
        connection_create,
        connection_register_webhooks,
    )
    from tracking.stores.registry import get_adapter
    from tracking.stores.tasks import sync_store_connection

    merchant = visible_merchants(request.user).filter(pk=merchant_id).first()
    if merchant is None or not isinstance(merchant, Merchant):
        return _problem(403, "You are not a member of this merchant.")
    if not code:
        return _problem(400, "callback without a code")
    try:
        grant = get_adapter(platform, StoreCredentials(shop=shop)).exchange_code(code=code, redirect_uri=redirect_uri)
        issued = connection_create(merchant=merchant, platform=platform, shop=shop, grant=grant)
    except (StoreError, ValidationError) as exc:
        return _problem(400, f"could not connect the store: {exc}")
    connection = issued.connection
    try:
        connection_register_webhooks(connection=connection)
    except StoreError as exc:  # the connection works; webhooks can be registered again later
        logger.warning("store %s: webhook registration failed: %s", connection.pk, exc)
        from tracking.stores.connections import connection_error

        connection_error(connection=connection, error=f"webhook registration: {exc}")
    sync_store_connection.delay_on_commit(connection.pk)
    return HttpResponseRedirect(reverse("admin:tracking_storeconnection_change", args=[connection.pk]))

"""The Shopify and Cafe24 install flows through Doorstep's views: consent redirect with a one-time
state nonce, callback verified (hmac, state, *.myshopify.com), token stored encrypted, webhooks
registered, backfill queued. Tampered, replayed or foreign callbacks are a 400 and store nothing."""
import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import responses
from django.test import TestCase

from tests.support.fixtures import store_json
from tracking.models import StoreConnection
from tracking.stores.shopify.oauth import callback_hmac

SHOP = "doorstep-test.myshopify.com"
SECRET = "app-secret"
GRAPHQL = f"https://{SHOP}/admin/api/2026-10/graphql.json"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _app(settings):
    settings.DOORSTEP_SHOPIFY_CLIENT_ID = "doorstep-app"
    settings.DOORSTEP_SHOPIFY_CLIENT_SECRET = SECRET
    settings.DOORSTEP_CAFE24_CLIENT_ID = "cafe24-app"
    settings.DOORSTEP_CAFE24_CLIENT_SECRET = "cafe24-secret"
    settings.DOORSTEP_BASE_URL = "https://doorstep.example"


@pytest.fixture
def staff(admin_client):
    return admin_client


def install(client, merchant, shop=SHOP):
    response = client.get("/stores/shopify/install", {"shop": shop, "merchant": merchant.pk})
    return response


def signed(params: dict, secret: str = SECRET) -> dict:
    return {**params, "hmac": callback_hmac(params, secret)}


def callback_params(state: str, shop: str = SHOP) -> dict:
    return signed({"code": "abc123", "shop": shop, "state": state, "timestamp": str(int(time.time())),
                   "host": "YWRtaW4uc2hvcGlmeS5jb20"})


def test_install_redirects_to_the_consent_screen_with_a_state(staff, merchant):
    response = install(staff, merchant)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert target.netloc == SHOP and target.path == "/admin/oauth/authorize"
    assert query["client_id"] == ["doorstep-app"] and query["state"][0]
    assert query["redirect_uri"] == ["https://doorstep.example/stores/shopify/callback"]


def test_install_needs_a_staff_login(client, merchant):
    response = install(client, merchant)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("shop", ["shop.evil.com", "doorstep-test.myshopify.com.evil.com", "", "https://x/y"])
def test_install_refuses_a_shop_that_is_not_myshopify(staff, merchant, shop):
    assert install(staff, merchant, shop).status_code == 400


@responses.activate
def test_callback_stores_the_token_registers_webhooks_and_backfills(staff, merchant):
    responses.post(f"https://{SHOP}/admin/oauth/access_token", json=store_json("shopify", "oauth_token.json"))

    def graphql(request):
        body = json.loads(request.body)
        if "webhookSubscriptionCreate" in body["query"]:
            return 200, {}, json.dumps(store_json("shopify", "graphql_webhook_subscription_create.json"))
        return 200, {}, json.dumps(store_json("shopify", "graphql_orders_page2.json"))

    responses.add_callback(responses.POST, GRAPHQL, callback=graphql)
    state = parse_qs(urlsplit(install(staff, merchant)["Location"]).query)["state"][0]
    with TestCase.captureOnCommitCallbacks(execute=True):  # the backfill is queued after commit
        response = staff.get("/stores/shopify/callback", callback_params(state))
    assert response.status_code == 302, response.content
    connection = StoreConnection.objects.get(merchant=merchant)
    assert connection.shop == SHOP and connection.state == "active"
    assert connection.credentials().access_token == "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"
    assert "shpat_" not in connection.access_token_encrypted
    assert connection.webhook_subscriptions and connection.last_sync_at is not None
    # The nonce is single-use: replaying the same callback is refused.
    assert staff.get("/stores/shopify/callback", callback_params(state)).status_code == 400


def test_tampered_hmac_is_refused(staff, merchant):
    state = parse_qs(urlsplit(install(staff, merchant)["Location"]).query)["state"][0]
    params = callback_params(state)
    params["code"] = "another-code"
    assert staff.get("/stores/shopify/callback", params).status_code == 400
    assert not StoreConnection.objects.exists()


def test_wrong_state_is_refused(staff, merchant):
    install(staff, merchant)
    response = staff.get("/stores/shopify/callback", callback_params("not-the-state"))
    assert response.status_code == 400 and "state" in response.json()["detail"]
    assert not StoreConnection.objects.exists()


def test_callback_for_another_shop_than_installed_is_refused(staff, merchant):
    state = parse_qs(urlsplit(install(staff, merchant)["Location"]).query)["state"][0]
    response = staff.get("/stores/shopify/callback", callback_params(state, shop="someone-else.myshopify.com"))
    assert response.status_code == 400 and not StoreConnection.objects.exists()


def test_callback_with_a_shop_that_is_not_myshopify_is_refused(staff, merchant):
    state = parse_qs(urlsplit(install(staff, merchant)["Location"]).query)["state"][0]
    response = staff.get("/stores/shopify/callback", callback_params(state, shop="evil.example.com"))
    assert response.status_code == 400 and not StoreConnection.objects.exists()


@responses.activate
def test_cafe24_install_and_callback(staff, merchant, settings):
    response = staff.get("/stores/cafe24/install", {"mall_id": "doorstep", "merchant": merchant.pk})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.netloc == "doorstep.cafe24api.com"
    state = parse_qs(target.query)["state"][0]
    responses.post("https://doorstep.cafe24api.com/api/v2/oauth/token", json=store_json("cafe24", "token.json"))
    responses.get("https://doorstep.cafe24api.com/api/v2/admin/orders",
                  json=store_json("cafe24", "orders_empty.json"))
    callback = staff.get("/stores/cafe24/callback?" + urlencode({"code": "c", "state": state}))
    assert callback.status_code == 302, callback.content
    connection = StoreConnection.objects.get(platform="cafe24")
    assert connection.shop == "doorstep" and connection.credentials().access_token
    assert staff.get("/stores/cafe24/callback?" + urlencode({"code": "c", "state": "forged"})).status_code == 400

"""Shopify OAuth: shop-domain validation, the authorize URL, the callback's hmac (valid, tampered,
missing, rotated secret), state and timestamp checks, code exchange and refresh through `responses`."""
import hashlib
import hmac
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from tracking.stores.base import AuthError, OAuthRejected, StoreCredentials
from tracking.stores.shopify import ShopifyAdapter
from tracking.stores.shopify import oauth

from tests.support.stores import NOW

from tests.support.fixtures import store_json as fixture_json, request_json

SECRET = "hush"
SHOP = "doorstep-test.myshopify.com"


def signed_query(params: dict, secret: str = SECRET) -> dict:
    return {**params, "hmac": oauth.callback_hmac(params, secret)}


def callback_params(**overrides) -> dict:
    return {"code": "0907a61c0c8d55e99db179b68161bc00", "host": "ZG9vcnN0ZXAtdGVzdC5teXNob3BpZnkuY29tL2FkbWlu",
            "shop": SHOP, "state": "nonce-123", "timestamp": str(int(NOW.timestamp()) - 5), **overrides}


@pytest.mark.parametrize("shop", ["doorstep-test.myshopify.com", "DOORSTEP-test.MyShopify.com",
                                  "https://doorstep-test.myshopify.com/", " a1.myshopify.com "])
def test_valid_shop_domains(shop):
    assert oauth.validate_shop(shop).endswith(".myshopify.com")


@pytest.mark.parametrize("shop", ["evil.com", "shop.myshopify.com.evil.com", "-x.myshopify.com", "myshopify.com",
                                  ".myshopify.com", "x.myshopify.com:443", "x.myshopify.com/admin", "x_y.myshopify.com",
                                  "https://evil.com/?shop=x.myshopify.com", "x.myshopify.com.", "", None, 42,
                                  "a" * 64 + ".myshopify.com", "shop\n.myshopify.com", "http://x.myshopify.com"])
def test_bad_shop_domains_are_refused(shop):
    with pytest.raises(OAuthRejected):
        oauth.validate_shop(shop)


def test_authorize_url():
    url = oauth.authorize_url(shop=SHOP, client_id="app-key", scopes=["read_orders", "write_fulfillments"],
                              redirect_uri="https://doorstep.example/oauth/shopify/callback", state="nonce-123")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", SHOP, "/admin/oauth/authorize")
    assert parse_qs(parts.query) == {"client_id": ["app-key"], "scope": ["read_orders,write_fulfillments"],
                                     "redirect_uri": ["https://doorstep.example/oauth/shopify/callback"],
                                     "state": ["nonce-123"]}


def test_authorize_url_refuses_a_foreign_shop():
    with pytest.raises(OAuthRejected):
        oauth.authorize_url(shop="shop.myshopify.com.evil.com", client_id="k", scopes=[], redirect_uri="https://x",
                            state="s")


def test_callback_message_is_sorted_and_excludes_hmac():
    assert oauth.callback_message({"timestamp": "1", "shop": "a", "code": "c", "hmac": "zz"}) == "code=c&shop=a&timestamp=1"


def test_callback_hmac_matches_an_independent_computation():
    params = callback_params()
    message = "&".join(f"{k}={params[k]}" for k in sorted(params))
    expected = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    assert oauth.callback_hmac(params, SECRET) == expected


def test_valid_callback_returns_the_shop():
    assert oauth.verify_callback(signed_query(callback_params()), client_secret=SECRET, expected_state="nonce-123",
                                 now=NOW) == SHOP


def test_valid_callback_as_a_raw_query_string():
    query = "&".join(f"{k}={v}" for k, v in signed_query(callback_params()).items())
    assert oauth.verify_callback(query, client_secret=SECRET, now=NOW) == SHOP


@pytest.mark.parametrize("field, value", [("shop", "other.myshopify.com"), ("code", "stolen"), ("state", "x"),
                                          ("timestamp", "1")])
def test_tampered_callback_is_rejected(field, value):
    query = signed_query(callback_params())
    query[field] = value
    with pytest.raises(OAuthRejected):
        oauth.verify_callback(query, client_secret=SECRET, now=NOW)


def test_callback_without_hmac_is_rejected():
    with pytest.raises(OAuthRejected):
        oauth.verify_callback(callback_params(), client_secret=SECRET, now=NOW)


def test_callback_signed_with_another_secret_is_rejected():
    with pytest.raises(OAuthRejected):
        oauth.verify_callback(signed_query(callback_params(), secret="other"), client_secret=SECRET, now=NOW)


def test_callback_signed_with_the_previous_secret_passes_during_rotation():
    query = signed_query(callback_params(), secret="old")
    assert oauth.verify_callback(query, client_secret="new", previous_secrets=("old",), now=NOW) == SHOP


def test_signed_callback_for_a_foreign_domain_is_still_rejected():
    query = signed_query(callback_params(shop="shop.myshopify.com.evil.com"))
    with pytest.raises(OAuthRejected):
        oauth.verify_callback(query, client_secret=SECRET, now=NOW)


def test_wrong_state_is_rejected():
    with pytest.raises(OAuthRejected):
        oauth.verify_callback(signed_query(callback_params()), client_secret=SECRET, expected_state="other", now=NOW)


@pytest.mark.parametrize("age", [timedelta(minutes=11), timedelta(days=2), -timedelta(minutes=5)])
def test_stale_or_future_callbacks_are_rejected(age):
    query = signed_query(callback_params(timestamp=str(int((NOW - age).timestamp()))))
    with pytest.raises(OAuthRejected):
        oauth.verify_callback(query, client_secret=SECRET, now=NOW)


def test_value_cannot_forge_a_separator():
    """'a=1&b=2' inside one value must not sign the same as two parameters."""
    assert oauth.callback_message({"a": "1&b=2"}) != oauth.callback_message({"a": "1", "b": "2"})


@pytest.fixture
def adapter(sleeper):
    return ShopifyAdapter(StoreCredentials(shop=SHOP, client_id="app-key", client_secret=SECRET,
                                           scopes=("read_orders",)), sleep=sleeper, now=lambda: NOW)


@responses.activate
def test_exchange_code_asks_for_an_expiring_offline_token(adapter):
    responses.post(f"https://{SHOP}/admin/oauth/access_token", json=fixture_json("shopify", "oauth_token.json"))
    grant = adapter.exchange_code(code="0907a61c0c8d55e99db179b68161bc00")
    assert request_json(responses.calls[0]) == {"client_id": "app-key", "client_secret": SECRET,
                                                "code": "0907a61c0c8d55e99db179b68161bc00", "expiring": 1}
    assert "X-Shopify-Access-Token" not in responses.calls[0].request.headers
    assert grant.access_token == "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" and grant.refresh_token == "shprt_3a1b5c7d9e"
    assert grant.expires_at == NOW + timedelta(hours=1) and grant.refresh_token_expires_at == NOW + timedelta(days=90)
    assert "write_fulfillments" in grant.scopes and grant.shop == SHOP
    assert adapter.credentials.access_token == grant.access_token  # the adapter uses it from now on
    assert "shpat_" not in repr(grant) and "shpat_" not in repr(adapter.credentials)  # secrets stay out of logs


@responses.activate
def test_refresh_rotates_both_tokens(adapter):
    adapter.credentials = StoreCredentials(shop=SHOP, client_id="app-key", client_secret=SECRET, access_token="old",
                                           refresh_token="shprt_3a1b5c7d9e", token_expires_at=NOW + timedelta(minutes=2))
    assert adapter.needs_refresh()
    responses.post(f"https://{SHOP}/admin/oauth/access_token", json=fixture_json("shopify", "oauth_refresh.json"))
    grant = adapter.refresh_access_token()
    assert request_json(responses.calls[0]) == {"client_id": "app-key", "client_secret": SECRET,
                                                "grant_type": "refresh_token", "refresh_token": "shprt_3a1b5c7d9e"}
    assert adapter.credentials.refresh_token == "shprt_rotated_0002" and not adapter.needs_refresh()
    assert grant.access_token == adapter.credentials.access_token


@responses.activate
def test_refused_refresh_means_reauthorisation(adapter):
    adapter.credentials = StoreCredentials(shop=SHOP, client_id="app-key", client_secret=SECRET, refresh_token="spent")
    responses.post(f"https://{SHOP}/admin/oauth/access_token", json=fixture_json("shopify", "oauth_invalid_grant.json"),
                   status=400)
    with pytest.raises(AuthError):
        adapter.refresh_access_token()
    assert len(responses.calls) == 1  # a refresh is never blindly repeated


def test_refresh_without_a_refresh_token(adapter):
    with pytest.raises(AuthError):
        adapter.refresh_access_token()


def test_adapter_authorize_url_uses_the_connection(adapter):
    url = adapter.authorize_url(redirect_uri="https://doorstep.example/cb", state="s1")
    assert url.startswith(f"https://{SHOP}/admin/oauth/authorize?") and "scope=read_orders" in url


def test_needs_refresh_is_false_without_expiry_or_refresh_token():
    assert not ShopifyAdapter(StoreCredentials(shop=SHOP, access_token="t")).needs_refresh()
    expired_no_refresh = StoreCredentials(shop=SHOP, token_expires_at=datetime(2000, 1, 1, tzinfo=timezone.utc))
    assert not ShopifyAdapter(expired_no_refresh).needs_refresh()

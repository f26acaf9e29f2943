"""The registry: adapters by dotted path from settings, credentials completed from the install-wide
defaults (base-URL templates, API versions, the app's OAuth client), extra platforms by setting."""
import pytest
import responses
from django.test import override_settings

from tracking.stores import registry
from tracking.stores.base import StoreAdapter, StoreCredentials
from tracking.stores.cafe24 import Cafe24Adapter
from tracking.stores.shopify import ShopifyAdapter
from tracking.stores.woocommerce import WooCommerceAdapter

from tests.support.fixtures import store_json as fixture_json


@pytest.fixture(autouse=True)
def fresh_cache():
    registry.adapter_class.cache_clear()
    yield
    registry.adapter_class.cache_clear()


class FakePlatform(StoreAdapter):
    slug = "fake"
    name = "Fake"


def test_builtin_platforms():
    assert registry.available_platforms() == ["cafe24", "shopify", "woocommerce"]
    assert isinstance(registry.get_adapter("shopify", StoreCredentials(shop="a.myshopify.com")), ShopifyAdapter)
    assert isinstance(registry.get_adapter("woocommerce"), WooCommerceAdapter)
    assert isinstance(registry.get_adapter("cafe24"), Cafe24Adapter)


def test_unknown_platform():
    with pytest.raises(registry.UnknownPlatform):
        registry.get_adapter("magento")


def test_extra_platforms_by_dotted_path(settings):
    settings.DOORSTEP_STORE_PLATFORMS = {**settings.DOORSTEP_STORE_PLATFORMS, "fake": "tests.tracking.stores.test_registry.FakePlatform"}
    assert isinstance(registry.get_adapter("fake"), FakePlatform) and "fake" in registry.available_platforms()


def test_a_path_that_is_not_an_adapter_is_refused(settings):
    settings.DOORSTEP_STORE_PLATFORMS = {"bad": "tracking.stores.base.StoreCredentials"}
    with pytest.raises(TypeError):
        registry.get_adapter("bad")


@override_settings(DOORSTEP_SHOPIFY_API_URL="https://{shop}", DOORSTEP_SHOPIFY_API_VERSION="2026-10",
                   DOORSTEP_SHOPIFY_CLIENT_ID="app-id", DOORSTEP_SHOPIFY_CLIENT_SECRET="app-secret",
                   DOORSTEP_SHOPIFY_SCOPES=["read_orders", "write_fulfillments"])
def test_settings_fill_what_the_connection_lacks():
    adapter = registry.get_adapter("shopify", StoreCredentials(shop="a.myshopify.com", access_token="t"))
    c = adapter.credentials
    assert (c.api_url, c.api_version, c.client_id, c.client_secret) == ("https://{shop}", "2026-10", "app-id", "app-secret")
    assert c.scopes == ("read_orders", "write_fulfillments") and c.access_token == "t"


@override_settings(DOORSTEP_SHOPIFY_API_VERSION="2026-10", DOORSTEP_SHOPIFY_SCOPES="read_orders, read_products")
def test_the_connection_wins_over_settings_and_string_scopes_are_split():
    credentials = StoreCredentials(shop="a.myshopify.com", api_version="2025-10")
    adapter = registry.get_adapter("shopify", credentials)
    assert adapter.credentials.api_version == "2025-10" and adapter.credentials.scopes == ("read_orders", "read_products")


@override_settings(DOORSTEP_CAFE24_API_URL="http://127.0.0.1:9100/{mall_id}", DOORSTEP_CAFE24_API_VERSION="2025-12-01")
@responses.activate
def test_a_local_fake_stands_in_through_settings():
    responses.get("http://127.0.0.1:9100/doorstep/api/v2/admin/orders/20261102-0000013", json=fixture_json("cafe24", "order.json"))
    adapter = registry.get_adapter("cafe24", StoreCredentials(shop="doorstep", access_token="t"), sleep=lambda s: None)
    assert adapter.fetch_order("20261102-0000013").id == "20261102-0000013"


@override_settings(DOORSTEP_WOOCOMMERCE_API_URL="")
def test_woocommerce_without_override_uses_the_store_url():
    adapter = registry.get_adapter("woocommerce", StoreCredentials(shop="https://shop.example.com"))
    assert adapter.credentials.api_url == "" and adapter.store_url == "https://shop.example.com"


def test_options_reach_the_adapter():
    def sleep(seconds):
        return None

    adapter = registry.get_adapter("woocommerce", StoreCredentials(shop="https://s.example"), sleep=sleep)
    assert adapter._sleep is sleep

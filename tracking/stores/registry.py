"""Store-platform adapters by slug, loaded from settings.DOORSTEP_STORE_PLATFORMS (slug -> dotted
path; DOORSTEP_EXTRA_STORE_PLATFORMS adds more). A third party adds a platform with one setting.

The only module of tracking/stores that reads settings: ``get_adapter`` fills what a connection
does not carry itself from the install-wide defaults (base-URL templates, API versions, the app's
OAuth client id/secret and scopes), so a sandbox or a local fake stands in by setting
``DOORSTEP_<PLATFORM>_API_URL``.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from django.conf import settings

from tracking.plugins import load_plugin
from tracking.stores.base import StoreAdapter, StoreCredentials


class UnknownPlatform(LookupError):
    pass


# slug -> {credential field: settings name}; a connection's own non-empty value wins.
DEFAULTS: dict[str, dict[str, str]] = {
    "shopify": {"api_url": "DOORSTEP_SHOPIFY_API_URL", "api_version": "DOORSTEP_SHOPIFY_API_VERSION",
                "client_id": "DOORSTEP_SHOPIFY_CLIENT_ID", "client_secret": "DOORSTEP_SHOPIFY_CLIENT_SECRET",
                "scopes": "DOORSTEP_SHOPIFY_SCOPES"},
    "woocommerce": {"api_url": "DOORSTEP_WOOCOMMERCE_API_URL"},
    "cafe24": {"api_url": "DOORSTEP_CAFE24_API_URL", "api_version": "DOORSTEP_CAFE24_API_VERSION",
               "client_id": "DOORSTEP_CAFE24_CLIENT_ID", "client_secret": "DOORSTEP_CAFE24_CLIENT_SECRET",
               "scopes": "DOORSTEP_CAFE24_SCOPES"},
}


@lru_cache(maxsize=None)
def adapter_class(slug: str) -> type[StoreAdapter]:
    return load_plugin("DOORSTEP_STORE_PLATFORMS", slug, base=StoreAdapter, unknown=UnknownPlatform)


def with_defaults(slug: str, credentials: StoreCredentials | None = None) -> StoreCredentials:
    credentials = credentials or StoreCredentials()
    changes = {}
    for field_name, setting in DEFAULTS.get(slug, {}).items():
        if getattr(credentials, field_name):
            continue
        value = getattr(settings, setting, None)
        if field_name == "scopes" and isinstance(value, str):
            value = tuple(s.strip() for s in value.split(",") if s.strip())
        elif field_name == "scopes" and isinstance(value, (list, tuple)):
            value = tuple(value)
        if value:
            changes[field_name] = value
    return replace(credentials, **changes) if changes else credentials


def get_adapter(slug: str, credentials: StoreCredentials | None = None, **options) -> StoreAdapter:
    """An adapter for ``slug`` with the connection's credentials completed from settings.
    ``options`` (session, sleep, now) go to the adapter's constructor."""
    return adapter_class(slug)(with_defaults(slug, credentials), **options)


def available_platforms() -> list[str]:
    return sorted(settings.DOORSTEP_STORE_PLATFORMS)

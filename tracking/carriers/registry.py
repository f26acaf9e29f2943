"""Carrier adapters by slug, loaded from settings.DOORSTEP_CARRIERS (slug -> dotted path).
A third party adds a carrier by adding a line to that setting: no core code changes.

This is also the one place that turns install-wide configuration into what adapters take:
adapters never read settings or the environment, so the base URL of a provider
(``settings.DOORSTEP_<SLUG>_API_URL``) and the install-wide default credentials (environment
variables, see ENVIRONMENT_KEYS) reach them as fields of CarrierCredentials.
"""
from __future__ import annotations

import dataclasses
import os
import re
from functools import lru_cache
from typing import Mapping

from django.conf import settings

from tracking.carriers.base import CarrierAdapter, CarrierCredentials
from tracking.plugins import load_plugin


class UnknownCarrier(LookupError):
    pass


@lru_cache(maxsize=None)
def adapter_class(slug: str) -> type[CarrierAdapter]:
    return load_plugin("DOORSTEP_CARRIERS", slug, base=CarrierAdapter, unknown=UnknownCarrier)


def get_adapter(slug: str, credentials: CarrierCredentials | None = None) -> CarrierAdapter:
    """An adapter for ``slug`` with ``credentials`` (empty ones when None), its ``api_url`` filled
    from settings when the credentials do not name one."""
    return adapter_class(slug)(with_provider_defaults(slug, credentials or CarrierCredentials()))


def available_carriers() -> list[str]:
    return sorted(settings.DOORSTEP_CARRIERS)


# --- Install-wide configuration ----------------------------------------------------------------------
def _setting_prefix(slug: str) -> str:
    return "DOORSTEP_" + re.sub(r"[^A-Za-z0-9]", "_", slug).upper()


def provider_api_url(slug: str) -> str:
    """settings.DOORSTEP_<SLUG>_API_URL (e.g. DOORSTEP_TRACKERDELIVERY_API_URL), or "" for the
    adapter's own production URL."""
    value = getattr(settings, f"{_setting_prefix(slug)}_API_URL", "")
    return value.strip() if isinstance(value, str) else ""


# slug -> environment variables holding its install-wide default credentials. "api_key" names the
# variable with the API key; tracker.delivery's key is "<client id>:<client secret>", from two.
ENVIRONMENT_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "trackerdelivery": {"api_key": ("DOORSTEP_TRACKERDELIVERY_CLIENT_ID", "DOORSTEP_TRACKERDELIVERY_CLIENT_SECRET")},
    "koreapost": {"api_key": ("DOORSTEP_KOREAPOST_SERVICE_KEY",)},
    "sweettracker": {"api_key": ("DOORSTEP_SWEETTRACKER_API_KEY",)},
    "easypost": {"api_key": ("DOORSTEP_EASYPOST_API_KEY",)},
    "shippo": {"api_key": ("DOORSTEP_SHIPPO_API_KEY",)},
    "dhl": {"api_key": ("DOORSTEP_DHL_API_KEY",)},
}


def environment_credentials(slug: str, *, environ: Mapping[str, str] | None = None) -> CarrierCredentials:
    """The install-wide default credentials for ``slug`` from the environment (used when no
    merchant account applies, e.g. ``manage.py carrier_track`` without ``--account``).

    Besides the keys in ENVIRONMENT_KEYS, ``DOORSTEP_<SLUG>_WEBHOOK_SECRET`` sets the webhook
    secret. A tracker.delivery key is sent only when both the client id and the secret are set.
    ``api_url`` comes from settings, as for every adapter the registry builds."""
    environ = os.environ if environ is None else environ
    prefix = _setting_prefix(slug)
    names = ENVIRONMENT_KEYS.get(slug, {}).get("api_key", (f"{prefix}_API_KEY",))
    parts = [environ.get(name, "").strip() for name in names]
    api_key = ":".join(parts) if all(parts) else ""
    return CarrierCredentials(
        api_key=api_key,
        webhook_secret=environ.get(f"{prefix}_WEBHOOK_SECRET", "").strip(),
        api_url=provider_api_url(slug),
    )


def with_provider_defaults(slug: str, credentials: CarrierCredentials) -> CarrierCredentials:
    """``credentials`` with ``api_url`` from settings when they do not name one themselves (a
    merchant's CarrierAccount stores keys, not URLs)."""
    if credentials.api_url:
        return credentials
    url = provider_api_url(slug)
    return dataclasses.replace(credentials, api_url=url) if url else credentials

"""Carrier adapters by slug, loaded from settings.DOORSTEP_CARRIERS (slug -> dotted path).
A third party adds a carrier by adding a line to that setting: no core code changes."""
from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from tracking.carriers.base import CarrierAdapter, CarrierCredentials


class UnknownCarrier(LookupError):
    pass


@lru_cache(maxsize=None)
def adapter_class(slug: str) -> type[CarrierAdapter]:
    try:
        path = settings.DOORSTEP_CARRIERS[slug]
    except KeyError:
        raise UnknownCarrier(slug) from None
    cls = import_string(path)
    if not issubclass(cls, CarrierAdapter):
        raise TypeError(f"{path} is not a CarrierAdapter")
    return cls


def get_adapter(slug: str, credentials: CarrierCredentials | None = None) -> CarrierAdapter:
    return adapter_class(slug)(credentials)


def available_carriers() -> list[str]:
    return sorted(settings.DOORSTEP_CARRIERS)

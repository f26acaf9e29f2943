"""Payment gateways by slug, from settings.DOORSTEP_PAYMENT_GATEWAYS (slug -> dotted path)."""
from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from returns.payments.base import GatewayCredentials, PaymentGateway


class UnknownGateway(LookupError):
    pass


@lru_cache(maxsize=None)
def gateway_class(slug: str) -> type[PaymentGateway]:
    try:
        path = settings.DOORSTEP_PAYMENT_GATEWAYS[slug]
    except KeyError:
        raise UnknownGateway(slug) from None
    cls = import_string(path)
    if not issubclass(cls, PaymentGateway):
        raise TypeError(f"{path} is not a PaymentGateway")
    return cls


def get_gateway(slug: str) -> PaymentGateway:
    """The adapter with its credentials from settings (DOORSTEP_PAYMENT_CREDENTIALS[slug])."""
    creds = settings.DOORSTEP_PAYMENT_CREDENTIALS.get(slug, {})
    return gateway_class(slug)(GatewayCredentials(secret_key=creds.get("secret_key", "")))

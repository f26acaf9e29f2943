"""Payment gateways by slug, from settings.DOORSTEP_PAYMENT_GATEWAYS (slug -> dotted path)."""
from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from returns.payments.base import GatewayCredentials, PaymentGateway
from tracking.plugins import load_plugin


class UnknownGateway(LookupError):
    pass


@lru_cache(maxsize=None)
def gateway_class(slug: str) -> type[PaymentGateway]:
    return load_plugin("DOORSTEP_PAYMENT_GATEWAYS", slug, base=PaymentGateway, unknown=UnknownGateway)


def credentials_from_settings(slug: str) -> GatewayCredentials:
    """The install-wide credentials and base URL for ``slug`` (DOORSTEP_PAYMENT_CREDENTIALS[slug]:
    ``secret_key``, ``api_url`` and any other keys, which land in ``extra``)."""
    creds = dict(settings.DOORSTEP_PAYMENT_CREDENTIALS.get(slug, {}))
    secret_key = creds.pop("secret_key", "")
    api_url = creds.pop("api_url", "")
    return GatewayCredentials(secret_key=secret_key, api_url=api_url, extra=creds)


def get_gateway(slug: str, credentials: GatewayCredentials | None = None) -> PaymentGateway:
    """The adapter for ``slug``. Without ``credentials`` (e.g. a merchant's own keys), the install-wide
    ones from settings are used; a merchant's credentials without an ``api_url`` get the settings' one."""
    if credentials is None:
        credentials = credentials_from_settings(slug)
    elif not credentials.api_url:
        credentials = GatewayCredentials(secret_key=credentials.secret_key, extra=credentials.extra,
                                         api_url=credentials_from_settings(slug).api_url)
    return gateway_class(slug)(credentials)

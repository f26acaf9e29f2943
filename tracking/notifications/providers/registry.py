"""Text providers by slug, from settings.DOORSTEP_TEXT_PROVIDERS (slug -> dotted path), with the
install-wide credentials and base URL from settings.DOORSTEP_TEXT_PROVIDER_CREDENTIALS[slug]."""
from __future__ import annotations

from functools import lru_cache
from typing import Mapping

from django.conf import settings

from tracking.notifications.providers.base import MessageTemplate, ProviderCredentials, TextProvider
from tracking.plugins import load_plugin


class UnknownProvider(LookupError):
    pass


@lru_cache(maxsize=None)
def provider_class(slug: str) -> type[TextProvider]:
    return load_plugin("DOORSTEP_TEXT_PROVIDERS", slug, base=TextProvider, unknown=UnknownProvider)


def credentials_from_settings(slug: str) -> ProviderCredentials:
    values = dict(settings.DOORSTEP_TEXT_PROVIDER_CREDENTIALS.get(slug, {}))
    known = {name: values.pop(name, "") for name in ("api_key", "api_secret", "sender", "sender_profile", "api_url")}
    return ProviderCredentials(**known, extra=values)


def get_text_provider(slug: str, credentials: ProviderCredentials | None = None, *,
                      templates: Mapping[str, MessageTemplate] | None = None) -> TextProvider:
    """The provider for ``slug`` with ``credentials`` (a merchant's own; default: the install-wide ones),
    its base URL defaulting to the settings' one, and the template catalog it may send."""
    defaults = credentials_from_settings(slug)
    if credentials is None:
        credentials = defaults
    elif not credentials.api_url:
        credentials = ProviderCredentials(api_key=credentials.api_key, api_secret=credentials.api_secret,
                                          sender=credentials.sender, sender_profile=credentials.sender_profile,
                                          api_url=defaults.api_url, extra=credentials.extra)
    return provider_class(slug)(credentials, templates=templates)

"""Links other apps add to the order page without tracking importing them (dependency direction:
returns → tracking, feedback → tracking).

A subscriber registers, in its AppConfig.ready()::

    from tracking.page.hooks import register_order_link
    register_order_link(lambda order, token: [(_("Start a return"), reverse("returns:start", args=[token]))])

Each callable gets the Order and the order's signed token and returns (label, url) pairs (or an
empty list when the action does not apply, e.g. nothing is returnable yet)."""
from __future__ import annotations

import logging
from typing import Callable, Iterable

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

OrderLink = tuple[str, str]
_providers: list[Callable[..., Iterable[OrderLink]]] = []


def register_order_link(provider: Callable[..., Iterable[OrderLink]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def unregister_order_link(provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def order_links(order, token: str) -> list[OrderLink]:
    links: list[OrderLink] = []
    for provider in list(_providers):
        try:
            links.extend((str(label), url) for label, url in provider(order, token) or ())
        except Exception:  # one app's broken link must not take the tracking page down
            logger.exception("order link provider %r failed", provider)
    if not _providers:
        # Until the returns app registers a provider: its start-from-the-order-link URL, which takes
        # the same signed "order" token, if that app is installed.
        try:
            links.insert(0, (_("Start a return"), reverse("returns:order", args=[token])))
        except NoReverseMatch:
            pass
    return links

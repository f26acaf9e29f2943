"""What other apps add to the order page (tracking.extensions.ORDER_LINKS, PARCEL_ACTIONS and ORDER_PAGE_BLOCKS):
collected here, each provider isolated, so one app's broken block never takes the page down."""
from __future__ import annotations

import logging

from django.utils.safestring import SafeString

from tracking import extensions

logger = logging.getLogger(__name__)


def order_links(order, token: str) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for key, provider in extensions.ORDER_LINKS.implementations():
        try:
            links.extend((str(label), url) for label, url in provider(order, token) or ())
        except Exception:
            logger.exception("order link provider %s failed", key)
    return links


def parcel_actions(order, token: str, parcel) -> list[tuple[str, str]]:
    """Buttons other apps offer on a stopped parcel ("Report a problem" for a lost one)."""
    actions: list[tuple[str, str]] = []
    for key, provider in extensions.PARCEL_ACTIONS.implementations():
        try:
            actions.extend((str(label), url) for label, url in provider(order, token, parcel) or ())
        except Exception:
            logger.exception("parcel action provider %s failed", key)
    return actions


def page_blocks(request, order, token: str) -> list[SafeString]:
    blocks = []
    for key, provider in extensions.ORDER_PAGE_BLOCKS.implementations():
        try:
            html = provider(request, order, token)
        except Exception:
            logger.exception("order page block %s failed", key)
            continue
        if not html:
            continue
        if not isinstance(html, SafeString):
            # Plain text could carry markup from data: only template output (escaped) is shown.
            logger.error("order page block %s returned plain text, not rendered HTML; left out", key)
            continue
        blocks.append(html)
    return blocks

"""How Doorstep's apps extend each other, besides signals: named extension points.

Signals announce facts ("this parcel was delivered"). An extension point asks a question or wants a
piece of the answer ("anything to show on this order's page?", "any reason to hold this survey?").
Both keep the dependency direction ``returns → tracking`` and ``feedback → tracking``: every point
is declared here, where every app can see it; the app that *asks* calls ``implementations()``; the
apps that *answer* register in their ``AppConfig.ready()``::

    from tracking import extensions
    extensions.ORDER_LINKS.register(start_a_return_link, key="returns.start")

A key names each implementation, so a second ``ready()`` replaces instead of doubling it.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any, Callable

logger = logging.getLogger(__name__)


class ExtensionPoint:
    def __init__(self, name: str, contract: str):
        self.name = name
        self.contract = contract  # the call signature and what the answer means
        self._implementations: dict[str, Callable[..., Any]] = {}

    def __repr__(self):
        return f"<ExtensionPoint {self.name}: {self.contract}>"

    def register(self, implementation: Callable[..., Any], *, key: str) -> None:
        self._implementations[key] = implementation

    def unregister(self, key: str) -> None:
        self._implementations.pop(key, None)

    def implementations(self) -> list[tuple[str, Callable[..., Any]]]:
        """(key, implementation) pairs in registration order."""
        return list(self._implementations.items())

    @contextlib.contextmanager
    def registered(self, implementation: Callable[..., Any], *, key: str):
        """Register for the duration of a block (tests), restoring whatever held the key before."""
        previous = self._implementations.get(key)
        self.register(implementation, key=key)
        try:
            yield
        finally:
            if previous is None:
                self.unregister(key)
            else:
                self.register(previous, key=key)


# --- asked by tracking's order page ------------------------------------------------------------------
ORDER_PAGE_BLOCKS = ExtensionPoint(
    "order_page_blocks",
    "(request, order, token) -> HTML (a SafeString, e.g. from render_to_string) or ''; shown after the "
    "parcels. It is part of the cached page: a provider whose rows change calls "
    "tracking.page.versions.order_page_changed(order_id=…).")
ORDER_LINKS = ExtensionPoint(
    "order_links",
    "(order, token) -> iterable of (label, url) for the page's 'Need something else?' list; empty "
    "when the action does not apply.")
PARCEL_ACTIONS = ExtensionPoint(
    "parcel_actions",
    "(order, token, parcel) -> iterable of (label, url) shown first in a stopped parcel's notice "
    "(parcel.notice.kind: lost, damaged, customs…; parcel.claim_reason is 'lost' or 'damaged' when "
    "a claim may apply, e.g. 'Report a problem'), or after the proof of delivery for a parcel without "
    "a notice (parcel.status, e.g. delivered). Part of the cached page, like ORDER_PAGE_BLOCKS.")
ORDER_TROUBLES = ExtensionPoint(
    "order_troubles",
    "(order_id) -> bool: the order is in trouble (e.g. a return in progress), so no post-purchase offer.")

# --- asked by feedback's survey scheduler ------------------------------------------------------------
SURVEY_HOLDS = ExtensionPoint(
    "survey_holds",
    "(order, survey_settings) -> short reason to hold the NPS survey back, or '' for no objection.")

# --- asked by feedback's thank-you incentive ---------------------------------------------------------
STORE_CREDIT = ExtensionPoint(
    "store_credit",
    "(*, customer, amount, currency, reference, note) -> credit code; books store credit outside a "
    "return, idempotent on reference. The first registered implementation is used.")

# --- asked by tracking.demo.seed after the demo shop exists -------------------------------------------
DEMO_SEED = ExtensionPoint(
    "demo_seed",
    "(*, now) -> dict of counts: the app's own demo rows for the demo merchants (e.g. claims in every "
    "state). Idempotent: a second seed adds nothing.")

# --- asked by tracking.staff when it syncs the support groups ----------------------------------------
STAFF_PERMISSIONS = ExtensionPoint(
    "staff_permissions",
    "() -> tracking.staff.roles.AppStaffPermissions: what each support role may do with the "
    "registering app's models.")

# --- asked by tracking.stores when a connected store reports a refund Doorstep did not make -----------
PLATFORM_REFUNDS = ExtensionPoint(
    "platform_refunds",
    "(*, order, amount, currency, reference) -> None: money was refunded in the connected store itself "
    "(reference 'shopify:<refund id>'), so lower what Doorstep may still refund on ``order``. Called once "
    "per platform refund, inside the store sync's transaction.")

# --- asked by tracking.demo when it seeds a demo merchant --------------------------------------------
DEMO_SEEDERS = ExtensionPoint(
    "demo_seeders",
    "(*, merchant, rng, now) -> {name: rows created}: the app's own year of demo history for a freshly "
    "seeded demo merchant (its orders and parcels exist). Bulk inserts, no signals, nothing queued to send.")

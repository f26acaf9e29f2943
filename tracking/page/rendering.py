"""Building and caching the order page.

The whole page is cached as HTML under a key that includes the order's data version
(tracking.page.versions: kept in the cache, bumped on every write), the language, the
merchant-local date ("Arriving today" changes at midnight) and the path. A new event changes the version, so no process ever has to invalidate
anything. Nothing on the page is per visitor: its forms are protected by the signed token in their
URLs and an origin check (tracking.page.origin), not a per-visitor CSRF token, so one cached copy
serves everyone as it is."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from tracking.carriers.registry import UnknownCarrier, get_adapter
from tracking.memo import Memo
from tracking.models import DeliveryRequest, Order
from tracking.recommendations.selectors import cached_recommendations_for_order, post_purchase_offer_for_order
from tracking.page import presenters
from tracking.page.forms import DeliveryChangeForm
from tracking.page.contributions import order_links, page_blocks, parcel_actions
from tracking.page.selectors import TIMELINE_LATEST, order_for_page
from tracking.page.versions import page_version

# Hot pages are also kept in this process (under the same versioned key, so never stale): a
# shopper refreshing during "out for delivery" costs no SQL and, while this process holds the
# version (tracking.page.versions), no cache round trip either.
_local = Memo("rendered order pages", maxsize=256)

TEMPLATE = "tracking/page/order.html"


def local_today(tz_name: str) -> date:
    return timezone.localtime(timezone.now(), presenters.merchant_zone_name(tz_name)).date()


def form_prefix(tracking_number: str) -> str:
    return f"dc-{tracking_number}"


def pickup_points_for(shipment) -> list:
    try:
        return get_adapter(shipment.carrier).pickup_points(shipment.destination_postal_code or "")
    except (UnknownCarrier, NotImplementedError):
        return []


def request_summary(request: DeliveryRequest) -> dict:
    """What the shopper asked for and where it stands, in their language."""
    from django.utils.translation import gettext as _

    Kind, Status, Route = DeliveryRequest.Kind, DeliveryRequest.Status, DeliveryRequest.Route
    if request.kind == Kind.RESCHEDULE and request.requested_date:
        asked = _("Deliver on %(day)s") % {"day": presenters.format_day(request.requested_date)}
    elif request.kind == Kind.REDIRECT:
        asked = _("Take it to %(point)s") % {"point": request.pickup_point_label or request.pickup_point_id}
    else:
        asked = _("Instructions: %(text)s") % {"text": request.instructions}
    if request.status == Status.CARRIER_CONFIRMED:
        state = _("Confirmed by the carrier (reference %(ref)s).") % {"ref": request.carrier_confirmation}
    elif request.status == Status.RESOLVED:
        state = _("Done: the store's support team has arranged it.")
    elif request.status == Status.IN_PROGRESS:
        state = _("The store's support team is working on it.")
    elif request.route == Route.CARRIER:
        state = _("Sent to the carrier, waiting for their confirmation.")
    else:
        state = _("Received: the store's support team will arrange it with the carrier.")
    return {"asked": asked, "state": state, "status": request.status}


def _request_answers_attempt(shipment) -> bool:
    request = shipment.page_request
    if request is None:
        return False
    return shipment.last_event_at is None or request.created_at >= shipment.last_event_at


def build_context(request, order: Order, *, token: str, today: date, bound_forms: dict | None = None) -> dict:
    tz = presenters.merchant_zone(order.merchant)
    parcels = []
    for index, shipment in enumerate(order.page_shipments, start=1):
        parcel = presenters.parcel_for(shipment, index=index, tz=tz, today=today)
        parcel.request = request_summary(shipment.page_request) if shipment.page_request else None
        if parcel.can_change_delivery and _request_answers_attempt(shipment):
            # The shopper already told us what to do about this attempt: show where that stands, not
            # the "attempt failed" banner and the three forms again (a later failed attempt brings them back).
            parcel.can_change_delivery = False
        offered = [presenters.Action(label, url, "claim") for label, url in parcel_actions(order, token, parcel)]
        # A stopped parcel's notice leads with them; otherwise (delivered, or silent for long) they
        # follow the proof of delivery.
        parcel.actions = []
        if parcel.notice is not None:
            parcel.notice.actions[:0] = offered
        else:
            parcel.actions = offered
        parcel.form = None
        if parcel.can_change_delivery:
            parcel.form = (bound_forms or {}).get(shipment.tracking_number) or DeliveryChangeForm(
                prefix=form_prefix(shipment.tracking_number), pickup_points=pickup_points_for(shipment), today=today)
            parcel.form_action = reverse("tracking:delivery_change", args=[token, shipment.tracking_number])
        parcels.append(parcel)
    return {
        "merchant": order.merchant,
        "order": order,
        "order_token": token,
        "parcels": parcels,
        "parcel_count": len(parcels),
        "first_action": next((p for p in parcels if p.can_change_delivery), None),
        "placed_on": presenters.format_day(timezone.localtime(order.placed_at, tz).date()),
        "timezone_name": order.merchant.timezone,
        "order_links": order_links(order, token),
        "page_blocks": page_blocks(request, order, token),
        "shipping_emails_off": getattr(order, "shipping_emails_off", False),
        "email_preferences_action": reverse("tracking:email_preferences", args=[token]),
        # Cached on their own: a new event re-renders the page, not the recommendations, and the
        # same block shown again is the same impression (see tracking.recommendations).
        "recs": cached_recommendations_for_order(order=order, placement="tracking"),
        "offer": post_purchase_offer_for_order(order=order),
    }


@dataclass(frozen=True)
class RenderedPage:
    html: str
    etag: str  # names the page's data version, language, day and path ("" when rendered outside the cache)


def render_order_page(request, *, order_id: int, token: str, bound_forms: dict | None = None) -> RenderedPage | None:
    """The page, from the cache when the data has not changed; None for a missing order."""
    ttl = settings.DOORSTEP_PAGE_CACHE_SECONDS
    # Pages showing one-off messages or form errors are personal: render them, never cache them.
    cacheable = ttl > 0 and not bound_forms and not len(get_messages(request))
    key = None
    if cacheable:
        version = page_version(order_id=order_id)
        if version is None:
            return None
        digest, tz_name = version
        path = hashlib.blake2b(request.get_full_path().encode(), digest_size=8).hexdigest()
        key = f"orderpage:v3:{order_id}:{get_language()}:{digest}:{local_today(tz_name)}:{path}"
        html = _local.get(key)
        if html is None:
            html = cache.get(key)
            if html is not None:
                _local.set(key, html)
        if html is not None:
            return RenderedPage(html, _etag(key))
    show_all = request.GET.get("all") == "1"
    order = order_for_page(order_id=order_id, events_per_parcel=None if show_all else TIMELINE_LATEST)
    if order is None:
        return None
    context = build_context(request, order, token=token, today=local_today(order.merchant.timezone), bound_forms=bound_forms)
    html = render_to_string(TEMPLATE, context, request=request)
    if key is None:
        return RenderedPage(html, "")
    cache.set(key, html, ttl)
    _local.set(key, html)
    return RenderedPage(html, _etag(key))


def _etag(key: str) -> str:
    # The cache key already names the data version, language, local day and path of this HTML.
    return '"' + hashlib.blake2b(key.encode(), digest_size=12).hexdigest() + '"'

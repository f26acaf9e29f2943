"""Shopper pages: lookup, the order page behind a signed link, the tracking-number journey,
failed-delivery choices, the shipping-email switch and the brand stylesheet. Thin: parse, call a
selector/service, render.

Lookup scoping: /track/<merchant-slug>/ is a merchant's branded lookup and only finds that
merchant's orders. Bare /track/ serves the only merchant of a single-store install; with several
merchants it looks across them (number + email/postcode must both match) and, in the rare case
the same shopper has the same order number at two stores, lets them pick the store."""
from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.i18n import set_language
from django.templatetags.static import static
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracking.page.branding import brand_stylesheet
from tracking.models import Merchant, NotificationCategory, Order, Shipment
from tracking.notifications.services import notification_resubscribe, notification_unsubscribe
from tracking.delivery_changes.services import DeliveryChangeNotAllowed, delivery_request_submit
from tracking.tokens import BadToken, ExpiredToken, make_token, read_token
from tracking.page import presenters, ratelimit
from tracking.page.forms import DeliveryChangeForm, LookupForm, TrackingNumberForm
from tracking.page.origin import same_origin_post
from tracking.page.rendering import form_prefix, local_today, pickup_points_for, render_order_page
from tracking.page.selectors import merchant_for_lookup, orders_matching, shipments_for_tracking_number

ORDER_PURPOSE = "order"
MAX_QUERY_STRING = 2048
MAX_QUERY_PARAMS = 20


def order_url(order: Order) -> str:
    return reverse("tracking:order_link", args=[make_token(ORDER_PURPOSE, {"o": order.pk})])


def _lookup_url(merchant: Merchant | None) -> str:
    return reverse("tracking:merchant_lookup", args=[merchant.slug]) if merchant else reverse("tracking:lookup")


def guard_query(view):
    """Enormous or field-stuffed query strings get a friendly 400 before any work is done."""
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        query = request.META.get("QUERY_STRING", "")
        if len(query) > MAX_QUERY_STRING or query.count("&") >= MAX_QUERY_PARAMS:
            return render(request, "tracking/page/bad_request.html", status=400)
        return view(request, *args, **kwargs)
    return wrapper


def _order_id(token: str) -> int:
    """The order id from a valid, unexpired link (ExpiredToken propagates), else 404."""
    try:
        payload = read_token(ORDER_PURPOSE, token, max_age=settings.DOORSTEP_LINK_MAX_AGE)
    except ExpiredToken:
        raise
    except BadToken:
        raise Http404("unknown link") from None
    order_id = payload.get("o")
    if not isinstance(order_id, int) or isinstance(order_id, bool):
        raise Http404("unknown link")
    return order_id


# --- Lookup ----------------------------------------------------------------------------------------
@guard_query
@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request, slug: str | None = None):
    merchant = merchant_for_lookup(slug)
    if slug and merchant is None:
        raise Http404("unknown store")
    if "tracking_number" in request.GET:
        return _journey(request, merchant)
    context = {"merchant": merchant, "action": _lookup_url(merchant), "number_form": TrackingNumberForm()}
    if request.method == "GET":
        context["form"] = LookupForm(initial={"number": request.GET.get("order", "")[:64]})
        return render(request, "tracking/page/lookup.html", context)

    form = LookupForm(request.POST)
    context["form"] = form
    number = str(request.POST.get("number", ""))[:64]
    keys = ratelimit.lookup_keys(ip=ratelimit.client_ip(request), number=number)
    if ratelimit.is_blocked(keys):
        return render(request, "tracking/page/too_many.html", context, status=429)
    if not form.is_valid():
        return render(request, "tracking/page/lookup.html", context, status=400)
    orders = orders_matching(number=form.cleaned_data["number"], secret=form.cleaned_data["secret"],
                             merchant=merchant)
    if len(orders) == 1:
        return redirect(order_url(orders[0]))
    if orders:
        choices = [(o.merchant.name, order_url(o)) for o in orders]
        return render(request, "tracking/page/choose_store.html", {"choices": choices, "merchant": None})
    # Unknown order and wrong email/postcode: the same page, status and work (see orders_matching).
    ratelimit.record_failure(keys)
    context["not_found"] = True
    return render(request, "tracking/page/lookup.html", context, status=404)


def _journey(request, merchant: Merchant | None):
    """A parcel's journey from its tracking number alone: no name, address, items or email."""
    form = TrackingNumberForm(request.GET)
    context = {"merchant": merchant, "action": _lookup_url(merchant), "number_form": form, "form": LookupForm()}
    if not form.is_valid():
        return render(request, "tracking/page/lookup.html", context, status=400)
    keys = ratelimit.lookup_keys(ip=ratelimit.client_ip(request), number="")
    if ratelimit.is_blocked(keys):
        return render(request, "tracking/page/too_many.html", context, status=429)
    shipments = shipments_for_tracking_number(tracking_number=form.cleaned_data["tracking_number"],
                                              merchant=merchant)
    if not shipments:
        ratelimit.record_failure(keys)
        context["number_not_found"] = True
        return render(request, "tracking/page/lookup.html", context, status=404)
    parcels = []
    for index, shipment in enumerate(shipments, start=1):
        tz = presenters.merchant_zone(shipment.merchant)
        parcels.append(presenters.parcel_for(shipment, index=index, tz=tz, today=local_today(shipment.merchant.timezone),
                                             public=True))
    # Times are the merchant's: say whose ("Times are Seoul time") when every parcel is one merchant's.
    zones = {shipment.merchant.timezone for shipment in shipments}
    return render(request, "tracking/page/journey.html", {"merchant": merchant, "parcels": parcels,
                                                         "timezone_name": zones.pop() if len(zones) == 1 else ""})


# --- The order page -------------------------------------------------------------------------------
@guard_query
@require_GET
def order_page(request, token: str):
    try:
        order_id = _order_id(token)
    except ExpiredToken:
        return _verify_again(request, token)
    page = render_order_page(request, order_id=order_id, token=token)
    if page is None:
        raise Http404("unknown order")
    # Personal data: browsers may keep it, shared caches must not; "no-cache" makes the browser ask
    # again each time, and an unchanged page answers 304 with no body.
    response = HttpResponse(page.html)
    patch_cache_control(response, private=True, no_cache=True)
    if not page.etag:
        return response
    response["ETag"] = page.etag
    return get_conditional_response(request, etag=page.etag, response=response)


def _verify_again(request, token: str):
    """An authentic but old link: ask for the email/postcode again, order number filled in."""
    payload = read_token(ORDER_PURPOSE, token)  # signature already proven; only the age failed
    order = Order.objects.filter(pk=payload.get("o")).select_related("merchant").first()
    merchant = order.merchant if order else None
    context = {
        "merchant": merchant, "action": _lookup_url(merchant), "expired": True,
        "form": LookupForm(initial={"number": order.number if order else ""}), "number_form": TrackingNumberForm(),
    }
    return render(request, "tracking/page/lookup.html", context)


@guard_query
@same_origin_post  # the signed order token in the URL is the anti-forgery secret (see origin.py)
@require_POST
def delivery_change(request, token: str, tracking_number: str):
    try:
        order_id = _order_id(token)
    except ExpiredToken:
        return _verify_again(request, token)
    shipment = get_object_or_404(Shipment.objects.select_related("merchant"), order_id=order_id,
                                 tracking_number=tracking_number, is_return=False)
    today = local_today(shipment.merchant.timezone)
    form = DeliveryChangeForm(request.POST, prefix=form_prefix(tracking_number),
                              pickup_points=pickup_points_for(shipment), today=today)
    anchor = f"#parcel-{tracking_number}"
    if not form.is_valid():
        page = render_order_page(request, order_id=order_id, token=token, bound_forms={tracking_number: form})
        return HttpResponse(page.html, status=400)
    try:
        delivery_request_submit(
            # Per choice: a repeated click dedupes, while a different choice from the same page still counts.
            shipment=shipment, kind=form.cleaned_data["kind"],
            idempotency_key=f'{form.cleaned_data["kind"]}:{form.cleaned_data["idempotency_key"]}',
            requested_date=form.cleaned_data.get("requested_date"),
            pickup_point_id=form.cleaned_data.get("pickup_point") or "",
            pickup_point_label=form.pickup_point_label(), instructions=form.cleaned_data.get("instructions") or "",
        )
    except DeliveryChangeNotAllowed:
        pass  # delivered or moving again meanwhile: the page shows where the parcel is now
    else:
        # A one-off message also makes the next view render from the rows (pages with messages are
        # never served from the cache), so the shopper sees their request however fresh the write.
        messages.success(request, _("Thank you: we have your request for this parcel."))
    # Post/redirect/get: a reload never re-submits.
    return redirect(reverse("tracking:order_link", args=[token]) + anchor)


@same_origin_post
@require_POST
def email_preferences(request, token: str):
    try:
        order_id = _order_id(token)
    except ExpiredToken:
        return _verify_again(request, token)
    order = get_object_or_404(Order.objects.select_related("customer"), pk=order_id)
    if request.POST.get("shipping_emails") == "on":
        notification_resubscribe(customer=order.customer, category=NotificationCategory.SHIPPING)
        messages.success(request, _("We will email you shipping updates for this store again."))
    else:
        notification_unsubscribe(customer=order.customer, category=NotificationCategory.SHIPPING)
        messages.success(request, _("You will get no more shipping emails from this store."))
    return redirect(reverse("tracking:order_link", args=[token]) + "#emails")


# The language switch only sets a preference cookie; being tokenless keeps cached pages shareable.
language_switch = same_origin_post(set_language)


# --- Branding --------------------------------------------------------------------------------------
@require_GET
def brand_css(request, slug: str):
    """The merchant's theme tokens as CSS custom properties. Versioned by ?v=<updated_at> in the
    link, so it can be cached for a day; never contains anything but validated tokens."""
    merchant = get_object_or_404(Merchant.objects.only("primary_color", "accent_color", "updated_at"), slug=slug)
    response = HttpResponse(brand_stylesheet(primary=merchant.primary_color, accent=merchant.accent_color),
                            content_type="text/css; charset=utf-8")
    response["Last-Modified"] = http_date(merchant.updated_at.timestamp())
    patch_cache_control(response, public=True, max_age=86400)
    return response


@require_GET
def home(request):
    """``/`` is where a shopper typing the site's address lands: the order lookup."""
    return redirect("tracking:lookup")


@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers (and the admin) ask for /favicon.ico whatever the page says: send them the icon."""
    return redirect(static("doorstep/favicon.svg"), permanent=False)

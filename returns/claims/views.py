"""The shopper's "Report a problem" page, opened from the tracking page with the order's signed token
(the same link the returns portal accepts). One plain form, no JavaScript; the claim's own page is the
return page (returns:detail)."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from returns.claims.forms import ClaimForm
from returns.claims.services import (
    ClaimedLine,
    claim_policy_for,
    claim_submit,
    claimability,
    resolutions_allowed,
)
from returns.errors import ReturnError
from returns.tokens import return_token
from tracking.models import Order, Shipment
from tracking.tokens import BadToken, ExpiredToken, read_token


def _order(token) -> Order:
    payload = read_token("order", token, max_age=settings.DOORSTEP_LINK_MAX_AGE)
    return get_object_or_404(Order.objects.select_related("merchant", "customer"), pk=payload.get("o"))


@require_http_methods(["GET", "POST"])
def claim(request, token, tracking_number):
    try:
        order = _order(token)
    except ExpiredToken:
        messages.info(request, _("This link has expired. Please enter your order details again."))
        return redirect("returns:start")
    except BadToken:
        raise Http404 from None
    shipment = get_object_or_404(Shipment.objects.select_related("merchant", "order"), order=order,
                                 tracking_number=tracking_number[:64], is_return=False)
    policy = claim_policy_for(order.merchant)  # a GET writes nothing; submitting ensures the policy
    state = claimability(shipment=shipment, policy=policy)
    context = {"merchant": order.merchant, "order": order, "shipment": shipment, "state": state,
               "tracking_url": reverse("tracking:order_link", args=[token]), "policy": policy}
    if not state.open:
        # Nothing to report (still moving, window closed, everything reported): say why, write nothing.
        return render(request, "returns/claim_closed.html", context, status=400 if request.method == "POST" else 200)
    resolutions = resolutions_allowed(policy)
    form = ClaimForm(request.POST or None, request.FILES or None, types=state.types, resolutions=resolutions,
                     lines=state.lines, initial={"key": f"claim-{order.pk}-{secrets.token_urlsafe(16)}"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["key"].startswith(f"claim-{order.pk}-"):
            form.add_error(None, _("This form has expired; please start again."))
        else:
            try:
                rr, _created = claim_submit(
                    order=order, shipment=shipment, claim_type=data["claim_type"],
                    lines=[ClaimedLine(line_id, qty) for line_id, qty in data["chosen"].items()],
                    resolution=data["resolution"], idempotency_key=data["key"], note=data["note"],
                    photos=request.FILES.getlist("photos"), locale=get_language() or "")
            except ReturnError as exc:
                form.add_error("photos" if exc.code in ("photo", "photo_required") else None, exc.message)
            else:
                return redirect("returns:detail", token=return_token(rr.pk))
    rows = [(line, form[f"qty_{line.order_line.pk}"] if line.remaining else None) for line in state.lines]
    context.update(form=form, rows=rows, photo_required_types=["damaged"] if policy.photo_required_for_damaged else [])
    return render(request, "returns/claim.html", context, status=400 if request.method == "POST" else 200)

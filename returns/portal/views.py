"""The shopper's returns portal: lookup → items → details → method → summary → the return's page.

Works without JavaScript: each step is a plain form posting back to itself; answers live in a
server-side ReturnDraft whose key is kept in the session (so a draft URL alone opens nothing).
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tracking.models import Order
from tracking.page import ratelimit
from tracking.page.presenters import merchant_zone
from tracking.page.selectors import merchant_for_lookup, orders_matching
from tracking.tokens import BadToken, ExpiredToken, read_token

from returns.policy import engine
from returns.portal.drafts import draft_state, fee_total
from returns.errors import ReturnError
from returns.money.refund_accounts import needs_refund_account, refund_account_store
from returns.portal.forms import ConfirmForm, DetailsForm, ItemsForm, LookupForm, MethodForm, RefundAccountForm
from returns.models import Resolution, ReturnDraft, ReturnMethod, ReturnRequest, ReturnStatus
from returns.claims.services import claim_type_label
from returns.files.photos import PhotoRejected
from returns.selectors import expected_refund_date
from returns.services import RequestedLine, pickup_dates, return_photo_store, return_policy_ensure, return_request
from returns.portal.draft_store import draft_is_fresh, return_draft_create, return_draft_update
from returns.states import CLAIM_PROGRESS, PROGRESS
from returns.services.workflow import FINAL_STATUS
from returns.tokens import read_return_token, return_token

SESSION_KEY = "returns_drafts"


# --- Entry points ------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def start(request):
    """Order number + email or postal code. Same selector and failure counters as the tracking page's
    lookup, so a wrong answer and an unknown order look alike and share one rate limit."""
    slug = request.GET.get("shop", "")[:50]
    merchant = merchant_for_lookup(slug or None)
    form = LookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        number = str(request.POST.get("number", ""))[:64]
        keys = ratelimit.lookup_keys(ip=ratelimit.client_ip(request), number=number)
        if ratelimit.is_blocked(keys):
            form.add_error(None, _("Too many attempts. Please wait 15 minutes and try again."))
            status = 429
        elif form.is_valid():
            orders = orders_matching(number=form.cleaned_data["number"], secret=form.cleaned_data["answer"],
                                     merchant=merchant)
            if len(orders) == 1:
                return _begin(request, orders[0])
            # Unknown, wrong answer, or the same number+email at two stores: ask for the store's own link.
            if not orders:
                ratelimit.record_failure(keys)
            form.add_error(None, _("We couldn't find an order with those details. Check the order number and "
                                   "the email or postal code."))
            status = 400
        else:
            status = 400
    return render(request, "returns/start.html", {"form": form, "merchant": merchant}, status=status)


def order_link(request, token):
    """Start a return from the signed order link (the tracking page and emails use the same token)."""
    try:
        payload = read_token("order", token, max_age=settings.DOORSTEP_LINK_MAX_AGE)
    except ExpiredToken:
        messages.info(request, _("This link has expired. Please enter your order details again."))
        return redirect("returns:start")
    except BadToken:
        raise Http404 from None
    order = get_object_or_404(Order.objects.select_related("merchant"), pk=payload.get("o"))
    return _begin(request, order)


def _begin(request, order: Order):
    draft = return_draft_create(order=order)
    keys = request.session.get(SESSION_KEY, [])[-9:] + [draft.key]
    request.session[SESSION_KEY] = keys
    return redirect("returns:items", key=draft.key)


def _draft(request, key) -> ReturnDraft:
    if key not in request.session.get(SESSION_KEY, []):
        raise Http404
    draft = ReturnDraft.objects.select_related("order__merchant", "order__customer").filter(key=key).first()
    if draft is None:
        raise Http404
    return draft


def _guard(request, draft):
    """Redirect away from a draft that was already submitted or is too old; None when it is usable."""
    if draft.submitted_return_id:
        return redirect("returns:detail", token=return_token(draft.submitted_return_id))
    if not draft_is_fresh(draft):
        messages.info(request, _("This return was started too long ago. Please start again."))
        return redirect("returns:start")
    return None


def _context(draft, state, step, **extra):
    return {"merchant": draft.merchant, "order": draft.order, "draft": draft, "state": state, "step": step,
            "steps": [_("Items"), _("Details"), _("Method"), _("Summary")], **extra}


# --- Steps -------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def items(request, key):
    draft = _draft(request, key)
    if (response := _guard(request, draft)) is not None:
        return response
    state = draft_state(draft, return_policy_ensure(merchant=draft.merchant))
    initial = {f"qty_{k}": v for k, v in state.chosen.items()}
    form = ItemsForm(request.POST or None, initial=initial, line_views=state.line_views)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["chosen"]
        if sum(chosen.values()) > state.rules.max_items_per_return:
            form.add_error(None, _("You can return at most %(n)s items at once.") % {
                "n": state.rules.max_items_per_return})
        else:
            return_draft_update(draft=draft, lines={str(k): v for k, v in chosen.items()})
            return redirect("returns:details", key=key)
    rows = [(view, form[f"qty_{view.line.pk}"] if f"qty_{view.line.pk}" in form.fields else None)
            for view in state.line_views]
    status = 400 if request.method == "POST" else 200
    return render(request, "returns/items.html", _context(draft, state, 1, form=form, rows=rows,
                                                          tracking_url=_tracking_url(draft)), status=status)


@require_http_methods(["GET", "POST"])
def details(request, key):
    draft = _draft(request, key)
    if (response := _guard(request, draft)) is not None:
        return response
    state = draft_state(draft, return_policy_ensure(merchant=draft.merchant))
    if not state.chosen:
        return redirect("returns:items", key=key)
    reasons = list(state.policy.reasons.filter(is_active=True))
    initial = {"reason": state.data.get("reason"), "comment": state.data.get("comment", ""),
               "resolution": state.data.get("resolution"),
               "difference_as_credit": state.data.get("difference_as_credit", False),
               **{f"exchange_{k}": str(v) for k, v in state.exchange.items()}}
    form = DetailsForm(request.POST or None, request.FILES or None, initial=initial, reasons=reasons,
                       resolutions=state.resolutions(), exchange_lines=state.exchange_lines())
    if request.method == "POST":
        for upload in request.FILES.getlist("photos"):
            try:
                return_photo_store(draft=draft, upload=upload)
            except PhotoRejected as exc:
                form.add_error("photos", f"{upload.name[:80]}: {exc}")
        if form.is_valid():
            data = form.cleaned_data
            if data["reason"] in form.photo_reasons and not draft.photos.exists():
                form.add_error("photos", _("Please add at least one photo for this reason."))
            else:
                return_draft_update(
                    draft=draft, reason=data["reason"], comment=data["comment"], resolution=data["resolution"],
                    difference_as_credit=bool(data.get("difference_as_credit")),
                    exchange={name[9:]: int(data[name]) for name in form.exchange_fields if data.get(name)}
                    if data["resolution"] == Resolution.EXCHANGE else {},
                )
                return redirect("returns:method", key=key)
    status = 400 if request.method == "POST" else 200
    return render(request, "returns/details.html", _context(
        draft, state, 2, form=form, photo_count=draft.photos.count(),
        photo_reasons=sorted(form.photo_reasons)), status=status)


@require_http_methods(["GET", "POST"])
def method(request, key):
    draft = _draft(request, key)
    if (response := _guard(request, draft)) is not None:
        return response
    state = draft_state(draft, return_policy_ensure(merchant=draft.merchant))
    if not state.data.get("reason"):
        return redirect("returns:details", key=key)
    methods = state.methods()
    # Pickup days start from the merchant's today (its carrier works in its zone), not the server's.
    days = pickup_dates(timezone.localdate(timezone=merchant_zone(draft.merchant)))
    form = MethodForm(request.POST or None, initial={"method": state.data.get("method") or (
        methods[0].method if methods else None), "pickup_date": state.data.get("pickup_date")},
        methods=methods, pickup_days=days)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["method"]
        return_draft_update(draft=draft, method=chosen,
                            pickup_date=form.cleaned_data["pickup_date"] if chosen == ReturnMethod.PICKUP else "")
        return redirect("returns:summary", key=key)
    try:
        quote = state.quote()
    except engine.QuoteError as exc:
        messages.error(request, str(exc))
        return redirect("returns:items", key=key)
    rows = [(option, form["method"][i]) for i, option in enumerate(methods)]
    status = 400 if request.method == "POST" else 200
    return render(request, "returns/method.html", _context(
        draft, state, 3, form=form, rows=rows, quote=quote), status=status)


@require_http_methods(["GET", "POST"])
def summary(request, key):
    draft = _draft(request, key)
    if (response := _guard(request, draft)) is not None:
        return response
    state = draft_state(draft, return_policy_ensure(merchant=draft.merchant))
    if not state.data.get("method"):
        return redirect("returns:method", key=key)
    try:
        quote = state.quote()
    except engine.QuoteError as exc:
        messages.error(request, str(exc))
        return redirect("returns:items", key=key)
    form = ConfirmForm(request.POST or None, initial={"token": draft.key})
    # A refund of a bank-transfer payment (virtual account) is paid to an account the shopper names.
    account_form = None
    refunding = state.data.get("resolution") in (Resolution.REFUND, Resolution.EXCHANGE)
    if refunding and needs_refund_account(draft.order):
        account_form = RefundAccountForm(request.POST or None)
    if request.method == "POST":
        account_ok = account_form is None or account_form.is_valid()
        if form.is_valid() and form.cleaned_data["token"] == draft.key and not account_ok:
            pass  # the account form shows its own errors
        elif form.is_valid() and form.cleaned_data["token"] == draft.key:
            try:
                rr, _created = return_request(
                    order=draft.order,
                    lines=[RequestedLine(line_id, qty, state.exchange.get(line_id))
                           for line_id, qty in state.chosen.items()],
                    reason_code=state.data["reason"], resolution=state.data["resolution"],
                    method=state.data["method"], pickup_date=state.pickup_date(),
                    comment=state.data.get("comment", ""), photos=list(draft.photos.all()),
                    difference_as_credit=state.data.get("difference_as_credit", False),
                    idempotency_key=draft.key, locale=get_language() or "",
                )
            except ReturnError as exc:
                form.add_error(None, exc.message)
            else:
                ReturnDraft.objects.filter(pk=draft.pk).update(submitted_return=rr)
                if account_form is not None:
                    data = account_form.cleaned_data
                    refund_account_store(rr=rr, bank=data["refund_bank"],
                                         account_number=data["refund_account_number"],
                                         holder_name=data["refund_holder_name"])
                return redirect("returns:detail", token=return_token(rr.pk))
        else:
            form.add_error(None, _("This form has expired; please start again."))
    lines = [(line, state.chosen[line.pk]) for line in state.chosen_lines]
    reason = state.policy.reasons.filter(code=state.data.get("reason")).first()
    methods = {m.method: m for m in state.methods()}
    status = 400 if request.method == "POST" else 200
    return render(request, "returns/summary.html", _context(
        draft, state, 4, form=form, account_form=account_form, quote=quote, lines=lines, reason=reason,
        fees=fee_total(quote),
        method=methods.get(state.data["method"]), pickup_date=state.pickup_date(),
        resolution=Resolution(state.data["resolution"]).label), status=status)


# --- The return's own page ---------------------------------------------------------------------------
def return_from_token(token) -> ReturnRequest:
    """The return a signed link points to; BadToken (→ 404) / ExpiredToken propagate."""
    return_id = read_return_token(token)
    return get_object_or_404(ReturnRequest.objects.select_related("merchant", "order", "shipment"), pk=return_id)


def _status_label(rr: ReturnRequest, status: str) -> str:
    """A claim's replacement is sent, not exchanged: nothing came back."""
    if rr.is_claim and status == ReturnStatus.EXCHANGED:
        return _("Replacement sent")
    return str(ReturnStatus(status).label)


def _tracking_url(rr: ReturnRequest) -> str:
    from tracking.tokens import make_token

    return reverse("tracking:order_link", args=[make_token("order", {"o": rr.order_id})])


def detail(request, token):
    try:
        rr = return_from_token(token)
    except ExpiredToken:
        messages.info(request, _("This link has expired. Please enter your order details again."))
        return redirect("returns:start")
    except BadToken:
        raise Http404 from None
    policy = return_policy_ensure(merchant=rr.merchant)
    final = FINAL_STATUS[rr.resolution]
    path = (list(CLAIM_PROGRESS) if rr.is_claim else list(PROGRESS)) + [final]
    reached = {e.to_status for e in rr.events.all()}
    steps = [{"label": _status_label(rr, s), "done": s in reached, "current": s == rr.status} for s in path]
    context = {
        "merchant": rr.merchant, "rr": rr, "token": token, "steps": steps,
        "stopped": rr.status in (ReturnStatus.REJECTED, ReturnStatus.CLOSED),
        "lines": rr.lines.select_related("order_line", "exchange_variant"),
        "photos": rr.photos.all(),
        "events": [e for e in rr.events.all() if e.from_status != e.to_status],
        "arrives_by": expected_refund_date(rr, policy),
        "label_url": reverse("returns:label", args=[token]) if rr.label_file else "",
        "credit_total": rr.refund_amount + rr.credit_bonus,
        "exchange_order": rr.exchange_order,
        "claim_type_label": claim_type_label(rr.claim_type) if rr.is_claim else "",
        "status_label": _status_label(rr, rr.status),
        "tracking_url": _tracking_url(rr),
    }
    return render(request, "returns/detail.html", context)

"""Staff belong to merchants: walk EVERY registered admin URL as a Support lead of merchant A while
merchant B owns one row of every model, and fail on any trace of B — its name, slug, any row's text,
any of its ids, or a count that includes its rows. The same walk as a superuser sees both.

Merchant B's rows carry MARKER in every text they have and ids from B_IDS, a range nothing else uses,
so a leak shows up as a plain text match in whatever the admin renders (HTML, JSON or CSV)."""
from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import uuid
from decimal import Decimal
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from feedback import models as fm
from returns import models as rm
from tests.factories import MerchantFactory
from tracking import models as tm
from tracking.carriers import status as st
from tracking.staff.mixins import InstallWideAdminMixin, MerchantScopedAdminMixin
from tracking.staff.roles import SUPPORT_AGENT, SUPPORT_LEAD
from tracking.staff.scoping import merchant_id_of, merchant_path

pytestmark = pytest.mark.django_db

MARKER = "zqxforeign"
B_IDS = 987650000  # merchant B's rows get ids 987650001, 987650002, … (nothing else reaches that range)
LEAK = re.compile(rf"{MARKER}|\b98765\d{{4}}\b", re.IGNORECASE)
# The views every ModelAdmin has; anything else an admin adds is a custom view, walked by name below.
STANDARD_VIEWS = ("changelist", "add", "history", "delete", "change")


# --- data: one row of every admin-registered model for a merchant ------------------------------------------

class Rows:
    """Creates rows for one merchant; with ``explicit_ids`` each row gets the next id of B's range."""

    def __init__(self, explicit_ids: bool):
        self.ids = itertools.count(B_IDS + 1) if explicit_ids else None
        self.made: dict[type, list] = {}

    def __call__(self, model, **fields):
        if self.ids is None:
            obj = model.objects.create(**fields)
        else:  # bulk_create: some append-only models refuse save() on a row that already has its id
            obj = model(id=next(self.ids), **fields)
            model.objects.bulk_create([obj])
        self.made.setdefault(model, []).append(obj)
        return obj

    def pks(self, model) -> list:
        concrete = model._meta.concrete_model
        return [obj.pk for obj in self.made.get(concrete, [])]


def _report(carrier):
    summary = {"inside": 0.9, "late": 0.05, "early": 0.05, "mae_days": 0.5, "median_width": 2, "n": 10}
    return {"overall": {"model": summary, "baseline": summary}, "split_day": "2026-01-01", "train_shipments": 7,
            "test_shipments": 3, "validation_shipments": 2, "validation": {"inside": 0.9, "mean_width": 2.0},
            "chosen": {"q_low": 0.1, "q_high": 0.9, "half_life_days": 30, "min_samples": 5}, "refit_days": 7,
            "by_carrier": {"model": {carrier: summary}, "baseline": {carrier: summary}},
            "by_lane": {"model": {}, "baseline": {}}}


def _file(path: str) -> str:
    return default_storage.save(path, ContentFile(b"%PDF-1.4 private bytes"))


def populate(make: Rows, merchant, tag: str, staff) -> dict:
    """At least one row of every model registered in the admin, for ``merchant``; every text carries ``tag``."""
    now = timezone.now()
    today = timezone.localdate()
    up = tag.upper()
    customer = make(tm.Customer, merchant=merchant, email=f"{tag}-shopper@{tag}.example.com", name=f"{up} Shopper",
                    external_id=f"{tag}-cust")
    product = make(tm.Product, merchant=merchant, external_id=f"{tag}-prod", title=f"{up} Linen shirt",
                   category=f"{tag}-apparel")
    variant = make(tm.ProductVariant, merchant=merchant, product=product, sku=f"{up}-SKU-1", title=f"{up} M",
                   price=Decimal("25000"), currency="KRW", stock=5)
    order = make(tm.Order, merchant=merchant, customer=customer, number=f"{up}-1001",
                 placed_at=now - dt.timedelta(days=5), currency="KRW", subtotal=Decimal("50000"),
                 total=Decimal("50000"), ship_name=f"{up} Shopper", ship_line1=f"1 {up}-ro", ship_city="Seoul",
                 ship_postal_code="04524", ship_country="KR", payment_gateway="mock", payment_reference=f"pi_{tag}")
    line = make(tm.OrderLine, order=order, variant=variant, sku=variant.sku, title=product.title, quantity=2,
                unit_price=Decimal("25000"))
    shipment = make(tm.Shipment, merchant=merchant, order=order, carrier=f"{tag}post", service_level="standard",
                    tracking_number=f"{up}0000000001", origin_postal_code="10881", origin_country="KR",
                    destination_postal_code="04524", destination_country="KR", status=st.DELIVERED,
                    delivered_at=now - dt.timedelta(days=1), last_event_at=now - dt.timedelta(days=1),
                    initial_window_start=today - dt.timedelta(days=3), initial_window_end=today,
                    initial_predicted_date=today - dt.timedelta(days=2))
    make(tm.ShipmentLine, shipment=shipment, order_line=line, quantity=2)
    make(tm.TrackingEvent, shipment=shipment, occurred_at=now - dt.timedelta(days=1), status=st.DELIVERED,
         carrier_code=f"{up}-DLV", carrier_text=f"{up} delivered", location=f"{up} depot",
         source=tm.TrackingEvent.Source.WEBHOOK, dedupe_key=f"{tag}:1")
    make(tm.ApiKey, merchant=merchant, name=f"{up} sync", prefix=f"{tag}_pfx", key_hash="0" * 64, created_by=staff)
    request = make(tm.DeliveryRequest, merchant=merchant, shipment=shipment, kind="instructions", route="support",
                   idempotency_key=f"{tag}-dr", instructions=f"{up} back door", assignee=staff)
    make(tm.DeliveryRequestEvent, request=request, actor_label=f"{tag}-shopper", to_status="open", note=f"{up} note")
    make(tm.MerchantShippingSettings, merchant=merchant, origin_postal_code="10881", default_carrier=f"{tag}post")
    make(tm.DelayCase, merchant=merchant, shipment=shipment, kind="delay_reason", reason="weather",
         carrier=f"{tag}post", promised_date=today, opened_at=now)
    account = make(tm.CarrierAccount, merchant=merchant, carrier="mock", label=f"{up} main", public_id=f"{tag}-acct")
    make(tm.InboundWebhook, account=account, merchant=merchant, public_id=account.public_id, verdict="accepted",
         body=f'{{"{tag}": 1}}'.encode(), provider_event_id=f"{tag}-evt", reason=f"{tag} ok")
    store = make(tm.StoreConnection, merchant=merchant, platform="shopify", shop=f"{tag}-shop.myshopify.com",
                 public_id=f"st_{tag}", last_error=f"{tag} last error")
    make(tm.StoreWebhookDelivery, connection=store, merchant=merchant, public_id=store.public_id, verdict="accepted",
         body=f'{{"{tag}": 1}}'.encode(), delivery_id=f"{tag}-dlv", outcome=f"{tag} ok", platform_topic="orders/create")
    make(tm.StoreObjectLink, connection=store, merchant=merchant, kind="order", external_id=f"{tag}-order",
         object_id=order.pk, note=f"{tag} note")
    make(tm.StorePrivacyRequest, connection=store, merchant=merchant, kind="customer.data_request",
         customer_email=f"{tag}-shopper@{tag}.example.com")
    make(tm.PendingEvent, merchant=merchant, carrier=f"{tag}post", tracking_number=f"{up}-ORPHAN-1",
         source=tm.TrackingEvent.Source.WEBHOOK, occurred_at=now, status=st.IN_TRANSIT, dedupe_key=f"{tag}:p1")
    make(tm.NotificationOptOut, customer=customer, category=tm.NotificationCategory.SHIPPING)
    make(tm.NotificationLog, merchant=merchant, customer=customer, order=order, kind="shipment_delivered",
         category=tm.NotificationCategory.SHIPPING, channel=tm.NotificationChannel.EMAIL, recipient=customer.email,
         dedupe_key=f"{tag}:n1", send_after=now)
    make(tm.ProductRecommendation, merchant=merchant, kind="category", category=f"{tag}-apparel",
         recommended_product=product, score=0.5, rank=1, model_version=f"{tag}-v1", trained_at=now)
    make(tm.RecommendationSettings, merchant=merchant)
    offer = make(tm.PostPurchaseOffer, merchant=merchant, headline=f"{up} thanks", code=f"{up}10")
    make(tm.OfferImpression, merchant=merchant, offer=offer, order=order)
    make(tm.RecommendationImpression, merchant=merchant, placement="tracking", order=order, customer=customer)
    make(tm.RecommendationClick, merchant=merchant, impression_id=uuid.uuid4(), placement="tracking",
         product=product, customer=customer)
    endpoint = make(tm.WebhookEndpoint, merchant=merchant, url=f"https://{tag}.example.com/hook", secret=f"{tag}-s",
                    description=f"{up} hook")
    delivery = make(tm.WebhookDelivery, merchant=merchant, endpoint=endpoint, event_id=f"{tag}-evt-1",
                    event_type=f"order.{tag}", body=f'{{"{tag}": true}}')
    make(tm.WebhookAttempt, delivery=delivery, number=1, started_at=now, response_excerpt=f"{tag} ok")
    make(tm.StaffMembership, user=staff, merchant=merchant, role=tm.StaffMembership.Role.LEAD)

    # Returns: one in each work queue, with lines, events, photos, a label, money and approvals.
    policy = make(rm.ReturnPolicy, merchant=merchant, warehouse_name=f"{up} warehouse")
    make(rm.ReturnReason, policy=policy, code=f"{tag}-reason", label=f"{up} reason")
    make(rm.CategoryRule, policy=policy, category=f"{tag}-apparel")
    returns = []
    for n, status in enumerate(("requested", "approved", "received", "inspected"), start=1):
        returns.append(make(
            rm.ReturnRequest, merchant=merchant, order=order, customer=customer, rma=f"{up[:6]}RMA{n}",
            idempotency_key=f"{tag}-k{n}", status=status, resolution="refund", method="drop_off",
            reason_code=f"{tag}-reason", reason_label=f"{up} reason", comment=f"{up} comment", currency="KRW",
            items_total=Decimal("25000"), refund_amount=Decimal("25000"), label_format="pdf",
            label_file=_file(f"returns/labels/{tag}-{n}.pdf")))
    rr = returns[-1]
    make(rm.ReturnLine, return_request=rr, order_line=line, quantity=1, unit_price=Decimal("25000"))
    make(rm.ReturnEvent, return_request=rr, from_status="received", to_status="inspected", actor="user", user=staff,
         note=f"{up} inspected")
    make(rm.ReturnPhoto, merchant=merchant, return_request=rr, key=f"{tag}photokey", width=1, height=1, size=1,
         file=_file(f"returns/photos/{tag}.jpg"))
    amount = Decimal("7777") if tag == MARKER else Decimal("1000")
    make(rm.RefundLedger, merchant=merchant, order=order, currency="KRW", paid_total=Decimal("50000"),
         refunded_total=amount)
    make(rm.Refund, merchant=merchant, order=order, return_request=rr, kind="payment", amount=amount, currency="KRW",
         idempotency_key=f"{tag}-refund", status="succeeded", gateway="mock", gateway_reference=f"{tag}-re",
         requested_by=staff.username, completed_at=now)
    credit = make(rm.StoreCreditAccount, merchant=merchant, customer=customer, code=f"SC-{up[:8]}", currency="KRW")
    make(rm.StoreCreditEntry, merchant=merchant, account=credit, kind="issued", amount=Decimal("500"), currency="KRW",
         idempotency_key=f"{tag}-credit", created_by=staff.username, note=f"{up} goodwill")
    make(rm.MoneyApproval, merchant=merchant, return_request=returns[2], kind="payment", amount=Decimal("8888"),
         currency="KRW", requested_by=staff, note=f"{up} please")

    # Feedback.
    survey = make(fm.Survey, merchant=merchant, order=order, customer=customer, status="sent",
                  scheduled_for=now - dt.timedelta(days=2), send_deadline=now + dt.timedelta(days=5),
                  sent_at=now - dt.timedelta(days=2), expires_at=now + dt.timedelta(days=30),
                  delivered_at=now - dt.timedelta(days=2), carrier=f"{tag}post", lane="KR→KR", on_time=True)
    make(fm.SurveyResponse, survey=survey, merchant=merchant, score=3, reason=f"{up} was late", source="email",
         answered_at=now - dt.timedelta(days=1))
    make(fm.SurveyAnswerLog, survey=survey, merchant=merchant, source="email", changes={"note": tag})
    case = make(fm.FollowUpCase, merchant=merchant, survey=survey, order=order, customer=customer, score=3,
                due_date=today + dt.timedelta(days=2), assignee=staff, notes=f"{up} notes")
    make(fm.FollowUpCaseLog, case=case, actor=staff, action="opened", changes={"note": tag})
    make(fm.SurveySettings, merchant=merchant, detractor_alert_email=f"alerts@{tag}.example.com")
    return {"order": order, "customer": customer, "shipment": shipment, "returns": returns,
            "photo": rr.photos.get(), "approval": rm.MoneyApproval.objects.get(merchant=merchant)}


@pytest.fixture
def _private_media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "private")}}}


@pytest.fixture
def tenants(_private_media):
    """A's rows first (ordinary ids), then B's (ids in B's range) and install-wide rows B's range too."""
    User = get_user_model()
    lead = User.objects.create_user("alpha-lead", password="pw-alpha-lead-1", is_staff=True)
    lead.groups.add(Group.objects.get(name=SUPPORT_LEAD))
    alpha = MerchantFactory(slug="alpha-market", name="Alpha Market")
    a_rows = Rows(explicit_ids=False)
    a = populate(a_rows, alpha, "alpha", lead)

    b_rows = Rows(explicit_ids=True)
    foreign = b_rows(tm.Merchant, slug=f"{MARKER}-market", name=f"{MARKER.title()} Market", currency="KRW",
                     timezone="Asia/Seoul", country="KR", support_email=f"help@{MARKER}.example.com")
    b_staff = User.objects.create_user(f"{MARKER}-agent", email=f"agent@{MARKER}.example.com", is_staff=True)
    b_staff.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    b = populate(b_rows, foreign, MARKER, b_staff)
    # Rows that belong to no merchant: only superusers see them.
    b_rows(tm.InboundWebhook, public_id=f"{MARKER}-unknown", verdict="unknown_account", reason=f"{MARKER} no account")
    b_rows(tm.LaneTransitStats, level="lane", carrier=f"{MARKER}pool", origin_zone="KR-10", destination_zone="KR-04",
           histogram={"2": 1.0}, sample_size=99, weight_total=1.0, weight_sq_total=1.0, p10=1, p50=2, p90=3,
           computed_at=timezone.now())
    b_rows(tm.EddBacktestRun, source=f"{MARKER}-history", shipments=10, report=_report(f"{MARKER}pool"))
    return {"A": alpha, "B": foreign, "lead": lead, "b_staff": b_staff, "a": a, "b": b, "a_rows": a_rows,
            "b_rows": b_rows}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def root(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-1234")


# --- the admin, as registered ------------------------------------------------------------------------------

def registered_admins():
    """(model, model_admin) for every model registered on the admin site (public API only)."""
    found = []
    for model in apps.get_models():
        if admin.site.is_registered(model):
            found.append((model, admin.site.get_model_admin(model)))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


def _name(model, view):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def _inline_classes(model_admin):
    return list(model_admin.inlines)


def test_every_admin_is_scoped_or_install_wide():
    """Every ModelAdmin and inline of a model that reaches a merchant uses MerchantScopedAdminMixin, with a
    path that really ends at Merchant; the others (users, pooled statistics) are superuser-only."""
    problems = []
    for model, model_admin in registered_admins():
        path = merchant_path(model)
        if path is None:
            if not isinstance(model_admin, InstallWideAdminMixin):
                problems.append(f"{model._meta.label}: no path to a merchant, so it must be InstallWideAdminMixin")
        elif not isinstance(model_admin, MerchantScopedAdminMixin):
            problems.append(f"{type(model_admin).__name__} ({model._meta.label}) lacks MerchantScopedAdminMixin")
        else:
            _check_path(model, model_admin.merchant_field, type(model_admin).__name__, problems)
        for inline in _inline_classes(model_admin):
            if merchant_path(inline.model) is None:
                continue
            if not issubclass(inline, MerchantScopedAdminMixin):
                problems.append(f"inline {inline.__name__} ({inline.model._meta.label}) lacks MerchantScopedAdminMixin")
            else:
                _check_path(inline.model, inline.merchant_field, inline.__name__, problems)
    assert not problems, "\n".join(problems)


def _check_path(model, path, where, problems):
    resolved = model
    try:
        if path not in ("pk", "id"):
            for hop in path.split("__"):
                resolved = resolved._meta.get_field(hop).related_model
    except (FieldDoesNotExist, AttributeError) as exc:
        problems.append(f"{where}: merchant_field {path!r} does not resolve ({exc})")
        return
    if resolved is None or resolved._meta.concrete_model is not tm.Merchant:
        problems.append(f"{where}: merchant_field {path!r} does not end at Merchant")


def test_the_fixture_covers_every_registered_model(tenants):
    """Merchant B owns at least one row of every registered tenant model, so the walk below means something."""
    missing = [model._meta.label for model, _ in registered_admins()
               if merchant_path(model) is not None and not _b_rows_of(model, tenants)]
    assert not missing


def _b_rows_of(model, tenants) -> list:
    """B's rows of ``model`` as the admin lists them (queues are filtered proxies of returns)."""
    if merchant_path(model) is None:
        return tenants["b_rows"].pks(model)
    return _rows_of(model, tenants, tenants["B"])


def _rows_of(model, tenants, merchant) -> list:
    model_admin = admin.site.get_model_admin(model)
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_active=True, is_staff=True)
    queryset = model_admin.get_queryset(request).filter(**{merchant_path(model): merchant.pk})
    return list(queryset.order_by("pk").values_list("pk", flat=True))


# --- the walk ----------------------------------------------------------------------------------------------

def _assert_clean(response, where, *, echo=()):
    """No trace of B in the response. ``echo``: values the request itself sent (a search term, a filter
    value, an initial id), which the page may repeat back in its form; any row they find shows more."""
    body = response.content.decode(errors="replace")
    for value in echo:
        once = {str(value), quote(str(value)), quote_plus(str(value))}
        twice = {quote(form) for form in once} | {quote_plus(form) for form in once}  # in _changelist_filters
        for form in sorted(once | twice | {html.escape(form) for form in once | twice}, key=len, reverse=True):
            body = body.replace(form, "")
    match = LEAK.search(body)
    assert match is None, f"{where} leaks merchant B: …{body[max(0, match.start() - 200):match.end() + 200]}…"


def _links(response) -> set[str]:
    """Every ``?…`` link of a changelist (filter choices, date hierarchy, facets, pages), sorting left out."""
    found = set()
    for href in re.findall(r'href="(\?[^"]*)"', response.content.decode()):
        query = html.unescape(href)
        params = dict(parse_qsl(query[1:], keep_blank_values=True))
        if set(params) <= {"o"}:
            continue
        found.add(query)
    return found


def _autocomplete_fields(model_admin, request):
    """(source model, field name) of every autocomplete widget on an admin's form and its inlines."""
    pairs = [(model_admin.model, name) for name in model_admin.get_autocomplete_fields(request)]
    for inline in model_admin.get_inline_instances(request):
        pairs += [(inline.model, name) for name in inline.get_autocomplete_fields(request)]
    return pairs


def _search_terms(tenants):
    b = tenants["b"]
    return [MARKER, tenants["B"].slug, b["order"].number, b["customer"].email, b["shipment"].tracking_number,
            b["returns"][0].rma, str(tenants["B"].pk)]


def _expected_count(model, model_admin, tenants, root_request, *, merchant):
    path = merchant_path(model)
    queryset = model_admin.get_queryset(root_request)
    return queryset.filter(**{path: merchant.pk}).count() if merchant is not None else queryset.count()


def _walk_changelist(client, model, model_admin, tenants, root_request, *, superuser):
    url = reverse(_name(model, "changelist"))
    response = client.get(url)
    scoped = merchant_path(model) is not None
    if not superuser and not scoped:
        assert response.status_code == 403, f"{url}: install-wide rows are for superusers"
        return 0
    assert response.status_code == 200, f"{url} -> {response.status_code}"
    visited = 1
    if superuser:
        return visited
    _assert_clean(response, url)
    cl = response.context.get("cl") if response.context else None
    if isinstance(cl, ChangeList):
        expected = _expected_count(model, model_admin, tenants, root_request, merchant=tenants["A"])
        counted = cl.root_queryset.count()  # what every count on the page is taken from
        assert counted == cl.result_count == expected, f"{url}: counts {counted} rows, A has {expected}"
        path = merchant_path(model)
        assert all(merchant_id_of(row, path) == tenants["A"].pk for row in cl.result_list), url
        # Every filter choice, date-hierarchy step, facet count and page, as linked from the page.
        for query in sorted(_links(response)):
            linked = client.get(url + query)
            visited += 1
            assert linked.status_code in (200, 302), f"{url}{query} -> {linked.status_code}"
            _assert_clean(linked, url + query)
        # Filter lookups pointed at B's objects ("?merchant__id__exact=<B>"): nothing, or Django's ?e=1.
        for spec in cl.filter_specs:
            lookup = getattr(spec, "lookup_kwarg", None)
            related = getattr(getattr(spec, "field", None), "related_model", None)
            if not lookup or related is None:
                continue
            for pk in tenants["b_rows"].pks(related)[:2] or [tenants["B"].pk]:
                response = client.get(url, {lookup: pk, "_facets": "True"})
                visited += 1
                assert response.status_code in (200, 302), f"{url}?{lookup}={pk}"
                _assert_clean(response, f"{url}?{lookup}={pk}", echo=[pk])
                if response.status_code == 200:
                    assert response.context["cl"].result_count == 0, f"{url}?{lookup}={pk}"
    if model_admin.search_fields:
        for term in _search_terms(tenants):
            response = client.get(url, {"q": term})
            visited += 1
            assert response.status_code == 200, f"{url}?q={term}"
            _assert_clean(response, f"{url}?q={term}", echo=[term])
            if isinstance(response.context.get("cl"), ChangeList) and not term.isdigit():
                assert response.context["cl"].result_count == 0, f"{url}?q={term} finds B's rows"
    return visited


def _walk_objects(client, model, model_admin, tenants, *, superuser):
    """Change, history and delete pages of B's rows: 404 for A's lead (never 403 or a redirect), as if the
    row did not exist. Install-wide rows are no merchant's: staff get a plain 403 on them."""
    visited = 0
    expected = 404 if merchant_path(model) is not None else 403
    if not superuser and merchant_path(model) is not None:
        # A's own rows: their forms offer choices (assignees, variants…) that must all be A's.
        for pk in _rows_of(model, tenants, tenants["A"])[:1]:
            for view in ("change", "history"):
                url = reverse(_name(model, view), args=[pk])
                response = client.get(url)
                visited += 1
                assert response.status_code in (200, 403), f"{url} -> {response.status_code}"
                _assert_clean(response, url)
    for pk in _b_rows_of(model, tenants):
        for view in ("change", "history", "delete"):
            url = reverse(_name(model, view), args=[pk])
            response = client.get(url)
            visited += 1
            if superuser:
                assert response.status_code in (200, 403), f"{url} -> {response.status_code}"
            else:
                assert response.status_code == expected, f"{url} -> {response.status_code}"
    return visited


def _walk_add_and_autocomplete(client, model, model_admin, tenants, *, superuser):
    visited = 0
    url = reverse(_name(model, "add"))
    response = client.get(url)
    visited += 1
    if response.status_code == 200 and not superuser:
        _assert_clean(response, url)
        # Initial values from the query string, pointed at B's rows: no widget may name them.
        initial = {}
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not None:
                pks = tenants["b_rows"].pks(field.related_model)
                if pks:
                    initial[field.name] = pks[0]
        if initial:
            response = client.get(f"{url}?{urlencode(initial)}")
            visited += 1
            assert response.status_code == 200, url
            _assert_clean(response, f"{url}?{urlencode(initial)}", echo=initial.values())
    request = RequestFactory().get("/")
    request.user = tenants["lead"]
    for source, field_name in _autocomplete_fields(model_admin, request):
        for term in ("", MARKER[:3], MARKER):
            response = client.get(reverse("admin:autocomplete"), {
                "app_label": source._meta.app_label, "model_name": source._meta.model_name,
                "field_name": field_name, "term": term})
            visited += 1
            assert response.status_code in (200, 403), f"autocomplete {source._meta.label}.{field_name}"
            if superuser:
                if term == MARKER and response.status_code == 200:
                    assert response.json()["results"], f"superuser finds B by autocomplete ({field_name})"
            else:
                assert response.status_code == 403 or not response.json()["results"] or term == "", field_name
                _assert_clean(response, f"autocomplete {source._meta.label}.{field_name} term={term!r}")
    return visited


def _custom_views(tenants):
    """Every admin view beyond the standard ones, as (url name, [(method, url, status for A's lead)]).
    A new custom view fails test_every_custom_admin_view_is_walked until it is added here."""
    A, B = tenants["A"], tenants["B"]
    b_return = tenants["b"]["returns"][0]
    period = {"start": (timezone.localdate() - dt.timedelta(days=30)).isoformat(),
              "end": timezone.localdate().isoformat()}
    reports = reverse("admin:returns_returnrequest_reports")
    accuracy = reverse("admin:tracking_edd_accuracy")
    metrics = reverse("admin:tracking_recommendation_metrics")
    dashboard = reverse("admin:feedback_dashboard_changelist")
    return {
        # Accounts are the superusers' business (tracking.staff.admin).
        "auth_user_password_change": [
            ("get", reverse("admin:auth_user_password_change", args=[tenants["b_staff"].pk]), 403)],
        "returns_returnrequest_do": [
            ("get", reverse("admin:returns_returnrequest_do", args=[b_return.pk, "approve"]), 404),
            ("post", reverse("admin:returns_returnrequest_do", args=[b_return.pk, "money"]), 404),
            ("post", reverse("admin:returns_returnrequest_do", args=[b_return.pk, "received"]), 404),
        ],
        "returns_returnrequest_inspect": [
            ("get", reverse("admin:returns_returnrequest_inspect", args=[tenants["b"]["returns"][2].pk]), 404)],
        "returns_returnrequest_reports": [
            ("get", reports, 200), ("get", f"{reports}?merchant={A.pk}&days=30", 200),
            ("get", f"{reports}?merchant={B.pk}", 404)],
        "tracking_edd_accuracy": [
            ("get", accuracy, 200), ("get", f"{accuracy}?merchant={A.pk}", 200),
            ("get", f"{accuracy}?merchant={B.pk}", 404)],
        "tracking_recommendation_metrics": [
            ("get", metrics, 200), ("get", f"{metrics}?merchant={A.pk}", 200),
            ("get", f"{metrics}?merchant={B.pk}", 404)],
        # The dashboard is its admin's changelist; its CSV exports are the same URL with ?export=.
        "feedback_dashboard_changelist": [
            ("get", dashboard, 200), ("get", f"{dashboard}?{urlencode({'merchant': A.pk, **period})}", 200),
            ("get", f"{dashboard}?{urlencode({'merchant': B.pk, **period})}", 404),
            ("get", f"{dashboard}?{urlencode({'merchant': B.pk, **period, 'export': 'comments'})}", 404),
        ] + [("get", f"{dashboard}?{urlencode({'merchant': A.pk, **period, 'export': table})}", 200)
             for table in _dashboard_tables(A)],
    }


def _dashboard_tables(merchant):
    from feedback.dashboard import data as dashboard

    today = timezone.localdate()
    start, end = dashboard.period_bounds(merchant, today - dt.timedelta(days=30), today)
    return sorted(dashboard.build(merchant, start, end).tables)


def _custom_url_names():
    names = set()
    for model, model_admin in registered_admins():
        standard = {f"{model._meta.app_label}_{model._meta.model_name}_{view}" for view in STANDARD_VIEWS}
        for pattern in model_admin.get_urls():
            if pattern.name and pattern.name not in standard:
                names.add(pattern.name)
    return names


def test_every_custom_admin_view_is_walked(tenants):
    walked = set(_custom_views(tenants)) - {"feedback_dashboard_changelist"}
    assert _custom_url_names() == walked


def test_walk_as_a_lead_of_merchant_a_shows_nothing_of_merchant_b(tenants, root):
    client = _client(tenants["lead"])
    root_request = RequestFactory().get("/")
    root_request.user = root
    visited = 0
    for model, model_admin in registered_admins():
        visited += _walk_changelist(client, model, model_admin, tenants, root_request, superuser=False)
        visited += _walk_objects(client, model, model_admin, tenants, superuser=False)
        visited += _walk_add_and_autocomplete(client, model, model_admin, tenants, superuser=False)
    for requests in _custom_views(tenants).values():
        for method, url, status in requests:
            response = getattr(client, method)(url)
            visited += 1
            assert response.status_code == status, f"{method.upper()} {url} -> {response.status_code}"
            _assert_clean(response, url)
    for url in (reverse("admin:index"), reverse("admin:app_list", args=["tracking"]),
                reverse("admin:app_list", args=["returns"]), reverse("admin:app_list", args=["feedback"])):
        response = client.get(url)
        visited += 1
        assert response.status_code == 200
        _assert_clean(response, url)
    # A's own pages do work (the walk is not vacuous).
    a_return = tenants["a"]["returns"][0]
    assert client.get(reverse("admin:returns_returnrequest_change", args=[a_return.pk])).status_code == 200
    assert client.get(reverse("admin:tracking_order_change", args=[tenants["a"]["order"].pk])).status_code == 200
    assert visited > 300


def test_walk_as_a_superuser_sees_both_merchants(tenants, root):
    client = _client(root)
    root_request = RequestFactory().get("/")
    root_request.user = root
    for model, model_admin in registered_admins():
        _walk_changelist(client, model, model_admin, tenants, root_request, superuser=True)
        _walk_objects(client, model, model_admin, tenants, superuser=True)
        _walk_add_and_autocomplete(client, model, model_admin, tenants, superuser=True)
        if merchant_path(model) is None or model is fm.Dashboard:
            continue
        response = client.get(reverse(_name(model, "changelist")))
        cl = response.context["cl"]
        expected_a = _expected_count(model, model_admin, tenants, root_request, merchant=tenants["A"])
        expected_b = _expected_count(model, model_admin, tenants, root_request, merchant=tenants["B"])
        assert cl.root_queryset.count() >= expected_a + expected_b > expected_a, model._meta.label
    B = tenants["B"]
    for url in (f"{reverse('admin:returns_returnrequest_reports')}?merchant={B.pk}",
                f"{reverse('admin:tracking_edd_accuracy')}?merchant={B.pk}",
                f"{reverse('admin:tracking_recommendation_metrics')}?merchant={B.pk}"):
        response = client.get(url)
        assert response.status_code == 200 and MARKER in response.content.decode().lower(), url
    photo = tenants["b"]["photo"]
    assert client.get(reverse("returns:staff_photo", args=[photo.key])).status_code == 200


# --- writes, actions and files -----------------------------------------------------------------------------

def test_a_lead_cannot_write_rows_for_another_merchant(tenants):
    client = _client(tenants["lead"])
    B = tenants["B"]
    response = client.post(reverse("admin:tracking_customer_add"), {"merchant": B.pk, "email": "new@x.example.com"})
    assert response.status_code == 200 and not tm.Customer.objects.filter(email="new@x.example.com").exists()
    assert "Select a valid choice" in response.content.decode()
    _assert_clean(response, "customer add with B")
    # Moving one of A's rows to B through its change form is refused the same way.
    settings_a = tm.MerchantShippingSettings.objects.get(merchant=tenants["A"])
    url = reverse("admin:tracking_merchantshippingsettings_change", args=[settings_a.pk])
    response = client.post(url, {"merchant": B.pk, "cutoff_hour": 14, "handling_days": 1,
                                 "default_carrier": "mock", "default_service_level": "standard"})
    settings_a.refresh_from_db()
    assert response.status_code == 200 and settings_a.merchant_id == tenants["A"].pk
    # Saving an order line on A's order with B's variant: the inline's choices are A's too.
    order = tenants["a"]["order"]
    line = order.lines.get()
    b_variant = tenants["b_rows"].pks(tm.ProductVariant)[0]
    data = {"merchant": tenants["A"].pk, "number": order.number, "customer": order.customer_id,
            "placed_at_0": order.placed_at.date().isoformat(), "placed_at_1": "10:00:00", "source": order.source,
            "currency": "KRW", "subtotal": "50000", "shipping_total": "0", "tax_total": "0", "discount_total": "0",
            "total": "50000", "ship_postal_code": "04524", "ship_country": "KR",
            "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 1, "lines-0-id": line.pk, "lines-0-order": order.pk,
            "lines-0-variant": b_variant, "lines-0-sku": line.sku, "lines-0-title": line.title,
            "lines-0-quantity": 1, "lines-0-unit_price": "25000",
            "shipments-TOTAL_FORMS": 0, "shipments-INITIAL_FORMS": 0}
    response = client.post(reverse("admin:tracking_order_change", args=[order.pk]), data)
    line.refresh_from_db()
    assert line.variant_id != b_variant
    _assert_clean(response, "order change with B's variant")


def _b_snapshot(tenants):
    snapshot = {}
    for model, objs in tenants["b_rows"].made.items():
        snapshot[model._meta.label] = sorted(
            (tuple(sorted((k, str(v)) for k, v in row.items())) for row in
             model._default_manager.filter(pk__in=[o.pk for o in objs]).values()), key=str)
    return snapshot


def test_admin_actions_on_b_ids_change_nothing(tenants, django_capture_on_commit_callbacks):
    client = _client(tenants["lead"])
    before = _b_snapshot(tenants)
    request = RequestFactory().get("/")
    request.user = tenants["lead"]
    fired = 0
    with django_capture_on_commit_callbacks(execute=True):
        for model, model_admin in registered_admins():
            b_pks = _b_rows_of(model, tenants)
            if not b_pks:
                continue
            for action in model_admin.get_actions(request):
                response = client.post(reverse(_name(model, "changelist")), {
                    "action": action, "_selected_action": b_pks, "apply": "1", "note": "hijack"})
                fired += 1
                assert response.status_code in (200, 302), f"{model._meta.label} {action}"
                _assert_clean(response, f"{model._meta.label} action {action}")
    assert fired >= 8
    assert _b_snapshot(tenants) == before


def test_private_files_only_for_members_of_the_returns_merchant(tenants, root):
    client = _client(tenants["lead"])
    a_photo, b_photo = tenants["a"]["photo"], tenants["b"]["photo"]
    assert client.get(reverse("returns:staff_photo", args=[a_photo.key])).status_code == 200
    assert client.get(reverse("returns:staff_photo", args=[b_photo.key])).status_code == 404
    assert client.get(reverse("returns:staff_photo", args=["no-such-key"])).status_code == 404
    a_return, b_return = tenants["a"]["returns"][0], tenants["b"]["returns"][0]
    assert client.get(reverse("returns:staff_label", args=[a_return.rma])).status_code == 200
    assert client.get(reverse("returns:staff_label", args=[b_return.rma])).status_code == 404
    # The change page links the label through the staff view, not a shopper's signed link.
    page = client.get(reverse("admin:returns_returnrequest_change", args=[a_return.pk])).content.decode()
    assert reverse("returns:staff_label", args=[a_return.rma]) in page
    root_client = _client(root)
    assert root_client.get(reverse("returns:staff_label", args=[b_return.rma])).status_code == 200


def test_staff_without_a_membership_see_no_rows(tenants):
    User = get_user_model()
    loner = User.objects.create_user("loner", is_staff=True)
    loner.groups.add(Group.objects.get(name=SUPPORT_LEAD))
    client = _client(loner)
    for name in ("tracking_order", "returns_returnrequest", "tracking_merchant", "feedback_surveyresponse"):
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200 and response.context["cl"].full_result_count == 0, name
    assert client.get(reverse("admin:tracking_order_change", args=[tenants["a"]["order"].pk])).status_code == 404
    photo = tenants["a"]["photo"]
    assert client.get(reverse("returns:staff_photo", args=[photo.key])).status_code == 404


def test_a_member_of_both_merchants_sees_both(tenants):
    User = get_user_model()
    both = User.objects.create_user("both", is_staff=True)
    both.groups.add(Group.objects.get(name=SUPPORT_AGENT))
    for merchant in (tenants["A"], tenants["B"]):
        tm.StaffMembership.objects.create(user=both, merchant=merchant)
    response = _client(both).get(reverse("admin:tracking_order_changelist"))
    assert response.context["cl"].full_result_count == 2


def test_leads_cannot_grant_memberships_and_agents_see_no_money_permissions(tenants):
    lead_group = Group.objects.get(name=SUPPORT_LEAD)
    codenames = set(lead_group.permissions.values_list("codename", flat=True))
    assert {"issue_refund", "issue_store_credit", "approve_claim", "view_staffmembership"} <= codenames
    assert not {"add_staffmembership", "change_staffmembership", "delete_staffmembership"} & codenames
    agent_codenames = set(Group.objects.get(name=SUPPORT_AGENT).permissions.values_list("codename", flat=True))
    assert not {"issue_refund", "issue_store_credit", "approve_claim"} & agent_codenames
    client = _client(tenants["lead"])
    assert client.get(reverse("admin:tracking_staffmembership_add")).status_code == 403
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_unknown_and_foreign_ids_get_the_same_404(tenants):
    client = _client(tenants["lead"])
    foreign = client.get(reverse("admin:tracking_order_change", args=[tenants["b"]["order"].pk]))
    unknown = client.get(reverse("admin:tracking_order_change", args=[123456789]))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.content == unknown.content


def test_selectors(tenants, root):
    from tracking.staff.selectors import is_member, merchant_ids_for

    A, B, lead = tenants["A"], tenants["B"], tenants["lead"]
    assert merchant_ids_for(lead) == frozenset({A.pk})
    assert is_member(lead, A.pk) and not is_member(lead, B.pk)
    assert merchant_ids_for(root) is None and is_member(root, B.pk)
    lead.is_active = False
    assert merchant_ids_for(lead) == frozenset()
    from django.contrib.auth.models import AnonymousUser

    assert merchant_ids_for(AnonymousUser()) == frozenset()


def test_merchant_paths_are_found_by_following_foreign_keys():
    assert merchant_path(tm.Merchant) == "pk"
    assert merchant_path(tm.Order) == "merchant"
    assert merchant_path(tm.TrackingEvent) == "shipment__merchant"
    assert merchant_path(tm.NotificationOptOut) == "customer__merchant"
    assert merchant_path(rm.ReturnLine) == "return_request__merchant"
    assert merchant_path(fm.FollowUpCaseLog) == "case__merchant"
    assert merchant_path(tm.LaneTransitStats) is None and merchant_path(get_user_model()) is None

"""Admin workflow, access to private files, reports, the merchant API and outgoing webhooks."""
from decimal import Decimal

import pytest
from django.urls import reverse

from returns.models import ReturnPhoto, ReturnRequest, ReturnStatus
from returns.reports import return_report
from returns.services import LineInspection, return_inspect, return_mark_received, store_credit_account
from returns.tokens import return_token
from tests.factories import MerchantFactory
from tests.support.api import KeyClient
from tracking.models import StaffMembership, WebhookDelivery, WebhookEndpoint
from tracking.webhooks_out.signing import secret_generate

from tests.support.returns import ask, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def manual(policy):
    policy.auto_approve = False
    policy.save()
    return policy


def test_queues_list_the_right_returns(client, admin_user, order, manual):
    rr = ask(order)
    client.force_login(admin_user)
    assert rr.rma in client.get(reverse("admin:returns_needsreview_changelist")).content.decode()
    assert rr.rma not in client.get(reverse("admin:returns_toinspect_changelist")).content.decode()
    assert rr.rma in client.get(reverse("admin:returns_returnrequest_changelist") + "?queue=review").content.decode()


def test_bulk_reject_needs_a_reason_through_intermediate_form(client, admin_user, merchant, manual):
    returns = [ask(make_order(merchant), key=f"k{i}") for i in range(2)]
    client.force_login(admin_user)
    url = reverse("admin:returns_returnrequest_changelist")
    ids = [str(r.pk) for r in returns]
    form = client.post(url, {"action": "reject_selected", "_selected_action": ids})
    assert form.status_code == 200 and b"Reject returns" in form.content
    client.post(url, {"action": "reject_selected", "_selected_action": ids, "apply": "1", "note": ""})
    assert ReturnRequest.objects.filter(status=ReturnStatus.REJECTED).count() == 0
    client.post(url, {"action": "reject_selected", "_selected_action": ids, "apply": "1", "note": "Worn items"})
    assert ReturnRequest.objects.filter(status=ReturnStatus.REJECTED, rejection_reason="Worn items").count() == 2


def test_bulk_approve_reports_invalid_transitions(client, admin_user, merchant, manual):
    fresh = ask(make_order(merchant), key="a")
    done = ask(make_order(merchant), key="b")
    ReturnRequest.objects.filter(pk=done.pk).update(status=ReturnStatus.CLOSED)
    client.force_login(admin_user)
    url = reverse("admin:returns_returnrequest_changelist")
    response = client.post(url, {"action": "approve_selected", "_selected_action": [fresh.pk, done.pk],
                                 "apply": "1", "note": ""}, follow=True)
    fresh.refresh_from_db()
    assert fresh.status == ReturnStatus.APPROVED and fresh.shipment_id
    assert "cannot go from closed to approved" in response.content.decode()


def test_agent_can_work_the_queue(client, order, manual, support_agent):
    StaffMembership.objects.create(user=support_agent, merchant=order.merchant)
    rr = ask(order)
    client.force_login(support_agent)
    assert client.get(reverse("admin:returns_needsreview_changelist")).status_code == 200
    client.post(reverse("admin:returns_returnrequest_do", args=[rr.pk, "approve"]), {"apply": "1", "note": "ok"})
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.APPROVED
    assert rr.events.last().user == support_agent


def test_inspect_view_and_change_page(client, admin_user, order):
    rr = ask(order)
    return_mark_received(rr=rr, by=admin_user)
    client.force_login(admin_user)
    url = reverse("admin:returns_returnrequest_inspect", args=[rr.pk])
    lines = list(rr.lines.all())
    data = {"form-TOTAL_FORMS": len(lines), "form-INITIAL_FORMS": len(lines)}
    for i, line in enumerate(lines):
        data.update({f"form-{i}-line_id": line.pk, f"form-{i}-result": "accepted", f"form-{i}-condition": "new"})
    assert client.post(url, data).status_code == 302
    rr.refresh_from_db()
    # Inspected; the refund is recorded and goes to the gateway after commit (a task).
    assert rr.status == ReturnStatus.INSPECTED and rr.refunds.get().status == "pending"
    page = client.get(reverse("admin:returns_returnrequest_change", args=[rr.pk])).content.decode()
    assert "return rate" in page.lower() and "audit trail" in page.lower()


def _photo(rr, tmp_text=b"\xff\xd8\xff fake stored bytes"):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("returns/photos/test.jpg", ContentFile(tmp_text))
    return ReturnPhoto.objects.create(merchant=rr.merchant, return_request=rr, file=name, width=1, height=1, size=1)


def test_photos_only_for_staff_and_the_token_holder(client, admin_user, order, django_user_model):
    rr = ask(order)
    photo = _photo(rr)
    other_rr = ask(make_order(order.merchant), key="other")
    staff_url = reverse("returns:staff_photo", args=[photo.key])
    assert client.get(staff_url).status_code == 302  # to the admin login
    shopper = django_user_model.objects.create_user("shopper", password="x-long-password-1")
    client.force_login(shopper)
    assert client.get(staff_url).status_code == 302  # not staff
    client.force_login(admin_user)
    response = client.get(staff_url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    client.logout()
    assert client.get(reverse("returns:photo", args=[return_token(rr.pk), photo.key])).status_code == 200
    assert client.get(reverse("returns:photo", args=[return_token(other_rr.pk), photo.key])).status_code == 404
    assert client.get(reverse("returns:photo", args=["forged", photo.key])).status_code == 404


def test_reports_aggregate(client, admin_user, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rr = ask(order, resolution="store_credit")
        return_mark_received(rr=rr, by=admin_user)
        return_inspect(rr=rr, by=admin_user, results=[LineInspection(line.pk, "accepted") for line in rr.lines.all()])
    report = return_report(merchant_id=order.merchant_id)
    assert report["credited"] == Decimal("50000") and report["refunded"] == 0
    assert report["kept_share"] == Decimal("100.0")
    assert report["by_reason"][0]["return_request__reason_code"] == "changed_mind"
    assert report["by_category"][0]["rate"] == Decimal("100.0")
    assert report["resolved_count"] == 1 and report["avg_to_resolution"] is not None
    client.force_login(admin_user)
    page = client.get(reverse("admin:returns_returnrequest_reports") + f"?merchant={order.merchant_id}")
    assert page.status_code == 200 and b"Return rate by product" in page.content


def test_api_lists_only_own_returns_and_redeems_credit(order, other_merchant, admin_user):
    rr = ask(order, resolution="store_credit")
    ask(make_order(other_merchant), key="x")
    api = KeyClient(order.merchant)
    listed = api.get("/api/v1/returns/").json()
    assert [r["rma"] for r in listed["results"]] == [rr.rma]
    detail = api.get(f"/api/v1/returns/{rr.rma}/").json()
    assert detail["resolution"] == "store_credit" and len(detail["lines"]) == 2
    from returns.services import return_credit

    return_credit(rr=rr, by=admin_user)
    code = store_credit_account(customer=order.customer).code
    assert api.get(f"/api/v1/store-credit/{code}/").json()["balance"] == "55000.00"
    spend = api.post(f"/api/v1/store-credit/{code}/redeem/", {"amount": "5000", "reference": "web-9"},
                     format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert spend.status_code == 201 and spend.json()["balance"] == "50000.00"
    replay = api.post(f"/api/v1/store-credit/{code}/redeem/", {"amount": "5000", "reference": "web-9"},
                      format="json", HTTP_IDEMPOTENCY_KEY="r1")
    assert replay.json()["balance"] == "50000.00"
    too_much = api.post(f"/api/v1/store-credit/{code}/redeem/", {"amount": "999999", "reference": "web-10"},
                        format="json", HTTP_IDEMPOTENCY_KEY="r2")
    assert too_much.status_code == 409


def test_return_events_are_sent_as_webhooks(order, admin_user, django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(merchant=order.merchant, url="https://hooks.example.com/x",
                                   secret=secret_generate())
    rr = ask(order)  # auto-approved
    types = set(WebhookDelivery.objects.values_list("event_type", flat=True))
    assert {"return.requested", "return.approved"} <= types
    import json

    body = json.loads(WebhookDelivery.objects.filter(event_type="return.requested").first().body)
    assert body["data"]["return"]["rma"] == rr.rma

"""The claims queue in admin: only claims, only the lead's merchant, labels not codes; approving needs
returns.approve_claim and moves money under the same rules as a refund."""
from decimal import Decimal

import pytest
from django.urls import reverse

from returns.claims.services import ClaimedLine, claim_submit
from returns.models import Refund, ReturnStatus
from tests.support.claims import parcel_order, staff
from tests.support.returns import ask
from tracking.models import StaffMembership
from tracking.staff.roles import SUPPORT_AGENT, SUPPORT_LEAD

pytestmark = pytest.mark.django_db


def claim(order, shipment, key="c1"):
    rr, _ = claim_submit(order=order, shipment=shipment, claim_type="missing_items",
                         lines=[ClaimedLine(line.pk, line.quantity) for line in order.lines.all()],
                         resolution="refund", idempotency_key=key)
    return rr


def test_the_queue_lists_claims_with_labels_and_no_returns(client, merchant, other_merchant):
    order, shipment = parcel_order(merchant)
    mine = claim(order, shipment)
    a_return = ask(parcel_order(merchant)[0], key="a-return")
    other_order, other_shipment = parcel_order(other_merchant)
    theirs = claim(other_order, other_shipment, key="theirs")
    lead = staff("lead1", merchant, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD)
    client.force_login(lead)
    html = client.get(reverse("admin:returns_claim_changelist")).content.decode()
    assert mine.rma in html and theirs.rma not in html
    assert "Items missing from the parcel" in html and ">missing_items<" not in html
    assert a_return.rma not in html
    review = client.get(reverse("admin:returns_needsreview_changelist")).content.decode()
    assert mine.rma not in review


def test_a_lead_approves_from_the_claim_page_and_the_refund_goes(client, merchant,
                                                                 django_capture_on_commit_callbacks):
    order, shipment = parcel_order(merchant)
    rr = claim(order, shipment)
    lead = staff("lead1", merchant, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD, limit=Decimal(100000))
    client.force_login(lead)
    page = client.get(reverse("admin:returns_claim_change", args=[rr.pk])).content.decode()
    assert reverse("admin:returns_claim_do", args=[rr.pk, "approve"]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:returns_claim_do", args=[rr.pk, "approve"]),
                               {"apply": "1", "note": "Carrier confirmed"})
    assert response.status_code == 302
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REFUNDED and Refund.objects.get(return_request=rr).requested_by == "lead1"


def test_an_agent_cannot_approve_a_claim(client, merchant):
    order, shipment = parcel_order(merchant)
    rr = claim(order, shipment)
    agent = staff("agent1", merchant, group=SUPPORT_AGENT)
    client.force_login(agent)
    page = client.get(reverse("admin:returns_claim_change", args=[rr.pk])).content.decode()
    assert reverse("admin:returns_claim_do", args=[rr.pk, "approve"]) not in page
    response = client.post(reverse("admin:returns_claim_do", args=[rr.pk, "approve"]), {"apply": "1"})
    assert response.status_code == 403
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REQUESTED


def test_claims_stay_out_of_the_returns_report(merchant):
    from returns.reports import return_report

    order, shipment = parcel_order(merchant)
    claim(order, shipment)
    report = return_report(merchant_id=merchant.pk)
    assert all(row["returned"] == 0 for row in report["by_product"]) and report["by_reason"] == []

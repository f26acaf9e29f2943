"""Money moves only by permission: changing a return is not enough to refund it or credit it, and above
a member's limit a lead of the merchant (not the requester) approves before anything is sent."""
import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from returns.models import MoneyApproval, Refund, ReturnRequest, ReturnStatus, StoreCreditEntry
from returns.money.authority import MoneyNeedsApproval, MoneyNotPermitted
from returns.payments.mock import MockGateway
from returns.services import (
    RequestedLine,
    return_mark_received,
    return_policy_ensure,
    return_release_money,
    return_request,
)
from tests.factories import (
    MerchantFactory,
    OrderFactory,
    OrderLineFactory,
    ProductVariantFactory,
    ShipmentFactory,
    ShipmentLineFactory,
)
from tracking.carriers import status as st
from tracking.models import StaffMembership
from tracking.staff.roles import SUPPORT_AGENT, SUPPORT_LEAD

pytestmark = pytest.mark.django_db

MONEY = "admin:returns_returnrequest_do"


@pytest.fixture(autouse=True)
def _gateway():
    MockGateway.reset()
    yield
    MockGateway.reset()


@pytest.fixture
def shop(db):
    merchant = MerchantFactory(slug="moneyshop", name="Money Shop", currency="KRW", country="KR",
                               quiet_hours_start=datetime.time(0), quiet_hours_end=datetime.time(0))
    policy = return_policy_ensure(merchant=merchant)
    policy.auto_approve = False
    policy.save()
    return merchant


def _returned(merchant, *, resolution="refund", key="k1", total=Decimal("60400")):
    """A paid, delivered order and its return, received at the warehouse and waiting for the money."""
    order = OrderFactory(merchant=merchant, total=total, subtotal=total, payment_gateway="mock",
                         payment_reference="pi_test_1")
    variant = ProductVariantFactory(product__merchant=merchant, price=total, currency="KRW")
    line = OrderLineFactory(order=order, variant=variant, quantity=1, unit_price=total)
    delivered_at = timezone.now() - datetime.timedelta(days=2)
    shipment = ShipmentFactory(order=order, status=st.DELIVERED, delivered_at=delivered_at)
    ShipmentLineFactory(shipment=shipment, order_line=line, quantity=1)
    rr, _ = return_request(order=order, lines=[RequestedLine(line.pk, 1)], reason_code="changed_mind",
                           resolution=resolution, method="drop_off", idempotency_key=key)
    from returns.services import return_approve

    return_approve(rr=rr, by="system")
    return_mark_received(rr=rr, by="system")
    rr.refresh_from_db()
    return rr


def _staff(username, merchant, *, group, role=StaffMembership.Role.AGENT, limit=None):
    user = get_user_model().objects.create_user(username, password=f"pw-{username}-1", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    StaffMembership.objects.create(user=user, merchant=merchant, role=role, money_limit=limit)
    return user


@pytest.fixture
def agent(shop):
    return _staff("agent", shop, group=SUPPORT_AGENT)


@pytest.fixture
def lead(shop):
    return _staff("lead", shop, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_agent_who_can_change_a_return_cannot_refund_it(client, shop, agent, django_capture_on_commit_callbacks):
    rr = _returned(shop)
    assert agent.has_perm("returns.change_returnrequest") and not agent.has_perm("returns.issue_refund")
    client.force_login(agent)
    page = client.get(reverse("admin:returns_returnrequest_change", args=[rr.pk])).content.decode()
    assert "Inspect" in page and "Issue refund / credit" not in page  # no money button for agents
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(MONEY, args=[rr.pk, "money"]), follow=True)
    assert any("needs the “returns.issue_refund” permission" in text for text in _messages(response))
    assert not Refund.objects.exists() and MockGateway.issued() == []
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.RECEIVED
    # The bulk action is not offered to agents, and posting it anyway sends nothing.
    changelist = reverse("admin:returns_returnrequest_changelist")
    assert b"issue_money_selected" not in client.get(changelist).content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "issue_money_selected", "_selected_action": [rr.pk]})
    assert not Refund.objects.exists() and MockGateway.issued() == []


def test_an_agents_inspection_stands_and_the_money_waits(client, shop, agent, lead, django_capture_on_commit_callbacks):
    rr = _returned(shop)
    client.force_login(agent)
    line = rr.lines.get()
    data = {"form-TOTAL_FORMS": 1, "form-INITIAL_FORMS": 1, "form-0-line_id": line.pk, "form-0-result": "accepted",
            "form-0-condition": "new"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:returns_returnrequest_inspect", args=[rr.pk]), data, follow=True)
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.INSPECTED and not Refund.objects.exists()
    assert any("Inspection of" in text for text in _messages(response))
    assert any("needs the “returns.issue_refund” permission" in text for text in _messages(response))
    assert "Money held after inspection" in rr.events.last().note
    # It waits in the "to refund" queue, where a lead sends it.
    client.force_login(lead)
    assert rr.rma in client.get(reverse("admin:returns_torefund_changelist")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(MONEY, args=[rr.pk, "money"]))
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REFUNDED
    assert Refund.objects.get().requested_by == "lead" and len(MockGateway.issued()) == 1


def test_a_lead_refunds(client, shop, lead, django_capture_on_commit_callbacks):
    rr = _returned(shop)
    client.force_login(lead)
    page = client.get(reverse("admin:returns_returnrequest_change", args=[rr.pk])).content.decode()
    assert "Issue refund / credit" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:returns_returnrequest_changelist"),
                               {"action": "issue_money_selected", "_selected_action": [rr.pk]}, follow=True)
    assert any("Issued money for 1 return(s)." in text for text in _messages(response))
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED and refund.amount == Decimal("60400")


def test_above_the_limit_a_lead_must_approve(client, shop, lead, django_capture_on_commit_callbacks):
    rr = _returned(shop)
    limited = _staff("limited", shop, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD, limit=Decimal("19000"))
    client.force_login(limited)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(MONEY, args=[rr.pk, "money"]), follow=True)
    assert any("above your limit of 19000.00 KRW: it needs a lead's approval" in text for text in _messages(response))
    assert not Refund.objects.exists() and MockGateway.issued() == []
    approval = MoneyApproval.objects.get()
    assert (approval.status, approval.amount, approval.kind, approval.requested_by) == (
        MoneyApproval.Status.PENDING, Decimal("60400"), Refund.Kind.PAYMENT, limited)
    # Asking again does not queue a second request.
    client.post(reverse(MONEY, args=[rr.pk, "money"]))
    assert MoneyApproval.objects.count() == 1

    # The requester cannot approve their own request.
    approvals = reverse("admin:returns_moneyapproval_changelist")
    response = client.post(approvals, {"action": "approve_selected", "_selected_action": [approval.pk]}, follow=True)
    assert any("Someone other than the person who asked" in text for text in _messages(response))
    assert not Refund.objects.exists()

    # Another lead of the merchant approves: the money goes out, as the approver.
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(approvals, {"action": "approve_selected", "_selected_action": [approval.pk]},
                               follow=True)
    assert any("Approved and issued 1 request(s)." in text for text in _messages(response))
    approval.refresh_from_db()
    assert approval.status == MoneyApproval.Status.APPROVED and approval.decided_by == lead
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED and refund.requested_by == "lead"
    assert refund.amount == Decimal("60400") and len(MockGateway.issued()) == 1
    notes = [event.note for event in rr.events.all()]
    assert any("waiting for a lead's approval" in note for note in notes)
    assert any("approved (asked by limited)" in note for note in notes)


def test_within_the_limit_no_approval_is_needed(shop, django_capture_on_commit_callbacks):
    rr = _returned(shop)
    member = _staff("roomy", shop, group=SUPPORT_LEAD, limit=Decimal("100000"))
    with django_capture_on_commit_callbacks(execute=True):
        return_release_money(rr=rr, by=member)
    assert Refund.objects.get().status == Refund.Status.SUCCEEDED and not MoneyApproval.objects.exists()


def test_an_approvers_own_limit_applies_and_agents_cannot_approve(client, shop, agent, root_user,
                                                                   django_capture_on_commit_callbacks):
    rr = _returned(shop)
    asker = _staff("asker", shop, group=SUPPORT_LEAD, limit=Decimal("100"))
    with pytest.raises(MoneyNeedsApproval):
        return_release_money(rr=rr, by=asker)
    approval = MoneyApproval.objects.get(status=MoneyApproval.Status.PENDING)
    approvals = reverse("admin:returns_moneyapproval_changelist")
    small_lead = _staff("smalllead", shop, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD, limit=Decimal("1000"))
    client.force_login(small_lead)
    response = client.post(approvals, {"action": "approve_selected", "_selected_action": [approval.pk]}, follow=True)
    assert any("above your own limit too" in text for text in _messages(response))
    # A lead's group but an agent's role for this merchant: not a lead here.
    not_lead = _staff("grouplead", shop, group=SUPPORT_LEAD, role=StaffMembership.Role.AGENT)
    client.force_login(not_lead)
    response = client.post(approvals, {"action": "approve_selected", "_selected_action": [approval.pk]}, follow=True)
    assert response.status_code == 200 and not Refund.objects.exists()
    client.force_login(agent)
    assert b"approve_selected" not in client.get(approvals).content
    approval.refresh_from_db()
    assert approval.status == MoneyApproval.Status.PENDING
    # A superuser approves whatever the amount.
    client.force_login(root_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(approvals, {"action": "approve_selected", "_selected_action": [approval.pk]})
    approval.refresh_from_db()
    assert approval.status == MoneyApproval.Status.APPROVED and Refund.objects.get().status == "succeeded"


def test_a_lead_can_refuse_a_request(client, shop, lead):
    rr = _returned(shop)
    asker = _staff("asker", shop, group=SUPPORT_LEAD, limit=Decimal("100"))
    with pytest.raises(MoneyNeedsApproval):
        return_release_money(rr=rr, by=asker)
    approval = MoneyApproval.objects.get()
    client.force_login(lead)
    client.post(reverse("admin:returns_moneyapproval_changelist"),
                {"action": "reject_selected", "_selected_action": [approval.pk]})
    approval.refresh_from_db()
    assert approval.status == MoneyApproval.Status.REJECTED and approval.decided_by == lead
    assert not Refund.objects.exists()
    assert "refused by a lead" in rr.events.last().note


def test_a_pending_request_is_superseded_when_someone_allowed_sends_the_money(shop, lead,
                                                                              django_capture_on_commit_callbacks):
    rr = _returned(shop)
    asker = _staff("asker", shop, group=SUPPORT_LEAD, limit=Decimal("100"))
    with pytest.raises(MoneyNeedsApproval):
        return_release_money(rr=rr, by=asker)
    with django_capture_on_commit_callbacks(execute=True):
        return_release_money(rr=rr, by=lead)
    assert MoneyApproval.objects.get().status == MoneyApproval.Status.SUPERSEDED
    assert Refund.objects.count() == 1


def test_store_credit_has_its_own_permission(shop, django_capture_on_commit_callbacks):
    rr = _returned(shop, resolution="store_credit")
    refunder = _staff("refunder", shop, group=SUPPORT_AGENT)
    refunder.user_permissions.add(Permission.objects.get(codename="issue_refund"))
    refunder = get_user_model().objects.get(pk=refunder.pk)  # fresh permission cache
    with pytest.raises(MoneyNotPermitted, match="returns.issue_store_credit"):
        return_release_money(rr=rr, by=refunder)
    assert not StoreCreditEntry.objects.exists()
    # The credit limit counts what the shopper receives (bonus included).
    rr.credit_bonus = Decimal("600")
    rr.save(update_fields=["credit_bonus"])
    capped = _staff("capped", shop, group=SUPPORT_LEAD, limit=Decimal("60500"))
    with pytest.raises(MoneyNeedsApproval, match="61000"):
        return_release_money(rr=rr, by=capped)


def test_a_staff_member_of_another_merchant_cannot_send_money(shop):
    rr = _returned(shop)
    other = _staff("other", MerchantFactory(slug="othershop"), group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD)
    with pytest.raises(MoneyNotPermitted, match="not a member"):
        return_release_money(rr=rr, by=other)
    assert not Refund.objects.exists()


def test_the_merchants_policy_still_pays_on_a_carrier_scan(shop, django_capture_on_commit_callbacks):
    """No staff decision: the refund timing the merchant chose pays as before (by "system")."""
    from returns.services import return_approve, return_mark_in_transit

    policy = shop.return_policy
    policy.refund_timing = "first_scan"
    policy.save()
    order = OrderFactory(merchant=shop, total=Decimal("1000"), subtotal=Decimal("1000"), payment_gateway="mock",
                         payment_reference="pi_x")
    variant = ProductVariantFactory(product__merchant=shop, price=Decimal("1000"), currency="KRW")
    line = OrderLineFactory(order=order, variant=variant, quantity=1, unit_price=Decimal("1000"))
    shipment = ShipmentFactory(order=order, status=st.DELIVERED, delivered_at=timezone.now())
    ShipmentLineFactory(shipment=shipment, order_line=line, quantity=1)
    rr, _ = return_request(order=order, lines=[RequestedLine(line.pk, 1)], reason_code="changed_mind",
                           resolution="refund", method="drop_off", idempotency_key="scan")
    with django_capture_on_commit_callbacks(execute=True):
        return_approve(rr=rr, by="system")
        return_mark_in_transit(rr=ReturnRequest.objects.get(pk=rr.pk))
    assert Refund.objects.get(return_request=rr).status == Refund.Status.SUCCEEDED


def test_an_agent_marking_received_on_a_pay_on_receipt_policy_holds_the_money(client, shop, agent,
                                                                               django_capture_on_commit_callbacks):
    policy = shop.return_policy
    policy.refund_timing = "on_receipt"
    policy.save()
    order = OrderFactory(merchant=shop, total=Decimal("1000"), subtotal=Decimal("1000"), payment_gateway="mock",
                         payment_reference="pi_y")
    variant = ProductVariantFactory(product__merchant=shop, price=Decimal("1000"), currency="KRW")
    line = OrderLineFactory(order=order, variant=variant, quantity=1, unit_price=Decimal("1000"))
    shipment = ShipmentFactory(order=order, status=st.DELIVERED, delivered_at=timezone.now())
    ShipmentLineFactory(shipment=shipment, order_line=line, quantity=1)
    rr, _ = return_request(order=order, lines=[RequestedLine(line.pk, 1)], reason_code="changed_mind",
                           resolution="refund", method="drop_off", idempotency_key="receipt")
    from returns.services import return_approve

    return_approve(rr=rr, by="system")
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(MONEY, args=[rr.pk, "received"]))
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.RECEIVED and not Refund.objects.exists()
    assert "Automatic refund held" in rr.events.last().note


@pytest.fixture
def root_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-1234")

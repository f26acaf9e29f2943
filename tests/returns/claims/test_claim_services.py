"""Claims in the returns workflow: a claim needs no parcel back, is approved by the merchant's rules or
by someone allowed to, and settles through the same money services as a return (ledger, permissions,
a lead's approval above a limit) or as a replacement order with its own shipment. Every refusal writes
nothing."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from returns.claims.services import (
    ClaimedLine,
    claim_approve,
    claim_policy_ensure,
    claim_submit,
    claimability,
)
from returns.errors import ReturnError
from returns.models import (
    MoneyApproval,
    Refund,
    ReturnPhoto,
    ReturnRequest,
    ReturnStatus,
    StoreCreditEntry,
)
from returns.money.authority import MoneyNotPermitted
from returns.services import return_reject
from tests.support.claims import jpeg, not_an_image, parcel_order, staff
from tracking.carriers import status as st
from tracking.models import Order, ProductVariant, StaffMembership
from tracking.staff.roles import SUPPORT_AGENT, SUPPORT_LEAD

pytestmark = pytest.mark.django_db


def all_lines(order):
    return [ClaimedLine(line.pk, line.quantity) for line in order.lines.all()]


def submit(order, shipment, *, claim_type="not_received", resolution="refund", key="c1", lines=None, **kwargs):
    rr, _created = claim_submit(order=order, shipment=shipment, claim_type=claim_type,
                                lines=all_lines(order) if lines is None else lines, resolution=resolution,
                                idempotency_key=key, **kwargs)
    return rr


def nothing_written():
    return ReturnRequest.objects.count() == 0 and ReturnPhoto.objects.count() == 0


# --- What may be reported ----------------------------------------------------------------------------
def test_a_delivered_parcel_may_be_damaged_incomplete_or_not_received(merchant):
    _order, shipment = parcel_order(merchant)
    state = claimability(shipment=shipment, policy=claim_policy_ensure(merchant=merchant))
    assert state.types == ("damaged", "missing_items", "not_received") and state.open


def test_lost_when_the_carrier_says_so_or_after_a_long_silence(merchant):
    policy = claim_policy_ensure(merchant=merchant)
    _o, carrier_lost = parcel_order(merchant, status=st.EXCEPTION, reason="lost", days_ago=1)
    _o, quiet = parcel_order(merchant, status=st.IN_TRANSIT, days_ago=policy.lost_after_days + 1)
    _o, moving = parcel_order(merchant, status=st.IN_TRANSIT, days_ago=1)
    assert claimability(shipment=carrier_lost, policy=policy).types == ("lost",)
    assert claimability(shipment=quiet, policy=policy).types == ("lost",)
    assert claimability(shipment=moving, policy=policy).types == ()


# --- Bad input: a clear message, nothing written -----------------------------------------------------
def test_no_claim_for_a_parcel_still_on_its_way(merchant):
    order, shipment = parcel_order(merchant, status=st.IN_TRANSIT, days_ago=1)
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment, claim_type="lost")
    assert refused.value.code == "not_claimable" and "still on its way" in refused.value.message
    assert nothing_written()


def test_no_missing_items_claim_for_a_lost_parcel(merchant):
    order, shipment = parcel_order(merchant, status=st.EXCEPTION, reason="lost")
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment, claim_type="missing_items")
    assert refused.value.code == "claim_type" and nothing_written()


def test_no_claim_for_more_than_was_shipped(merchant):
    order, shipment = parcel_order(merchant)
    line = order.lines.get(quantity=2)
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment, lines=[ClaimedLine(line.pk, 3)])
    assert refused.value.code == "quantity" and "at most 2" in refused.value.message
    assert nothing_written()


def test_no_second_claim_for_the_same_items(merchant):
    order, shipment = parcel_order(merchant)
    first = submit(order, shipment, key="first")
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment, key="second")
    assert refused.value.code == "already_claimed" and "already reported" in refused.value.message
    assert list(ReturnRequest.objects.all()) == [first]


def test_a_rejected_claim_frees_its_items(merchant, support_agent):
    order, shipment = parcel_order(merchant)
    first = submit(order, shipment, key="first")
    return_reject(rr=first, by="system", reason="Signed for by a neighbour.")
    again = submit(order, shipment, key="second")
    assert again.pk != first.pk and again.status == ReturnStatus.REQUESTED


def test_the_same_form_twice_is_one_claim(merchant):
    order, shipment = parcel_order(merchant)
    assert submit(order, shipment, key="same").pk == submit(order, shipment, key="same").pk
    assert ReturnRequest.objects.count() == 1


def test_no_claim_after_the_window(merchant):
    policy = claim_policy_ensure(merchant=merchant)
    order, shipment = parcel_order(merchant, days_ago=policy.window_days + 1)
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment)
    assert refused.value.code == "window_closed" and "ended on" in refused.value.message
    assert nothing_written()


def test_a_photo_that_is_not_an_image_is_refused(merchant):
    order, shipment = parcel_order(merchant)
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment, claim_type="damaged", photos=[jpeg(), not_an_image("evil.jpg")])
    assert refused.value.code == "photo" and refused.value.message.startswith("evil.jpg: ")
    assert nothing_written()


def test_damage_needs_a_photo_when_the_policy_asks(merchant):
    order, shipment = parcel_order(merchant)
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment, claim_type="damaged")
    assert refused.value.code == "photo_required" and nothing_written()


def test_a_resolution_the_policy_does_not_offer_is_refused(merchant):
    policy = claim_policy_ensure(merchant=merchant)
    policy.allow_refund = False
    policy.save()
    order, shipment = parcel_order(merchant)
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment, resolution="refund")
    assert refused.value.code == "resolution" and nothing_written()


def test_a_parcel_of_another_order_is_refused(merchant):
    order, _shipment = parcel_order(merchant)
    _other, shipment = parcel_order(merchant)
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment)
    assert refused.value.code == "shipment" and nothing_written()


# --- Approval and settlement -------------------------------------------------------------------------
def test_a_loss_the_carrier_confirmed_is_approved_and_credited_at_once(merchant):
    order, shipment = parcel_order(merchant, status=st.EXCEPTION, reason="lost")
    rr = submit(order, shipment, claim_type="lost", resolution="store_credit")
    assert rr.kind == "claim" and rr.method == "none" and rr.shipment is None and not rr.label_file
    assert rr.status == ReturnStatus.CREDITED
    assert rr.decision["approval"]["auto"] is True
    entry = StoreCreditEntry.objects.get(return_request=rr)
    assert entry.amount == order.total == Decimal(50000)
    assert order.refund_ledger.refunded_total == Decimal(50000)


def test_a_silent_parcel_is_not_auto_approved_as_lost(merchant):
    policy = claim_policy_ensure(merchant=merchant)
    order, shipment = parcel_order(merchant, status=st.IN_TRANSIT, days_ago=policy.lost_after_days + 1)
    rr = submit(order, shipment, claim_type="lost")
    assert rr.status == ReturnStatus.REQUESTED and rr.decision["approval"]["auto"] is False


def test_a_claim_under_the_value_limit_is_approved_and_refunded(merchant, django_capture_on_commit_callbacks):
    policy = claim_policy_ensure(merchant=merchant)
    policy.auto_approve_max_value = Decimal(30000)
    policy.save()
    order, shipment = parcel_order(merchant)
    line = order.lines.get(quantity=1)  # 25,000
    with django_capture_on_commit_callbacks(execute=True):  # the refund goes to the gateway after commit
        rr = submit(order, shipment, claim_type="missing_items", lines=[ClaimedLine(line.pk, 1)])
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REFUNDED
    assert Refund.objects.get(return_request=rr).amount == Decimal(25000)


def test_a_replacement_is_a_new_order_and_shipment_and_holds_stock(merchant):
    policy = claim_policy_ensure(merchant=merchant)
    policy.auto_approve_max_value = Decimal(100000)
    policy.save()
    order, shipment = parcel_order(merchant, stock=5)
    rr = submit(order, shipment, claim_type="damaged", resolution="replacement", photos=[jpeg()])
    assert rr.status == ReturnStatus.EXCHANGED and rr.refund_amount == 0
    replacement = rr.exchange_order
    assert replacement.source == Order.Source.EXCHANGE and replacement.total == 0
    assert [(line.sku, line.quantity) for line in replacement.lines.order_by("id")] == [
        (line.sku, line.quantity) for line in order.lines.order_by("id")]
    assert replacement.shipments.get().lines.count() == 2
    assert sorted(ProductVariant.objects.filter(order_lines__order=order).values_list("stock", flat=True)) == [3, 4]
    assert rr.photos.count() == 1 and not Refund.objects.exists()


def test_approving_needs_the_approve_claim_permission(merchant):
    order, shipment = parcel_order(merchant)
    rr = submit(order, shipment)
    agent = staff("agent1", merchant, group=SUPPORT_AGENT)
    with pytest.raises(MoneyNotPermitted):
        claim_approve(rr=rr, by=agent)
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REQUESTED and rr.events.count() == 1


def test_a_lead_approves_and_refunds_within_their_limit(merchant, django_capture_on_commit_callbacks):
    order, shipment = parcel_order(merchant)
    rr = submit(order, shipment)
    lead = staff("lead1", merchant, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD, limit=Decimal(100000))
    with django_capture_on_commit_callbacks(execute=True):
        claim_approve(rr=rr, by=lead)
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REFUNDED
    assert Refund.objects.get(return_request=rr).requested_by == "lead1"


def test_above_the_limit_the_claim_waits_approved_for_another_lead(merchant, django_capture_on_commit_callbacks):
    order, shipment = parcel_order(merchant)
    rr = submit(order, shipment)
    lead = staff("lead1", merchant, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD, limit=Decimal(10000))
    held = claim_approve(rr=rr, by=lead)
    assert held.status == ReturnStatus.APPROVED and held.money_held is not None
    approval = MoneyApproval.objects.get(return_request=rr)
    assert approval.status == MoneyApproval.Status.PENDING and approval.amount == Decimal(50000)
    assert not Refund.objects.exists()

    from returns.money.authority import money_approval_approve

    boss = staff("lead2", merchant, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        money_approval_approve(approval=approval, by=boss)
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REFUNDED


def test_a_replacement_above_the_limit_is_refused_without_writing(merchant):
    order, shipment = parcel_order(merchant)
    rr = submit(order, shipment, resolution="replacement")
    lead = staff("lead1", merchant, group=SUPPORT_LEAD, role=StaffMembership.Role.LEAD, limit=Decimal(10000))
    with pytest.raises(ReturnError) as refused:
        claim_approve(rr=rr, by=lead)
    assert refused.value.code == "needs_approval"
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REQUESTED and rr.exchange_order is None


def test_claims_do_not_count_toward_the_return_rate(merchant):
    from returns.selectors import customer_return_rate

    order, shipment = parcel_order(merchant)
    submit(order, shipment)
    assert customer_return_rate(order.customer) == 0


def test_window_counts_from_delivery(merchant):
    policy = claim_policy_ensure(merchant=merchant)
    _order, shipment = parcel_order(merchant, days_ago=policy.window_days - 1)
    assert claimability(shipment=shipment, policy=policy, now=timezone.now()).open
    later = timezone.now() + timedelta(days=2)
    assert claimability(shipment=shipment, policy=policy, now=later).closed_on


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_claiming_the_same_items_at_once_make_one_claim(merchant):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (set DATABASE_URL)")
    order, shipment = parcel_order(merchant)
    barrier = threading.Barrier(6)
    outcomes = []

    def attempt(n):
        try:
            barrier.wait()
            submit(Order.objects.get(pk=order.pk), shipment, key=f"tab-{n}")
            outcomes.append("ok")
        except ReturnError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already_claimed"] * 5 + ["ok"], outcomes
    assert ReturnRequest.objects.filter(kind="claim").count() == 1


def test_merchants_systems_can_tell_a_claim_from_a_return(merchant):
    from returns.api import ReturnOutputSerializer

    order, shipment = parcel_order(merchant)
    data = ReturnOutputSerializer(submit(order, shipment)).data
    assert data["kind"] == "claim" and data["claim_type"] == "not_received" and data["method"] == "none"
    assert data["return_tracking_number"] is None


def test_items_already_being_returned_cannot_also_be_claimed(merchant):
    from returns.services import RequestedLine, return_policy_ensure, return_request

    return_policy_ensure(merchant=merchant)
    order, shipment = parcel_order(merchant)
    line = order.lines.get(quantity=1)
    return_request(order=order, lines=[RequestedLine(line.pk, 1)], reason_code="changed_mind", resolution="refund",
                   method="drop_off", idempotency_key="ret-1")
    with pytest.raises(ReturnError) as refused:
        submit(order, shipment, lines=[ClaimedLine(line.pk, 1)])
    assert refused.value.code == "already_returned"
    assert ReturnRequest.objects.filter(kind="claim").count() == 0

"""A claim tells the shopper what happened to it — received, approved, rejected, settled — in their
language, with words for a claim (nothing to send back), not a return's."""
import re
from decimal import Decimal

import pytest

from returns.claims.services import (
    ClaimedLine,
    claim_approve,
    claim_policy_ensure,
    claim_submit,
)
from returns.services import return_reject
from tests.support.claims import jpeg, parcel_order
from tracking.models import NotificationLog
from tracking.notifications.services import render_message

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[가-힣]")


def _claim(order, shipment, *, resolution="store_credit"):
    rr, _ = claim_submit(order=order, shipment=shipment, claim_type="not_received", resolution=resolution,
                         lines=[ClaimedLine(line.pk, line.quantity) for line in order.lines.all()],
                         idempotency_key="mail-1")
    return rr


def _kinds(order):
    return list(NotificationLog.objects.filter(order=order).order_by("id").values_list("kind", flat=True))


def test_received_then_settled_at_once_is_two_claim_emails(merchant):
    order, shipment = parcel_order(merchant)
    rr = _claim(order, shipment)
    assert _kinds(order) == ["claim_requested"]
    claim_approve(rr=rr, by="system")  # store credit: settled on approval, one email says both
    assert _kinds(order) == ["claim_requested", "claim_resolved"]
    message = render_message(NotificationLog.objects.get(order=order, kind="claim_resolved"))
    assert rr.rma in message.subject and "settled" in message.subject
    assert "50000" in message.text and "store credit" in message.text and "See your claim" in message.text


def test_a_refund_on_its_way_is_announced_as_approved_then_settled(merchant, django_capture_on_commit_callbacks):
    order, shipment = parcel_order(merchant)
    rr = _claim(order, shipment, resolution="refund")
    with django_capture_on_commit_callbacks(execute=False):
        claim_approve(rr=rr, by="system")
    assert _kinds(order) == ["claim_requested", "claim_approved"]
    message = render_message(NotificationLog.objects.get(order=order, kind="claim_approved"))
    assert "is approved" in message.subject and "refund is on its way" in message.text


def test_an_auto_approved_claim_sends_no_received_email(merchant):
    order, shipment = parcel_order(merchant, status="exception", reason="lost")
    claim_submit(order=order, shipment=shipment, claim_type="lost", resolution="store_credit",
                 lines=[ClaimedLine(line.pk, line.quantity) for line in order.lines.all()], idempotency_key="auto")
    assert _kinds(order) == ["claim_resolved"]


def test_rejection_gives_the_reason(merchant):
    order, shipment = parcel_order(merchant)
    rr = _claim(order, shipment)
    return_reject(rr=rr, by="system", reason="Signed for by your concierge.")
    message = render_message(NotificationLog.objects.get(order=order, kind="claim_rejected"))
    assert "couldn't approve your claim" in message.text and "Signed for by your concierge." in message.html


def test_a_korean_shopper_reads_every_claim_email_in_korean(merchant):
    policy = claim_policy_ensure(merchant=merchant)
    policy.auto_approve_max_value = Decimal(0)
    policy.save()
    order, shipment = parcel_order(merchant)
    order.customer.locale = "ko"
    order.customer.save()
    rr = _claim(order, shipment, resolution="replacement")
    claim_approve(rr=rr, by="system")
    other, other_shipment = parcel_order(merchant)
    other.customer.locale = "ko"
    other.customer.save()
    rejected, _ = claim_submit(order=other, shipment=other_shipment, claim_type="damaged", resolution="refund",
                               lines=[ClaimedLine(line.pk, 1) for line in other.lines.all()],
                               idempotency_key="mail-2", photos=[jpeg()])
    return_reject(rr=rejected, by="system", reason="사진으로는 파손을 확인할 수 없어요.")
    third, third_shipment = parcel_order(merchant)
    third.customer.locale = "ko"
    third.customer.save()
    refunded, _ = claim_submit(order=third, shipment=third_shipment, claim_type="not_received", resolution="refund",
                               lines=[ClaimedLine(line.pk, 1) for line in third.lines.all()], idempotency_key="mail-3")
    claim_approve(rr=refunded, by="system")  # the refund waits for the gateway: "approved" first
    logs = NotificationLog.objects.filter(kind__startswith="claim_")
    assert {log.kind for log in logs} == {"claim_requested", "claim_approved", "claim_resolved", "claim_rejected"}
    for log in logs:
        message = render_message(log)
        assert HANGUL.search(message.subject), log.kind
        for english in ("Hi ", "Your claim", "We received", "See your claim", "couldn't approve"):
            assert english not in message.text and english not in message.html, (log.kind, english)
    rr.refresh_from_db()
    resolved = render_message(logs.get(kind="claim_resolved"))
    assert rr.exchange_order.number in resolved.text and "재발송" in resolved.text

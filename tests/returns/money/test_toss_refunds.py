"""Refunds of Toss-paid returns, wired end to end: the merchant's own Toss key, a partial cancel with
the ledger's guard, a retried cancel with the same Idempotency-Key, a cancel past what is left
refused before any call, Toss' error codes as a clear state (the right retry or none), and the
virtual-account refund account asked for in the returns portal and sent as refundReceiveAccount."""
import base64
import json
from decimal import Decimal

import pytest
import responses
from django.urls import reverse

from returns.errors import RefundExceedsPaid
from returns.models import Refund, RefundAccount, RefundLedger, ReturnRequest
from returns.money.refunds import ledger_charge, refund_execute, return_refund
from returns.payments.base import GatewayUnavailable
from returns.payments.toss import TossPaymentsGateway
from tests.factories import RefundFactory, ReturnRequestFactory
from tests.support.fixtures import payment_json
from tests.support.returns import make_order, walk_portal
from tracking import crypto
from tracking.credentials.services import service_credential_set

pytestmark = pytest.mark.django_db
KEY = "test_sk_acme_toss_key_0001"
PAYMENT = "tviva20240929050058zeAs3"
CANCEL = f"https://api.tosspayments.com/v1/payments/{PAYMENT}/cancel"
ERRORS = payment_json("toss", "errors.json")


@pytest.fixture(autouse=True)
def _toss(merchant, monkeypatch):
    monkeypatch.setattr(TossPaymentsGateway, "sleep", staticmethod(lambda seconds: None))
    service_credential_set(merchant=merchant, service="toss", secret=KEY)


def toss_order(merchant, payment=PAYMENT):
    order = make_order(merchant, gateway="toss", currency="KRW", total=Decimal("40000"))
    order.payment_reference = payment
    order.save(update_fields=["payment_reference"])
    return order


def pending_refund(order, amount="12500"):
    """A refund recorded as return_refund records it (the ledger charged), not yet sent."""
    rr = ReturnRequestFactory(order=order, merchant=order.merchant, customer=order.customer, currency="KRW",
                              refund_amount=Decimal(amount))
    return _charged(rr, Decimal(amount))


def _charged(rr, amount):
    ledger_charge(order=rr.order, amount=amount)
    return RefundFactory(return_request=rr, gateway="toss", amount=amount, idempotency_key=f"doorstep-return-{rr.pk}")


def error(code):
    """The error answer exactly as the Toss reference documents it (status and body)."""
    return {"status": ERRORS[code]["status"], "json": ERRORS[code]["body"]}


def test_a_partial_refund_cancels_part_of_the_payment_with_the_merchants_key(merchant):
    refund = pending_refund(toss_order(merchant))
    with responses.RequestsMock() as api:
        api.post(CANCEL, json=payment_json("toss", "payment_partial_canceled_card.json"))
        refund_execute(refund_id=refund.pk)
        [call] = api.calls
    body = json.loads(call.request.body)
    assert body["cancelAmount"] == 12500 and body["refundableAmount"] == 40000
    assert call.request.headers["Idempotency-Key"] == refund.idempotency_key
    assert call.request.headers["Authorization"] == "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.error_code == ""


def test_a_retried_cancel_repeats_the_same_idempotency_key(merchant):
    refund = pending_refund(toss_order(merchant))
    with responses.RequestsMock() as api:
        for _ in range(3):  # the adapter's own bounded retries, then the task's
            api.post(CANCEL, **error("FAILED_INTERNAL_SYSTEM_PROCESSING"))
        with pytest.raises(GatewayUnavailable):
            refund_execute(refund_id=refund.pk)
        refund.refresh_from_db()
        assert refund.status == Refund.Status.PENDING and refund.error_code == "FAILED_INTERNAL_SYSTEM_PROCESSING"
        api.post(CANCEL, json=payment_json("toss", "payment_partial_canceled_card.json"))
        refund_execute(refund_id=refund.pk)  # the task's retry
        keys = {call.request.headers["Idempotency-Key"] for call in api.calls}
    assert keys == {refund.idempotency_key}
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED


def test_a_cancel_larger_than_what_is_left_is_refused_before_any_call(merchant):
    order = toss_order(merchant)
    pending_refund(order, "30000")
    rr = ReturnRequestFactory(order=order, merchant=merchant, customer=order.customer, currency="KRW",
                              refund_amount=Decimal("12500"))
    with responses.RequestsMock() as api:
        with pytest.raises(RefundExceedsPaid):
            return_refund(rr=rr, by="system")
        assert len(api.calls) == 0
    assert RefundLedger.objects.get(order=order).refunded_total == Decimal("30000")


def test_already_canceled_is_a_clear_final_state_and_keeps_the_ledger_charged(merchant):
    refund = pending_refund(toss_order(merchant))
    with responses.RequestsMock() as api:
        api.post(CANCEL, **error("ALREADY_CANCELED_PAYMENT"))
        refund_execute(refund_id=refund.pk)
        assert len(api.calls) == 1  # not retried
    refund.refresh_from_db()
    assert (refund.status, refund.error_code) == (Refund.Status.FAILED, "ALREADY_CANCELED_PAYMENT")
    assert "already refunded" in refund.error
    assert RefundLedger.objects.get(order=refund.order).refunded_total == Decimal("12500")


def test_not_cancelable_amount_fails_once_and_gives_the_amount_back_to_the_ledger(merchant):
    refund = pending_refund(toss_order(merchant))
    with responses.RequestsMock() as api:
        api.post(CANCEL, **error("NOT_CANCELABLE_AMOUNT"))
        refund_execute(refund_id=refund.pk)
        assert len(api.calls) == 1
    refund.refresh_from_db()
    assert (refund.status, refund.error_code) == (Refund.Status.FAILED, "NOT_CANCELABLE_AMOUNT")
    assert RefundLedger.objects.get(order=refund.order).refunded_total == 0


def test_a_virtual_account_payment_asks_for_the_refund_account_in_the_portal(client, merchant, policy,
                                                                             django_capture_on_commit_callbacks):
    virtual = payment_json("toss", "payment_canceled_virtual_account.json")
    key_of_payment = virtual["paymentKey"]
    order = toss_order(merchant, payment=key_of_payment)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as api:
        api.get(f"https://api.tosspayments.com/v1/payments/{key_of_payment}", json=virtual)
        key = walk_portal(client, order, resolution="refund")
        summary = client.get(reverse("returns:summary", args=[key]))
        assert "refund_account_number" in summary.content.decode()
        client.cookies["django_language"] = "ko"
        korean = client.get(reverse("returns:summary", args=[key]), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
        assert "환불받을 은행" in korean and "예금주" in korean and "신한은행" in korean
        client.cookies["django_language"] = "en"
        bad = client.post(reverse("returns:summary", args=[key]), {"token": key, "refund_bank": "88",
                                                                    "refund_account_number": "12",
                                                                    "refund_holder_name": "김민지"})
        assert bad.status_code == 400 and not ReturnRequest.objects.exists()
        with django_capture_on_commit_callbacks(execute=False):
            ok = client.post(reverse("returns:summary", args=[key]), {
                "token": key, "refund_bank": "88", "refund_account_number": "110-123-456789",
                "refund_holder_name": "김민지"})
        assert ok.status_code == 302
        assert len([c for c in api.calls if c.request.method == "GET"]) == 1  # asked once, remembered
    account = RefundAccount.objects.get()
    assert account.account_hint == "6789" and "110123456789" not in account.account_number_encrypted
    assert crypto.decrypt(account.account_number_encrypted) == "110123456789"
    rr = ReturnRequest.objects.get()
    refund = _charged(rr, Decimal("12500"))
    with responses.RequestsMock() as api:
        api.post(f"https://api.tosspayments.com/v1/payments/{key_of_payment}/cancel", json=virtual)
        refund_execute(refund_id=refund.pk)
        body = json.loads(api.calls[0].request.body)
    assert body["refundReceiveAccount"] == {"bank": "88", "accountNumber": "110123456789", "holderName": "김민지"}

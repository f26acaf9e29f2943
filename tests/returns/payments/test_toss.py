"""The Toss Payments refund adapter against responses shaped after Toss' API reference (``responses``;
never the network)."""
import base64
import json
from decimal import Decimal

import pytest
import requests
import responses

from returns.payments.base import (
    BankAccount,
    GatewayAuthError,
    GatewayCredentials,
    GatewayError,
    GatewayRateLimited,
    GatewayUnavailable,
    RefundDeclined,
    RefundRequestData,
)
from returns.payments.registry import get_gateway
from returns.payments.toss import TossPaymentsGateway, parse
from tests.support.fixtures import PAYMENT_FIXTURES, payment_json

FIXTURES = PAYMENT_FIXTURES / "toss"
PAYMENT_KEY = "tviva20240929050058zeAs3"
URL = f"https://api.tosspayments.com/v1/payments/{PAYMENT_KEY}/cancel"
ERRORS = {code: spec for code, spec in json.loads((FIXTURES / "errors.json").read_text()).items()
          if not code.startswith("_")}


def fixture(name):
    return payment_json("toss", name)


@pytest.fixture
def gateway(sleeper):
    gw = TossPaymentsGateway(GatewayCredentials(secret_key="test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"))
    gw.sleep = sleeper  # retries without waiting, and the waits are visible
    return gw


def request(amount="12500", *, key="doorstep-return-1-payment-1", payment=PAYMENT_KEY, **kwargs):
    return RefundRequestData(payment_reference=payment, amount=Decimal(amount), currency="KRW",
                             idempotency_key=key, metadata={"rma": "R-7KQ2-M9XD", "order": "HK-1001"}, **kwargs)


def sent_json(call):
    return json.loads(call.request.body)


@responses.activate
def test_partial_cancel_sends_amount_basic_auth_and_idempotency_key(gateway):
    responses.post(URL, json=fixture("payment_partial_canceled_card.json"))
    result = gateway.refund(request("12500"))
    assert (result.reference, result.status, result.amount, result.currency, result.refundable_after) == (
        "B7103F204998813B889C77C043D09502", "succeeded", Decimal("12500"), "KRW", Decimal("27500"))
    sent = responses.calls[0].request
    expected = base64.b64encode(b"test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R:").decode()
    assert sent.headers["Authorization"] == f"Basic {expected}"
    assert sent.headers["Idempotency-Key"] == "doorstep-return-1-payment-1"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent_json(responses.calls[0]) == {"cancelReason": "고객 요청에 의한 환불 (RMA R-7KQ2-M9XD)",
                                             "cancelAmount": 12500}


@responses.activate
def test_partial_cancel_with_known_remaining_sends_the_guard(gateway):
    responses.post(URL, json=fixture("payment_partial_canceled_card.json"))
    gateway.refund(request("12500", known_refundable=Decimal("40000")))
    assert sent_json(responses.calls[0]) == {"cancelReason": "고객 요청에 의한 환불 (RMA R-7KQ2-M9XD)",
                                             "cancelAmount": 12500, "refundableAmount": 40000}


@responses.activate
def test_full_cancel_omits_the_amount(gateway):
    responses.post(URL, json=fixture("payment_canceled_card.json"))
    result = gateway.refund(request("50000", known_refundable=Decimal("50000")))
    assert sent_json(responses.calls[0]) == {"cancelReason": "고객 요청에 의한 환불 (RMA R-7KQ2-M9XD)"}
    assert (result.reference, result.status, result.amount, result.refundable_after) == (
        "090A796806E726BBB929F4A2CA7DB9A7", "succeeded", Decimal("50000"), Decimal("0"))


def test_more_than_the_known_remaining_is_refused_before_any_call(gateway):
    with responses.RequestsMock() as mock:  # any request would fail the test: none is registered
        with pytest.raises(RefundDeclined) as exc:
            gateway.refund(request("30000", known_refundable=Decimal("27500")))
        assert len(mock.calls) == 0
    assert exc.value.code == "exceeds_refundable" and not exc.value.retryable


def test_krw_with_decimals_is_refused_before_any_call(gateway):
    with responses.RequestsMock():
        with pytest.raises(RefundDeclined) as exc:
            gateway.refund(request("100.5"))
    assert exc.value.code == "invalid_amount"


@responses.activate
def test_virtual_account_refund_sends_the_refund_account_and_is_pending_until_the_transfer(gateway):
    url = "https://api.tosspayments.com/v1/payments/tvir_20261118LmnPq8a5Xz/cancel"
    responses.post(url, json=fixture("payment_canceled_virtual_account.json"))
    account = BankAccount(bank="88", account_number="11012347270", holder_name="김민지")
    result = gateway.refund(request("39000", payment="tvir_20261118LmnPq8a5Xz", refund_account=account))
    assert sent_json(responses.calls[0])["refundReceiveAccount"] == {
        "bank": "88", "accountNumber": "11012347270", "holderName": "김민지"}
    assert (result.reference, result.status, result.amount) == (
        "C21E5E7BF43B0E3C0B0F9E4DA8D0B2F1", "pending", Decimal("39000"))
    assert "11012347270" not in repr(request("1", refund_account=account))  # account numbers stay out of logs


@responses.activate
def test_retried_cancel_repeats_the_same_idempotency_key_and_refunds_once(gateway, sleeper):
    # The first answer is lost (read timeout); Toss answers the repeat with the stored first answer.
    responses.post(URL, body=requests.ReadTimeout("read timed out"))
    responses.post(URL, json=fixture("payment_partial_canceled_card.json"))
    result = gateway.refund(request("12500"))
    assert result.reference == "B7103F204998813B889C77C043D09502"
    keys = [call.request.headers["Idempotency-Key"] for call in responses.calls]
    assert keys == ["doorstep-return-1-payment-1"] * 2
    assert [sent_json(call) for call in responses.calls][0] == [sent_json(call) for call in responses.calls][1]
    assert len(sleeper.waits) == 1 and 0.25 <= sleeper.waits[0] <= 0.5  # backoff_seconds(0, base=0.5)


@responses.activate
def test_a_second_task_run_with_the_same_key_gets_the_same_cancel(gateway):
    responses.post(URL, json=fixture("payment_partial_canceled_card.json"))
    responses.post(URL, json=fixture("payment_partial_canceled_card.json"))
    first, second = gateway.refund(request()), gateway.refund(request())
    assert first == second
    assert {call.request.headers["Idempotency-Key"] for call in responses.calls} == {"doorstep-return-1-payment-1"}


DECLINED = ["ALREADY_CANCELED_PAYMENT", "INVALID_REFUND_ACCOUNT_INFO", "INVALID_REFUND_ACCOUNT_NUMBER",
            "INVALID_BANK", "EXCEED_CANCEL_AMOUNT_DISCOUNT_AMOUNT", "NOT_MATCHES_REFUNDABLE_AMOUNT", "REFUND_REJECTED",
            "ALREADY_REFUND_PAYMENT", "FORBIDDEN_BANK_REFUND_REQUEST", "NOT_CANCELABLE_AMOUNT",
            "NOT_CANCELABLE_PAYMENT", "EXCEED_MAX_REFUND_DUE", "NOT_ALLOWED_PARTIAL_REFUND_WAITING_DEPOSIT",
            "NOT_ALLOWED_PARTIAL_REFUND", "NOT_CANCELABLE_PAYMENT_FOR_DORMANT_USER", "NOT_FOUND_PAYMENT",
            "FAILED_CLOSED_ACCOUNT_REFUND"]
AUTH = ["UNAUTHORIZED_KEY", "FORBIDDEN_REQUEST", "INCORRECT_BASIC_AUTH_FORMAT"]
UNAVAILABLE = ["PROVIDER_ERROR", "NOT_AVAILABLE_BANK", "IDEMPOTENT_REQUEST_PROCESSING",
               "FAILED_INTERNAL_SYSTEM_PROCESSING", "FAILED_REFUND_PROCESS", "FAILED_METHOD_HANDLING_CANCEL",
               "FAILED_PARTIAL_REFUND", "COMMON_ERROR"]


def test_every_documented_code_is_classified():
    assert set(DECLINED + AUTH + UNAVAILABLE + ["INVALID_REQUEST", "FORBIDDEN_CONSECUTIVE_REQUEST"]) == set(ERRORS)


@pytest.mark.parametrize("code", DECLINED)
@responses.activate
def test_declines_keep_the_code_and_are_not_retried(gateway, code):
    responses.post(URL, json=ERRORS[code]["body"], status=ERRORS[code]["status"])
    with pytest.raises(RefundDeclined) as exc:
        gateway.refund(request())
    assert exc.value.code == code and not exc.value.retryable
    assert str(exc.value) == ERRORS[code]["body"]["message"]
    assert len(responses.calls) == 1


@pytest.mark.parametrize("code", AUTH)
@responses.activate
def test_auth_errors(gateway, code):
    responses.post(URL, json=ERRORS[code]["body"], status=ERRORS[code]["status"])
    with pytest.raises(GatewayAuthError) as exc:
        gateway.refund(request())
    assert exc.value.code == code and not exc.value.retryable and len(responses.calls) == 1


@responses.activate
def test_invalid_request_is_our_bug_not_a_decline(gateway):
    responses.post(URL, json=ERRORS["INVALID_REQUEST"]["body"], status=400)
    with pytest.raises(GatewayError) as exc:
        gateway.refund(request())
    assert type(exc.value) is GatewayError and exc.value.code == "INVALID_REQUEST" and len(responses.calls) == 1


@pytest.mark.parametrize("code", UNAVAILABLE)
@responses.activate
def test_temporary_errors_are_retried_a_bounded_number_of_times(gateway, sleeper, code):
    for _ in range(5):
        responses.post(URL, json=ERRORS[code]["body"], status=ERRORS[code]["status"])
    with pytest.raises(GatewayUnavailable) as exc:
        gateway.refund(request())
    assert exc.value.code == code and exc.value.retryable
    assert len(responses.calls) == 1 + TossPaymentsGateway.max_retries
    assert len(sleeper.waits) == TossPaymentsGateway.max_retries


@responses.activate
def test_temporary_error_then_success(gateway):
    responses.post(URL, json=ERRORS["PROVIDER_ERROR"]["body"], status=400)
    responses.post(URL, json=fixture("payment_partial_canceled_card.json"))
    assert gateway.refund(request()).status == "succeeded"
    assert len(responses.calls) == 2


@responses.activate
def test_consecutive_request_is_rate_limited_and_waits_a_second(gateway, sleeper):
    responses.post(URL, json=ERRORS["FORBIDDEN_CONSECUTIVE_REQUEST"]["body"], status=403)
    responses.post(URL, json=fixture("payment_partial_canceled_card.json"))
    gateway.refund(request())
    assert sleeper.waits == [1.0]


@responses.activate
def test_429_honours_retry_after_then_gives_up_rate_limited(gateway, sleeper):
    for _ in range(5):
        responses.post(URL, body="", status=429, headers={"Retry-After": "3"})
    with pytest.raises(GatewayRateLimited) as exc:
        gateway.refund(request())
    assert exc.value.retryable and exc.value.retry_after == 3.0
    assert sleeper.waits == [3.0, 3.0]


@responses.activate
def test_html_error_page_instead_of_json(gateway):
    for _ in range(5):
        responses.post(URL, body=(FIXTURES / "error_page.html").read_text(), status=502, content_type="text/html")
    with pytest.raises(GatewayUnavailable) as exc:
        gateway.refund(request())
    assert exc.value.code == "http_502" and len(responses.calls) == 3


@responses.activate
def test_html_page_with_200_is_an_unknown_outcome_retried_with_the_same_key(gateway):
    responses.post(URL, body="<html>maintenance</html>", status=200, content_type="text/html")
    responses.post(URL, json=fixture("payment_partial_canceled_card.json"))
    assert gateway.refund(request()).status == "succeeded"
    assert len({call.request.headers["Idempotency-Key"] for call in responses.calls}) == 1


@responses.activate
def test_timeout_becomes_gateway_unavailable(gateway):
    for _ in range(5):
        responses.post(URL, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(GatewayUnavailable) as exc:
        gateway.refund(request())
    assert exc.value.retryable and exc.value.code == "network" and len(responses.calls) == 3


@responses.activate
def test_payment_balance_reports_what_is_still_refundable(gateway):
    responses.get(f"https://api.tosspayments.com/v1/payments/{PAYMENT_KEY}", json=fixture("payment_done.json"))
    balance = gateway.payment_balance(PAYMENT_KEY)
    assert (balance.reference, balance.currency, balance.total, balance.refundable, balance.status) == (
        PAYMENT_KEY, "KRW", Decimal("50000"), Decimal("40000"), "PARTIAL_CANCELED")
    assert gateway.supports_balance and "Idempotency-Key" not in responses.calls[0].request.headers


@responses.activate
def test_base_url_comes_from_the_credentials():
    responses.post(f"http://127.0.0.1:9911/v1/payments/{PAYMENT_KEY}/cancel",
                   json=fixture("payment_partial_canceled_card.json"))
    gw = TossPaymentsGateway(GatewayCredentials(secret_key="test_sk", api_url="http://127.0.0.1:9911/"))
    assert gw.refund(request()).reference == "B7103F204998813B889C77C043D09502"


def test_registry_fills_the_base_url_and_key_from_settings(settings):
    settings.DOORSTEP_PAYMENT_CREDENTIALS = {"toss": {"secret_key": "test_sk_env", "api_url": "http://127.0.0.1:9"}}
    gw = get_gateway("toss")
    assert isinstance(gw, TossPaymentsGateway)
    assert (gw.credentials.secret_key, gw.credentials.api_url) == ("test_sk_env", "http://127.0.0.1:9")
    merchant_own = get_gateway("toss", GatewayCredentials(secret_key="live_sk_merchant"))
    assert (merchant_own.credentials.secret_key, merchant_own.credentials.api_url) == (
        "live_sk_merchant", "http://127.0.0.1:9")


def test_missing_key_is_an_auth_error():
    with pytest.raises(GatewayAuthError) as exc:
        TossPaymentsGateway().refund(request())
    assert exc.value.code == "missing_key"


def test_the_cancel_is_found_by_last_transaction_key_not_position():
    payment = fixture("payment_partial_canceled_card.json")
    payment["cancels"].reverse()
    assert parse.parse_cancel(payment).reference == "B7103F204998813B889C77C043D09502"
    del payment["lastTransactionKey"]
    assert parse.parse_cancel(payment).reference == "B7103F204998813B889C77C043D09502"  # the latest canceledAt


def test_an_answer_that_is_not_a_cancel_is_refused():
    payment = fixture("payment_done.json")
    payment["status"] = "DONE"
    with pytest.raises(GatewayError) as exc:
        parse.parse_cancel(payment)
    assert exc.value.code == "unexpected_body"

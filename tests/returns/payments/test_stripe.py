"""The Stripe Refunds adapter against recorded Stripe responses (``responses``; never the network)."""
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import responses

from returns.payments.base import (
    GatewayAuthError,
    GatewayError,
    GatewayRateLimited,
    GatewayUnavailable,
    RefundDeclined,
    RefundRequestData,
)
from returns.payments.stripe import StripeGateway
from returns.payments.stripe.parse import to_minor
from returns.payments.base import GatewayCredentials
from tests.support.fixtures import PAYMENT_FIXTURES, payment_json

FIXTURES = PAYMENT_FIXTURES / "stripe"
URL = "https://api.stripe.com/v1/refunds"


def fixture(name):
    return payment_json("stripe", name)


@pytest.fixture
def gateway():
    gw = StripeGateway(GatewayCredentials(secret_key="sk_test_abc"))
    gw.sleep = lambda seconds: None  # retries without waiting
    return gw


def request(amount="50000", currency="KRW", key="doorstep-return-1-payment-1"):
    return RefundRequestData(payment_reference="pi_3PqR8t2eZvKYlo2C1h2i3j4k", amount=Decimal(amount),
                             currency=currency, idempotency_key=key, metadata={"rma": "R-7KQ2-M9XD"})


@responses.activate
def test_success_sends_form_bearer_and_idempotency_key(gateway):
    responses.post(URL, json=fixture("refund_succeeded.json"))
    result = gateway.refund(request())
    assert (result.reference, result.status, result.amount, result.currency) == (
        "re_3PqR8t2eZvKYlo2C1a2b3c4d", "succeeded", Decimal("50000"), "KRW")
    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == "Bearer sk_test_abc"
    assert sent.headers["Idempotency-Key"] == "doorstep-return-1-payment-1"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(sent.body)
    assert form == {"payment_intent": ["pi_3PqR8t2eZvKYlo2C1h2i3j4k"], "amount": ["50000"],
                    "reason": ["requested_by_customer"], "metadata[rma]": ["R-7KQ2-M9XD"]}


@responses.activate
def test_two_decimal_currency_in_cents_and_pending(gateway):
    responses.post(URL, json=fixture("refund_pending_usd.json"))
    result = gateway.refund(request("12.50", "USD"))
    assert parse_qs(responses.calls[0].request.body)["amount"] == ["1250"]
    assert result.status == "pending" and result.amount == Decimal("12.50")


def test_minor_units():
    assert to_minor(Decimal("25000"), "KRW") == 25000
    assert to_minor(Decimal("9.99"), "EUR") == 999
    assert to_minor(Decimal("1.234"), "KWD") == 1234
    with pytest.raises(ValueError):
        to_minor(Decimal("1.005"), "USD")


@responses.activate
def test_failed_refund_object(gateway):
    responses.post(URL, json=fixture("refund_failed.json"))
    result = gateway.refund(request())
    assert result.status == "failed" and result.failure_reason == "expired_or_canceled_card"


@pytest.mark.parametrize("status, name, error, retryable", [
    (400, "error_charge_already_refunded.json", RefundDeclined, False),
    (401, "error_authentication.json", GatewayAuthError, False),
    (400, "error_idempotency.json", GatewayError, False),
])
@responses.activate
def test_errors_are_not_retried(gateway, status, name, error, retryable):
    responses.post(URL, json=fixture(name), status=status)
    with pytest.raises(error) as exc:
        gateway.refund(request())
    assert exc.value.retryable is retryable
    assert len(responses.calls) == 1


@responses.activate
def test_declined_carries_stripe_code(gateway):
    responses.post(URL, json=fixture("error_charge_already_refunded.json"), status=400)
    with pytest.raises(RefundDeclined) as exc:
        gateway.refund(request())
    assert exc.value.code == "charge_already_refunded"


@responses.activate
def test_429_then_success_retries_with_the_same_key(gateway):
    responses.post(URL, json=fixture("error_rate_limit.json"), status=429)
    responses.post(URL, json=fixture("refund_succeeded.json"))
    assert gateway.refund(request()).status == "succeeded"
    keys = {call.request.headers["Idempotency-Key"] for call in responses.calls}
    assert len(responses.calls) == 2 and keys == {"doorstep-return-1-payment-1"}


@responses.activate
def test_5xx_exhausts_bounded_retries_then_raises_retryable(gateway):
    for _ in range(5):
        responses.post(URL, json=fixture("error_api.json"), status=500)
    with pytest.raises(GatewayUnavailable) as exc:
        gateway.refund(request())
    assert exc.value.retryable and len(responses.calls) == 1 + StripeGateway.max_retries


@responses.activate
def test_rate_limit_exhausted(gateway):
    for _ in range(5):
        responses.post(URL, json=fixture("error_rate_limit.json"), status=429, headers={"Retry-After": "1"})
    with pytest.raises(GatewayRateLimited):
        gateway.refund(request())


@responses.activate
def test_should_retry_false_stops_retries(gateway):
    responses.post(URL, json=fixture("error_api.json"), status=500, headers={"Stripe-Should-Retry": "false"})
    with pytest.raises(GatewayUnavailable):
        gateway.refund(request())
    assert len(responses.calls) == 1


@responses.activate
def test_connection_error_is_retryable(gateway):
    import requests

    responses.post(URL, body=requests.ConnectionError("reset"))
    responses.post(URL, json=fixture("refund_succeeded.json"))
    assert gateway.refund(request()).reference.startswith("re_")


def test_missing_key_is_an_auth_error():
    with pytest.raises(GatewayAuthError):
        StripeGateway().refund(request())


@responses.activate
def test_retries_wait_the_shared_backoff_rule_and_honour_retry_after():
    waits = []
    gw = StripeGateway(GatewayCredentials(secret_key="sk_test_abc"))
    gw.sleep = waits.append
    responses.post(URL, json=fixture("error_api.json"), status=500)
    responses.post(URL, json=fixture("error_rate_limit.json"), status=429, headers={"Retry-After": "2"})
    responses.post(URL, json=fixture("refund_succeeded.json"))
    assert gw.refund(request()).status == "succeeded"
    assert 0.25 <= waits[0] <= 0.5 and waits[1] == 2.0  # backoff_seconds(0, base=0.5), then Retry-After


@responses.activate
def test_base_url_comes_from_the_credentials():
    responses.post("http://127.0.0.1:12111/v1/refunds", json=fixture("refund_succeeded.json"))
    gw = StripeGateway(GatewayCredentials(secret_key="sk_test_abc", api_url="http://127.0.0.1:12111"))
    assert gw.refund(request()).status == "succeeded"


def test_more_than_the_known_remaining_is_refused_before_any_call(gateway):
    with responses.RequestsMock():
        with pytest.raises(RefundDeclined) as exc:
            gateway.refund(RefundRequestData(payment_reference="pi_1", amount=Decimal("10"), currency="USD",
                                             idempotency_key="k", known_refundable=Decimal("9.99")))
    assert exc.value.code == "exceeds_refundable"

"""Twilio SMS and WhatsApp against recorded answers (``responses``; never the network)."""
import base64
import json
from urllib.parse import parse_qs

import pytest
import responses

from tracking.notifications.providers.base import (
    AccountError,
    InvalidMessage,
    MessageTemplate,
    OptedOut,
    ProviderAuthError,
    ProviderUnavailable,
    RateLimited,
    RecipientError,
    TemplateError,
    TextMessage,
)
from tracking.notifications.providers.twilio import TwilioProvider

from tests.support.fixtures import messaging_json
from tests.support.messaging import TWILIO_MESSAGES, TWILIO_SID


def form(call) -> dict:
    return {key: values[0] for key, values in parse_qs(call.request.body).items()}


@responses.activate
def test_sms_request_shape_and_result(twilio):
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "message_sms_queued.json"), status=201)
    result = twilio.send(TextMessage(to="+82 10-1234-5678", text="Your parcel HK-1001 was delivered."))
    assert (result.provider, result.kind, result.status, result.message_id, result.provider_code) == (
        "twilio", "sms", "accepted", "SM1f0e8ec9a2b84a0c9c8d7e6f5a4b3c21", "queued")
    call = responses.calls[0]
    expected = base64.b64encode(f"{TWILIO_SID}:twilio-auth-token".encode()).decode()
    assert call.request.headers["Authorization"] == f"Basic {expected}"
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form(call) == {"To": "+821012345678", "From": "+15017122661", "Body": "Your parcel HK-1001 was delivered."}


@responses.activate
def test_whatsapp_addresses(twilio):
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "message_whatsapp_queued.json"), status=201)
    result = twilio.send(TextMessage(to="+14155238886", text="Your parcel HK-1001 was delivered.", kind="whatsapp"))
    assert result.kind == "whatsapp"
    assert form(responses.calls[0]) == {"To": "whatsapp:+14155238886", "From": "whatsapp:+15017122661",
                                        "Body": "Your parcel HK-1001 was delivered."}


@responses.activate
def test_messaging_service_as_sender(twilio):
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "message_service_accepted.json"), status=201)
    twilio.send(TextMessage(to="+14155238886", text="hi", sender="MG9752274e9e519418a7406176694466fa"))
    assert form(responses.calls[0]) == {"To": "+14155238886", "Body": "hi",
                                        "MessagingServiceSid": "MG9752274e9e519418a7406176694466fa"}


@responses.activate
def test_whatsapp_content_template(twilio):
    twilio.templates["delivered"] = MessageTemplate(
        code="delivered", template_id="HXb5b62575e6e4ff6129ad7c8efe1f983e", variables=frozenset({"1", "2"}))
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "message_whatsapp_queued.json"), status=201)
    twilio.send(TextMessage(to="+14155238886", kind="whatsapp", template_code="delivered",
                            variables={"1": "HK-1001", "2": "12/1"}))
    sent = form(responses.calls[0])
    assert sent["ContentSid"] == "HXb5b62575e6e4ff6129ad7c8efe1f983e" and "Body" not in sent
    assert json.loads(sent["ContentVariables"]) == {"1": "HK-1001", "2": "12/1"}
    with responses.RequestsMock():
        with pytest.raises(TemplateError) as exc:
            twilio.send(TextMessage(to="+14155238886", kind="whatsapp", template_code="delivered",
                                    variables={"1": "x"}))
    assert exc.value.missing == ("2",)


@pytest.mark.parametrize("name, status, error, attributes", [
    ("error_20003.json", 401, ProviderAuthError, {"code": "20003"}),
    ("error_21211.json", 400, RecipientError, {"code": "21211", "reason": "invalid_number", "fallback_allowed": False}),
    ("error_21610.json", 400, OptedOut, {"code": "21610", "reason": "opted_out", "retryable": False}),
    ("error_21408.json", 400, AccountError, {"code": "21408"}),
    ("error_63016.json", 400, TemplateError, {"code": "63016", "fallback_allowed": True}),
])
@responses.activate
def test_errors(twilio, name, status, error, attributes):
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", name), status=status)
    with pytest.raises(error) as exc:
        twilio.send(TextMessage(to="+821012345678", text="hi"))
    for key, value in attributes.items():
        assert getattr(exc.value, key) == value, key
    assert messaging_json("twilio", name)["more_info"] in str(exc.value)
    assert len(responses.calls) == 1


@responses.activate
def test_rate_limit_retried_bounded_then_raised(twilio, sleeper):
    for _ in range(5):
        responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "error_20429.json"), status=429)
    with pytest.raises(RateLimited) as exc:
        twilio.send(TextMessage(to="+821012345678", text="hi"))
    assert exc.value.retryable and exc.value.code == "20429"
    assert len(responses.calls) == 3 and len(sleeper.waits) == 2 and 0.25 <= sleeper.waits[0] <= 0.5 and 0.5 <= sleeper.waits[1] <= 1.0


@responses.activate
def test_500_is_not_resent(twilio):
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "error_20500.json"), status=500)
    with pytest.raises(ProviderUnavailable) as exc:
        twilio.send(TextMessage(to="+821012345678", text="hi"))
    assert exc.value.maybe_sent and exc.value.retryable and len(responses.calls) == 1


@responses.activate
def test_a_message_created_as_undelivered_is_an_error(twilio):
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "message_undelivered.json"), status=201)
    with pytest.raises(RecipientError) as exc:
        twilio.send(TextMessage(to="+821012345678", text="hi"))
    assert exc.value.code == "30003" and exc.value.message_id == "SM1f0e8ec9a2b84a0c9c8d7e6f5a4b3c21"


@responses.activate
def test_delivery_report(twilio):
    sid = "SM1f0e8ec9a2b84a0c9c8d7e6f5a4b3c21"
    responses.get(f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}.json",
                  json=messaging_json("twilio", "message_undelivered.json"))
    report = twilio.delivery_report(sid)
    assert (report.status, report.provider_code, report.error.reason) == ("failed", "30003", "unreachable")


def test_invalid_numbers_and_long_bodies_are_refused_before_any_call(twilio):
    with responses.RequestsMock():
        with pytest.raises(RecipientError):
            twilio.send(TextMessage(to="12345", text="hi"))
        with pytest.raises(InvalidMessage):
            twilio.send(TextMessage(to="+821012345678", text="x" * 1601))
        with pytest.raises(InvalidMessage):
            twilio.send(TextMessage(to="+821012345678", kind="alimtalk", template_code="x"))


def test_missing_credentials():
    with pytest.raises(ProviderAuthError):
        TwilioProvider().send(TextMessage(to="+821012345678", text="hi", sender="+15017122661"))

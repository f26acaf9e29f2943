"""The 알림톡 -> SMS/LMS fallback rule: exactly one SMS when the 알림톡 cannot reach the shopper, never
both, both attempts recorded; never a fallback when the 알림톡 may have gone out."""
import json

import pytest
import responses

from tracking.notifications.providers.base import (
    AccountError,
    ProviderUnavailable,
    TemplateError,
    TextMessage,
)
from tracking.notifications.providers.fallback import FallbackSender, fallback_message, may_fall_back

from tests.support.fixtures import messaging_json
from tests.support.messaging import SOLAPI_LIST, SOLAPI_SEND, TWILIO_MESSAGES, delivered_variables

FALLBACK = "[한옥홈] 주문 HK-1001 배송 완료"


def alimtalk(**overrides):
    values = {"to": "+821012345678", "kind": "alimtalk", "template_code": "shipment_delivered",
              "variables": delivered_variables(), "subject": "[한옥홈] 배송 완료"}
    values.update(overrides)
    return TextMessage(**values)


def sent_types():
    return [json.loads(call.request.body)["messages"][0]["type"] for call in responses.calls
            if call.request.method == "POST"]


@responses.activate
def test_accepted_alimtalk_sends_nothing_else(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_accepted.json"))
    outcome = FallbackSender(solapi).send(alimtalk(), fallback_text=FALLBACK)
    assert (outcome.delivered_by, outcome.fallback_used, outcome.message_id) == (
        "alimtalk", False, "M4V20261125140950WPQKX5YBZ3GELTN")
    assert sent_types() == ["ATA"] and len(outcome.attempts) == 1


@responses.activate
def test_failed_alimtalk_falls_back_to_exactly_one_sms(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_failed_template_mismatch.json"))
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
    outcome = FallbackSender(solapi).send(alimtalk(), fallback_text=FALLBACK)
    assert sent_types() == ["ATA", "SMS"]
    assert json.loads(responses.calls[1].request.body)["messages"][0] == {
        "to": "01012345678", "from": "0212345678", "type": "SMS", "text": FALLBACK}
    assert (outcome.delivered, outcome.delivered_by, outcome.fallback_used, outcome.error) == (True, "sms", True, None)
    first, second = outcome.attempts
    assert (first.kind, first.status, first.provider_code, first.fallback_used) == ("alimtalk", "failed", "1043", False)
    assert (second.kind, second.status, second.fallback_used, second.message_id) == (
        "sms", "accepted", True, "M4V20261125141210L3DQJ0V6ZKQ9SXA")
    assert outcome.message_id == second.message_id


@responses.activate
def test_long_fallback_goes_as_one_lms_with_the_subject(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_failed_channel.json"))
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
    outcome = FallbackSender(solapi).send(alimtalk())  # default fallback: the template's text, filled in
    body = json.loads(responses.calls[1].request.body)["messages"][0]
    assert body["type"] == "LMS" and body["subject"] == "[한옥홈] 배송 완료"
    assert body["text"] == ("[한옥홈] 김민지님, 주문 HK-1001이(가) 배송 완료되었습니다.\n"
                            "배송 조회: https://t.example/o/abc")
    assert outcome.delivered_by == "lms" and len(responses.calls) == 2


@responses.activate
def test_uncertain_alimtalk_never_falls_back(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "error_internal.json"), status=500)
    with pytest.raises(ProviderUnavailable):
        FallbackSender(solapi).send(alimtalk(), fallback_text=FALLBACK)
    assert sent_types() == ["ATA"]


@responses.activate
def test_account_problems_do_not_fall_back(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "error_not_enough_balance.json"), status=402)
    with pytest.raises(AccountError):
        FallbackSender(solapi).send(alimtalk(), fallback_text=FALLBACK)
    assert len(responses.calls) == 1


def test_missing_variable_sends_nothing_at_all(solapi):
    variables = delivered_variables()
    del variables["name"]
    with responses.RequestsMock() as mock:
        with pytest.raises(TemplateError) as exc:
            FallbackSender(solapi).send(alimtalk(variables=variables), fallback_text=FALLBACK)
        assert len(mock.calls) == 0
    assert exc.value.missing == ("name",)


@responses.activate
def test_a_failed_fallback_is_reported_not_raised_and_retried_without_the_alimtalk(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_failed_template_mismatch.json"))
    responses.post(SOLAPI_SEND, body="", status=503)
    responses.post(SOLAPI_SEND, body="", status=503)
    responses.post(SOLAPI_SEND, body="", status=503)
    sender = FallbackSender(solapi)
    outcome = sender.send(alimtalk(), fallback_text=FALLBACK)
    assert not outcome.delivered and outcome.fallback_used and outcome.error.retryable
    assert [a.status for a in outcome.attempts] == ["failed", "failed"]
    # Later (the task's retry): only the SMS again, never the 알림톡.
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
    retried = sender.send_fallback(alimtalk(), fallback_text=FALLBACK, after=outcome.attempts[:1])
    assert retried.delivered_by == "sms" and len(retried.attempts) == 2
    assert sent_types() == ["ATA", "SMS", "SMS", "SMS", "SMS"]


@responses.activate
def test_late_report_not_a_kakaotalk_user_then_one_sms(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_accepted.json"))
    responses.get(SOLAPI_LIST, json=messaging_json("solapi", "report_alimtalk_not_kakaotalk_user.json"))
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
    sender, message = FallbackSender(solapi), alimtalk()
    first = sender.send(message, fallback_text=FALLBACK)
    report = solapi.delivery_report(first.message_id)
    assert may_fall_back(message, report.error)
    outcome = sender.send_fallback(message, fallback_text=FALLBACK, after=first.attempts)
    assert outcome.delivered_by == "sms" and [a.kind for a in outcome.attempts] == ["alimtalk", "sms"]
    assert sent_types() == ["ATA", "SMS"]


@responses.activate
def test_fallback_through_another_provider(solapi, twilio):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_failed_template_mismatch.json"))
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "message_sms_queued.json"), status=201)
    outcome = FallbackSender(solapi, sms=twilio).send(alimtalk(), fallback_text=FALLBACK)
    assert [(a.provider, a.kind, a.status) for a in outcome.attempts] == [
        ("solapi", "alimtalk", "failed"), ("twilio", "sms", "accepted")]


def test_fallback_message_and_rule():
    sms = fallback_message(alimtalk(sender="0299998888"), "짧은 안내")
    assert (sms.kind, sms.subject, sms.sender, sms.to) == ("sms", "", "0299998888", "+821012345678")
    lms = fallback_message(alimtalk(), "가" * 46)
    assert (lms.kind, lms.subject) == ("lms", "[한옥홈] 배송 완료")
    plain = TextMessage(to="+821012345678", text="hi")
    error = TemplateError("x", fallback_allowed=True)
    assert may_fall_back(alimtalk(), error) and not may_fall_back(plain, error)
    assert not may_fall_back(alimtalk(), ProviderUnavailable("x", fallback_allowed=True))
    with pytest.raises(ValueError):
        fallback_message(alimtalk(), "  ")

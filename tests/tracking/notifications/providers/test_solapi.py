"""Solapi 알림톡 and SMS/LMS against recorded answers (``responses``; never the network)."""
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

import pytest
import requests
import responses

from tracking.notifications.providers.base import (
    AccountError,
    InvalidMessage,
    OptedOut,
    ProviderAuthError,
    ProviderCredentials,
    ProviderUnavailable,
    RateLimited,
    RecipientError,
    TemplateError,
    TextMessage,
)
from tracking.notifications.providers.solapi import SolapiProvider
from tracking.notifications.providers.solapi.client import authorization

from tests.support.fixtures import messaging_json
from tests.support.messaging import DELIVERED_TEMPLATE, SOLAPI_LIST, SOLAPI_SEND, delivered_variables

AUTH = re.compile(r"^HMAC-SHA256 apiKey=(?P<key>[^,]+), date=(?P<date>[^,]+), salt=(?P<salt>[^,]+), "
                  r"signature=(?P<signature>[0-9a-f]{64})$")


def alimtalk(**variables):
    return TextMessage(to="+821012345678", kind="alimtalk", template_code="shipment_delivered",
                       variables=variables or delivered_variables())


def sent(call) -> dict:
    return json.loads(call.request.body)


def assert_signed(call, secret="s3cr3t-solapi-key-for-tests"):
    match = AUTH.match(call.request.headers["Authorization"])
    assert match, call.request.headers["Authorization"]
    assert match["key"] == "NCSAYU7YDBXYORXC"
    datetime.fromisoformat(match["date"].replace("Z", "+00:00"))  # ISO 8601
    assert 12 <= len(match["salt"]) <= 64
    expected = hmac.new(secret.encode(), (match["date"] + match["salt"]).encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(match["signature"], expected)
    return match


def test_signature_matches_the_documented_algorithm():
    header = authorization("NCSAYU7YDBXYORXC", "secret", now=datetime(2019, 7, 1, 0, 41, 48, tzinfo=UTC),
                           salt="jqsba2jxjnrjor")
    signature = hmac.new(b"secret", b"2019-07-01T00:41:48Zjqsba2jxjnrjor", hashlib.sha256).hexdigest()
    assert header == ("HMAC-SHA256 apiKey=NCSAYU7YDBXYORXC, date=2019-07-01T00:41:48Z, salt=jqsba2jxjnrjor, "
                      f"signature={signature}")


@responses.activate
def test_alimtalk_request_shape_and_accepted_result(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_accepted.json"))
    result = solapi.send(alimtalk())
    assert (result.provider, result.kind, result.status, result.message_id, result.provider_code) == (
        "solapi", "alimtalk", "accepted", "M4V20261125140950WPQKX5YBZ3GELTN", "2000")
    call = responses.calls[0]
    assert_signed(call)
    assert call.request.headers["Content-Type"] == "application/json"
    body = sent(call)
    assert body["showMessageList"] is True and body["allowDuplicates"] is False
    assert body["messages"] == [{
        "to": "01012345678", "from": "0212345678", "type": "ATA",
        "kakaoOptions": {"pfId": "KA01PF2210250831174ktOlzKg2J3Qj", "templateId": "KA01TP221025083117992xkz17KyvNbr",
                         "variables": {"#{merchant}": "한옥홈", "#{name}": "김민지", "#{order}": "HK-1001",
                                       "#{url}": "https://t.example/o/abc"},
                         "disableSms": True}}]


def test_missing_template_variable_is_refused_before_any_call(solapi):
    variables = delivered_variables()
    del variables["order"]
    with responses.RequestsMock() as mock:
        with pytest.raises(TemplateError) as exc:
            solapi.send(alimtalk(**variables))
        assert len(mock.calls) == 0
    assert exc.value.missing == ("order",) and exc.value.code == "template_variables"
    assert not exc.value.retryable and not exc.value.fallback_allowed
    assert "order" in str(exc.value) and "shipment_delivered" in str(exc.value)


@pytest.mark.parametrize("variables, missing, unknown", [
    (delivered_variables(name=""), ("name",), ()),
    (delivered_variables(tracking_no="1234"), (), ("tracking_no",)),
    ({"#{merchant}": "한옥홈", "#{name}": "김민지", "#{order}": "HK-1001", "#{url}": "u", "#{a.b}": "x"}, (), ("a.b",)),
])
def test_empty_unknown_and_dotted_variables_are_refused(solapi, variables, missing, unknown):
    with responses.RequestsMock():
        with pytest.raises(TemplateError) as exc:
            solapi.send(alimtalk(**variables))
    assert exc.value.missing == missing and exc.value.unknown == unknown


def test_unregistered_template_is_refused(solapi):
    with responses.RequestsMock():
        with pytest.raises(TemplateError) as exc:
            solapi.send(TextMessage(to="+821012345678", kind="alimtalk", template_code="nps_survey"))
    assert exc.value.code == "unknown_template"


@responses.activate
def test_sms_up_to_90_bytes(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
    text = "가" * 45  # 90 EUC-KR bytes
    result = solapi.send(TextMessage(to="+821012345678", text=text, kind="sms", subject="ignored for SMS"))
    assert result.kind == "sms" and result.message_id == "M4V20261125141210L3DQJ0V6ZKQ9SXA"
    assert sent(responses.calls[0])["messages"] == [{"to": "01012345678", "from": "0212345678", "type": "SMS",
                                                    "text": text}]


@responses.activate
def test_longer_text_goes_as_lms_with_subject(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
    text = "가" * 45 + "!"  # 91 bytes
    result = solapi.send(TextMessage(to="+821012345678", text=text, kind="sms", subject="[한옥홈] 배송 안내"))
    assert result.kind == "lms"
    assert sent(responses.calls[0])["messages"][0] == {"to": "01012345678", "from": "0212345678", "type": "LMS",
                                                       "text": text, "subject": "[한옥홈] 배송 안내"}


def test_text_longer_than_an_lms_is_refused_before_any_call(solapi):
    with responses.RequestsMock():
        with pytest.raises(InvalidMessage) as exc:
            solapi.send(TextMessage(to="+821012345678", text="가" * 1001, kind="lms"))
    assert exc.value.code == "too_long"


def test_number_outside_korea_is_refused_before_any_call(solapi):
    with responses.RequestsMock():
        with pytest.raises(RecipientError) as exc:
            solapi.send(TextMessage(to="+14155238886", text="hi", kind="sms"))
    assert exc.value.reason == "invalid_number"


@responses.activate
def test_alimtalk_template_mismatch_is_a_template_error_that_may_fall_back(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_failed_template_mismatch.json"))
    with pytest.raises(TemplateError) as exc:
        solapi.send(alimtalk())
    assert exc.value.code == "1043" and exc.value.fallback_allowed and not exc.value.retryable
    assert exc.value.message_id == "M4V20261125140950NZ1QPR7TC0SVJ2D"
    assert str(exc.value) == "등록한 템플릿과 내용이 다릅니다."


@responses.activate
def test_invalid_kakaotalk_channel_is_an_account_error_that_may_fall_back(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_failed_channel.json"))
    with pytest.raises(AccountError) as exc:
        solapi.send(alimtalk())
    assert exc.value.code == "1041" and exc.value.fallback_allowed


@responses.activate
def test_opted_out_recipient(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_failed_opted_out.json"))
    with pytest.raises(OptedOut) as exc:
        solapi.send(TextMessage(to="+821012345678", text="hi", kind="sms"))
    assert exc.value.reason == "opted_out" and exc.value.code == "1061" and not exc.value.retryable


@responses.activate
def test_insufficient_balance_per_message_and_per_request(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_failed_balance.json"))
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "error_not_enough_balance.json"), status=402)
    for code in ("1030", "NotEnoughBalance"):
        with pytest.raises(AccountError) as exc:
            solapi.send(TextMessage(to="+821012345678", text="hi", kind="sms"))
        assert exc.value.code == code and not exc.value.retryable and not exc.value.fallback_allowed


@pytest.mark.parametrize("name", ["error_invalid_api_key.json", "error_signature_does_not_match.json"])
@responses.activate
def test_auth_errors(solapi, name):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", name), status=403)
    with pytest.raises(ProviderAuthError) as exc:
        solapi.send(alimtalk())
    assert exc.value.code == messaging_json("solapi", name)["errorCode"] and len(responses.calls) == 1


@responses.activate
def test_validation_error_is_an_invalid_message(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "error_validation.json"), status=400)
    with pytest.raises(InvalidMessage) as exc:
        solapi.send(TextMessage(to="+821012345678", text="hi", kind="sms"))
    assert exc.value.code == "ValidationError"


@responses.activate
def test_rate_limit_is_retried_a_bounded_number_of_times_with_fresh_signatures(solapi, sleeper):
    for _ in range(5):
        responses.post(SOLAPI_SEND, json=messaging_json("solapi", "error_too_many_requests.json"), status=429,
                       headers={"Retry-After": "2"})
    with pytest.raises(RateLimited) as exc:
        solapi.send(alimtalk())
    assert exc.value.retryable and exc.value.retry_after == 2.0
    assert len(responses.calls) == 1 + SolapiProvider.max_retries and sleeper.waits == [2.0, 2.0]
    salts = {assert_signed(call)["salt"] for call in responses.calls}
    assert len(salts) == 3  # Solapi refuses a signature it has seen before


@responses.activate
def test_503_means_nothing_was_sent_and_is_retried(solapi, sleeper):
    responses.post(SOLAPI_SEND, body="<html><body>503 Service Unavailable</body></html>", status=503)
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_accepted.json"))
    assert solapi.send(alimtalk()).status == "accepted"
    assert len(responses.calls) == 2 and len(sleeper.waits) == 1 and 0.25 <= sleeper.waits[0] <= 0.5


@responses.activate
def test_500_may_have_sent_so_it_is_not_resent(solapi):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "error_internal.json"), status=500)
    with pytest.raises(ProviderUnavailable) as exc:
        solapi.send(alimtalk())
    assert exc.value.retryable and exc.value.maybe_sent and len(responses.calls) == 1


@responses.activate
def test_connect_timeout_is_retried_read_timeout_is_not(solapi):
    responses.post(SOLAPI_SEND, body=requests.ConnectTimeout("connect timed out"))
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_alimtalk_accepted.json"))
    assert solapi.send(alimtalk()).status == "accepted"
    responses.post(SOLAPI_SEND, body=requests.ReadTimeout("read timed out"))
    with pytest.raises(ProviderUnavailable) as exc:
        solapi.send(alimtalk())
    assert exc.value.maybe_sent and len(responses.calls) == 3


@responses.activate
def test_delivery_report_not_a_kakaotalk_user(solapi):
    responses.get(SOLAPI_LIST, json=messaging_json("solapi", "report_alimtalk_not_kakaotalk_user.json"))
    report = solapi.delivery_report("M4V20261125140950WPQKX5YBZ3GELTN")
    assert (report.status, report.kind, report.provider_code) == ("failed", "alimtalk", "3104")
    assert isinstance(report.error, RecipientError) and report.error.reason == "no_kakaotalk"
    assert report.error.fallback_allowed
    assert responses.calls[0].request.params == {"messageId": "M4V20261125140950WPQKX5YBZ3GELTN"}
    assert_signed(responses.calls[0])


@responses.activate
def test_delivery_report_delivered(solapi):
    responses.get(SOLAPI_LIST, json=messaging_json("solapi", "report_alimtalk_delivered.json"))
    report = solapi.delivery_report("M4V20261125140950WPQKX5YBZ3GELTN")
    assert (report.status, report.error) == ("delivered", None)


@responses.activate
def test_base_url_from_credentials():
    responses.post("http://127.0.0.1:8877/messages/v4/send-many/detail", json=messaging_json("solapi", "send_sms_accepted.json"))
    provider = SolapiProvider(ProviderCredentials(api_key="k", api_secret="s", sender="0212345678",
                                                  api_url="http://127.0.0.1:8877/"))
    assert provider.send(TextMessage(to="+821012345678", text="hi")).status == "accepted"


def test_missing_credentials_pfid_and_sender():
    message = TextMessage(to="+821012345678", text="hi")
    with pytest.raises(ProviderAuthError):
        SolapiProvider().send(message)
    with pytest.raises(AccountError) as exc:
        SolapiProvider(ProviderCredentials(api_key="k", api_secret="s")).send(message)
    assert exc.value.code == "missing_sender"
    no_pfid = SolapiProvider(ProviderCredentials(api_key="k", api_secret="s", sender="0212345678"),
                             templates={DELIVERED_TEMPLATE.code: DELIVERED_TEMPLATE})
    with pytest.raises(AccountError) as exc:
        no_pfid.send(alimtalk())
    assert exc.value.code == "missing_pfid"


def test_whatsapp_is_not_a_solapi_kind(solapi):
    with pytest.raises(InvalidMessage):
        solapi.send(TextMessage(to="+821012345678", text="hi", kind="whatsapp"))

"""ProviderChannel backends on real providers (configured from settings), and the provider registry."""
import json

import pytest
import responses

from tracking.notifications import channels
from tracking.notifications.providers.backends import (
    PermanentTextChannelError,
    SolapiSMSBackend,
    TextChannelError,
    TwilioSMSBackend,
)
from tracking.notifications.providers.base import ProviderCredentials
from tracking.notifications.providers.registry import UnknownProvider, get_text_provider
from tracking.notifications.providers.solapi import SolapiProvider

from tests.support.fixtures import messaging_json
from tests.support.messaging import SOLAPI_SEND, TWILIO_MESSAGES, TWILIO_SID


@pytest.fixture
def provider_settings(settings):
    settings.DOORSTEP_TEXT_PROVIDER_CREDENTIALS = {
        "solapi": {"api_key": "NCSAYU7YDBXYORXC", "api_secret": "secret", "sender": "0212345678",
                   "sender_profile": "KA01PF2210250831174ktOlzKg2J3Qj", "api_url": "https://api.solapi.com"},
        "twilio": {"api_key": TWILIO_SID, "api_secret": "token", "sender": "+15017122661",
                   "api_url": "https://api.twilio.com"},
    }
    return settings


@responses.activate
def test_sms_channel_through_solapi(provider_settings):
    provider_settings.DOORSTEP_SMS_BACKEND = "tracking.notifications.providers.backends.SolapiSMSBackend"
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
    message = channels.Message(to="010-1234-5678", subject="ignored", text="[한옥홈] HK-1001 배송 완료")
    assert channels.get_channel("sms").send(message) == "M4V20261125141210L3DQJ0V6ZKQ9SXA"
    assert json.loads(responses.calls[0].request.body)["messages"][0] == {
        "to": "01012345678", "from": "0212345678", "type": "SMS", "text": "[한옥홈] HK-1001 배송 완료"}


@responses.activate
def test_long_text_goes_as_lms(provider_settings):
    responses.post(SOLAPI_SEND, json=messaging_json("solapi", "send_sms_accepted.json"))
    SolapiSMSBackend().send(to="+821012345678", text="가" * 60)
    assert json.loads(responses.calls[0].request.body)["messages"][0]["type"] == "LMS"


@responses.activate
def test_whatsapp_channel_through_twilio(provider_settings):
    provider_settings.DOORSTEP_WHATSAPP_BACKEND = "tracking.notifications.providers.backends.TwilioWhatsAppBackend"
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "message_whatsapp_queued.json"), status=201)
    message = channels.Message(to="+14155238886", subject="", text="Delivered")
    assert channels.get_channel("whatsapp").send(message) == "SM9a1b2c3d4e5f60718293a4b5c6d7e8f9"
    assert "To=whatsapp%3A%2B14155238886" in responses.calls[0].request.body


@responses.activate
def test_opted_out_is_a_permanent_channel_error(provider_settings):
    responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "error_21610.json"), status=400)
    with pytest.raises(PermanentTextChannelError) as exc:
        TwilioSMSBackend().send(to="+821012345678", text="hi")
    assert isinstance(exc.value, channels.ChannelError) and exc.value.code == "21610" and not exc.value.retryable
    assert exc.value.provider_error.reason == "opted_out"


@responses.activate
def test_rate_limit_is_a_retryable_channel_error(provider_settings):
    for _ in range(3):
        responses.post(TWILIO_MESSAGES, json=messaging_json("twilio", "error_20429.json"), status=429)
    backend = TwilioSMSBackend()
    backend.provider.sleep = lambda seconds: None
    with pytest.raises(TextChannelError) as exc:
        backend.send(to="+821012345678", text="hi")
    assert exc.value.retryable and not isinstance(exc.value, PermanentTextChannelError)


def test_unusable_phone_number_is_permanent(provider_settings):
    with responses.RequestsMock():
        with pytest.raises(PermanentTextChannelError):
            SolapiSMSBackend().send(to="not a number", text="hi")


def test_console_and_memory_backends_still_work(settings):
    settings.DOORSTEP_SMS_BACKEND = "tracking.notifications.channels.MemoryTextBackend"
    channels.MemoryTextBackend.outbox.clear()
    message = channels.Message(to="+821012345678", subject="", text="hi")
    assert channels.get_channel("sms").send(message).startswith("mem-")
    assert channels.ConsoleTextBackend().send(to="+821012345678", text="hi").startswith("console-")


def test_registry_fills_base_url_and_credentials(provider_settings):
    provider_settings.DOORSTEP_TEXT_PROVIDER_CREDENTIALS["solapi"]["api_url"] = "http://127.0.0.1:8877"
    provider = get_text_provider("solapi")
    assert isinstance(provider, SolapiProvider) and provider.api_url == "http://127.0.0.1:8877"
    assert provider.credentials.sender_profile == "KA01PF2210250831174ktOlzKg2J3Qj"
    own = get_text_provider("solapi", ProviderCredentials(api_key="merchant", api_secret="s"))
    assert (own.credentials.api_key, own.api_url) == ("merchant", "http://127.0.0.1:8877")
    assert "secret" not in repr(provider.credentials)
    with pytest.raises(UnknownProvider):
        get_text_provider("nope")

"""Shared helpers for the text-message provider tests: recorded answers, a template catalog, and
providers that record their waits instead of sleeping."""
import json
from pathlib import Path

import pytest

from tracking.notifications.providers.base import MessageTemplate, ProviderCredentials
from tracking.notifications.providers.solapi import SolapiProvider
from tracking.notifications.providers.twilio import TwilioProvider

FIXTURES = Path(__file__).parent / "fixtures"
SOLAPI_SEND = "https://api.solapi.com/messages/v4/send-many/detail"
SOLAPI_LIST = "https://api.solapi.com/messages/v4/list"
TWILIO_SID = "AC7f3b1a2c9d8e4f5061728394a5b6c7d8"
TWILIO_MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"

DELIVERED_TEMPLATE = MessageTemplate(
    code="shipment_delivered",
    template_id="KA01TP221025083117992xkz17KyvNbr",
    text="[#{merchant}] #{name}님, 주문 #{order}이(가) 배송 완료되었습니다.\n배송 조회: #{url}",
)


def load(provider: str, name: str):
    return json.loads((FIXTURES / provider / name).read_text())


@pytest.fixture
def slept():
    return []


@pytest.fixture
def solapi(slept):
    provider = SolapiProvider(
        ProviderCredentials(api_key="NCSAYU7YDBXYORXC", api_secret="s3cr3t-solapi-key-for-tests",
                            sender="02-1234-5678", sender_profile="KA01PF2210250831174ktOlzKg2J3Qj"),
        templates={DELIVERED_TEMPLATE.code: DELIVERED_TEMPLATE})
    provider.sleep = slept.append
    return provider


@pytest.fixture
def twilio(slept):
    provider = TwilioProvider(ProviderCredentials(api_key=TWILIO_SID, api_secret="twilio-auth-token",
                                                  sender="+15017122661"))
    provider.sleep = slept.append
    return provider


def delivered_variables(**overrides):
    values = {"merchant": "한옥홈", "name": "김민지", "order": "HK-1001", "url": "https://t.example/o/abc"}
    values.update(overrides)
    return values

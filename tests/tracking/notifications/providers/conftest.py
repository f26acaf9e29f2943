"""Text-message providers that record their waits instead of sleeping."""
import pytest

from tests.support.messaging import DELIVERED_TEMPLATE, TWILIO_SID
from tracking.notifications.providers.base import ProviderCredentials
from tracking.notifications.providers.solapi import SolapiProvider
from tracking.notifications.providers.twilio import TwilioProvider


@pytest.fixture
def solapi(sleeper):
    provider = SolapiProvider(
        ProviderCredentials(api_key="NCSAYU7YDBXYORXC", api_secret="s3cr3t-solapi-key-for-tests",
                            sender="02-1234-5678", sender_profile="KA01PF2210250831174ktOlzKg2J3Qj"),
        templates={DELIVERED_TEMPLATE.code: DELIVERED_TEMPLATE})
    provider.sleep = sleeper
    return provider


@pytest.fixture
def twilio(sleeper):
    provider = TwilioProvider(ProviderCredentials(api_key=TWILIO_SID, api_secret="twilio-auth-token",
                                                  sender="+15017122661"))
    provider.sleep = sleeper
    return provider

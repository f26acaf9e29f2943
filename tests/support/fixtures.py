"""Loaders for recorded provider files. Paths are anchored at the tests package, so a test module
can move without its fixtures going missing."""
import json
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
# One folder per carrier adapter: tests/tracking/carriers/fixtures/<adapter>/<name>
CARRIER_FIXTURES = TESTS / "tracking" / "carriers" / "fixtures"
# Text-message providers: tests/tracking/notifications/providers/fixtures/<provider>/<name>
MESSAGING_FIXTURES = TESTS / "tracking" / "notifications" / "providers" / "fixtures"
# Payment gateways: tests/returns/payments/fixtures/<gateway>/<name>
PAYMENT_FIXTURES = TESTS / "returns" / "payments" / "fixtures"
# Store platforms: tests/tracking/stores/fixtures/<platform>/<name>
STORE_FIXTURES = TESTS / "tracking" / "stores" / "fixtures"


def fixture_json(carrier: str, name: str):
    """A carrier adapter's recorded JSON, parsed."""
    return json.loads((CARRIER_FIXTURES / carrier / name).read_text())


def fixture_bytes(carrier: str, name: str) -> bytes:
    """A carrier adapter's recorded file, as the bytes a carrier would send."""
    return (CARRIER_FIXTURES / carrier / name).read_bytes()


def messaging_json(provider: str, name: str):
    """A text-message provider's recorded answer (solapi, twilio), parsed."""
    return json.loads((MESSAGING_FIXTURES / provider / name).read_text())


def payment_json(gateway: str, name: str):
    """A payment gateway's recorded answer (stripe, toss), parsed."""
    return json.loads((PAYMENT_FIXTURES / gateway / name).read_text())


def store_json(platform: str, name: str):
    """A store platform's recorded answer or webhook body (shopify, woocommerce, cafe24), parsed."""
    return json.loads((STORE_FIXTURES / platform / name).read_text())


def store_bytes(platform: str, name: str) -> bytes:
    """A store platform's recorded webhook body, as the bytes the platform would send."""
    return (STORE_FIXTURES / platform / name).read_bytes()


def request_json(call) -> dict:
    """The JSON body a recorded call (``responses.calls[i]``) sent."""
    return json.loads(call.request.body)

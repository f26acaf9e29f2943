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

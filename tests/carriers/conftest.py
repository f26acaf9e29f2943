import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_json(carrier: str, name: str):
    return json.loads((FIXTURES / carrier / name).read_text())


def fixture_bytes(carrier: str, name: str) -> bytes:
    return (FIXTURES / carrier / name).read_bytes()


class RecordingSleep:
    """Injected in place of time.sleep: records each wait instead of sleeping."""

    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeper():
    return RecordingSleep()


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Carrier tests never touch the network: a request outside ``responses`` fails loudly instead
    of trying to connect (``responses`` patches the same method while it is active)."""

    def refuse(self, request, *args, **kwargs):
        raise RuntimeError(f"test tried to reach the network: {request.method} {request.url.split('?')[0]}")

    monkeypatch.setattr("requests.adapters.HTTPAdapter.send", refuse)

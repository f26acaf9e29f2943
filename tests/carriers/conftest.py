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

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 12, 9, 0, tzinfo=timezone.utc)


def fixture_json(platform: str, name: str):
    return json.loads((FIXTURES / platform / name).read_text())


def fixture_bytes(platform: str, name: str) -> bytes:
    return (FIXTURES / platform / name).read_bytes()


class RecordingSleep:
    """Injected in place of time.sleep: records each wait instead of sleeping."""

    def __init__(self):
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeper():
    return RecordingSleep()


def request_json(call) -> dict:
    return json.loads(call.request.body)

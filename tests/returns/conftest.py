"""Fixtures for the returns tests: a merchant with its policy and a delivered two-line order paid by the
mock gateway (tests.support.returns builds more)."""
import pytest
from django.utils import translation

from returns.models import ReturnPolicy
from returns.payments.mock import MockGateway
from returns.services import return_policy_ensure
from tests.support.returns import make_order


@pytest.fixture(autouse=True)
def _english():
    """A request in Korean leaves the language active in this thread; messages are asserted in English."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "private")}}}
    MockGateway.reset()
    yield
    MockGateway.reset()


@pytest.fixture
def policy(merchant) -> ReturnPolicy:
    return return_policy_ensure(merchant=merchant)


@pytest.fixture
def order(merchant, policy):
    return make_order(merchant)

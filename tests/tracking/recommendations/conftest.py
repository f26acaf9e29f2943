import pytest

from tests.support.shops import Shop


@pytest.fixture
def shop(db):
    return Shop()

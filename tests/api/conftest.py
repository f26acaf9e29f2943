from decimal import Decimal

import pytest

from tests.factories import ProductVariantFactory
from tests.support.api import KeyClient


@pytest.fixture
def api(merchant):
    return KeyClient(merchant)


@pytest.fixture
def other_api(other_merchant):
    return KeyClient(other_merchant)


@pytest.fixture
def variants(merchant):
    return [ProductVariantFactory(product__merchant=merchant, sku=f"SKU-{i}", price=Decimal("1000") * (i + 1),
                                  currency="KRW") for i in range(10)]

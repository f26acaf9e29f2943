"""A merchant with a small catalogue and purchases, for recommendation and offer tests."""
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.factories import (CustomerFactory, MerchantFactory, OrderFactory, OrderLineFactory, ProductFactory,
                             ProductVariantFactory)


class Shop:
    """A merchant with a small catalogue and a helper to record purchases."""

    def __init__(self, **merchant_kwargs):
        self.merchant = MerchantFactory(**merchant_kwargs)
        self.products = {}

    def product(self, name, *, category="apparel", stock=10, price="25000", **kwargs):
        product = ProductFactory(merchant=self.merchant, title=name, category=category,
                                 url=f"{self.merchant.store_url}/products/{name.lower().replace(' ', '-')}", **kwargs)
        ProductVariantFactory(product=product, stock=stock, price=Decimal(price))
        self.products[name] = product
        return product

    def customer(self, **kwargs):
        return CustomerFactory(merchant=self.merchant, **kwargs)

    def buy(self, customer, *names, days_ago=10, **order_kwargs):
        order = OrderFactory(merchant=self.merchant, customer=customer,
                             placed_at=timezone.now() - timedelta(days=days_ago), **order_kwargs)
        for name in names:
            OrderLineFactory(order=order, variant=self.products[name].variants.first())
        return order

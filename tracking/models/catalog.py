"""The merchant's catalogue: products and the variants that are actually sold."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.money import validate_currency
from tracking.models.merchants import Merchant


class Product(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="products")
    external_id = models.CharField(max_length=64, help_text=_("The store's product id or handle."))
    title = models.CharField(max_length=200)
    title_ko = models.CharField(max_length=200, blank=True, help_text=_("Korean title, if the store has one."))
    category = models.CharField(max_length=80, db_index=True)
    url = models.URLField(blank=True, help_text=_("The product page in the store."))
    image_url = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "external_id"], name="product_unique_external_id"),
        ]

    def __str__(self):
        return self.title


class ProductVariant(models.Model):
    # Denormalised merchant so tenant-scoped queries on variants need no join.
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="variants")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=200, help_text=_("e.g. 'Blue / M'"))
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    image_url = models.URLField(blank=True)
    returnable = models.BooleanField(default=True)
    final_sale = models.BooleanField(default=False)
    stock = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "sku"], name="variant_unique_sku_per_merchant"),
            # Zero is allowed: free gifts and samples are real catalogue items.
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_not_negative"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
        ]

    def __str__(self):
        return f"{self.sku} · {self.title}"

    @property
    def is_returnable(self) -> bool:
        return self.returnable and not self.final_sale

"""Catalogue writes: upsert a product and its variants by the store's ids."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from tracking.models import Merchant, Product, ProductVariant
from tracking.money import CURRENCY_CODES


@dataclass
class VariantData:
    sku: str
    title: str
    price: Decimal
    currency: str
    image_url: str = ""
    returnable: bool = True
    final_sale: bool = False
    stock: int = 0


@dataclass
class ProductData:
    external_id: str
    title: str
    category: str = ""
    title_ko: str = ""
    url: str = ""
    image_url: str = ""
    is_active: bool = True
    variants: list[VariantData] = field(default_factory=list)


_VARIANT_FIELDS = ("title", "price", "currency", "image_url", "returnable", "final_sale", "stock")
_PRODUCT_FIELDS = ("title", "category", "title_ko", "url", "image_url", "is_active")


@transaction.atomic
def product_upsert(*, merchant: Merchant, data: ProductData) -> tuple[Product, bool]:
    """Create or update the product (merchant, external_id) and the variants given, matched by SKU.
    Variants not mentioned are left alone (sold variants can't be deleted: order history needs them).
    Returns (product, created)."""
    errors: dict[str, list[str]] = {}
    skus = [v.sku for v in data.variants]
    for index, variant in enumerate(data.variants):
        if variant.currency not in CURRENCY_CODES:
            errors[f"variants.{index}.currency"] = [f"{variant.currency!r} is not an ISO 4217 currency code."]
        if variant.price < 0:
            errors[f"variants.{index}.price"] = ["Must not be negative."]
        if variant.stock < 0:
            errors[f"variants.{index}.stock"] = ["Must not be negative."]
        if skus.count(variant.sku) > 1:
            errors[f"variants.{index}.sku"] = ["Appears more than once."]
    product = Product.objects.select_for_update().filter(merchant=merchant, external_id=data.external_id).first()
    existing = {v.sku: v for v in ProductVariant.objects.filter(merchant=merchant, sku__in=skus)}
    for index, variant in enumerate(data.variants):
        other = existing.get(variant.sku)
        if other is not None and (product is None or other.product_id != product.pk):
            errors.setdefault(f"variants.{index}.sku", []).append("This SKU belongs to another product.")
    if errors:
        raise ValidationError(errors)

    created = product is None
    if created:
        product = Product.objects.create(merchant=merchant, external_id=data.external_id,
                                         **{f: getattr(data, f) for f in _PRODUCT_FIELDS})
    else:
        for f in _PRODUCT_FIELDS:
            setattr(product, f, getattr(data, f))
        product.save()
    new_variants = []
    for variant in data.variants:
        values = {f: getattr(variant, f) for f in _VARIANT_FIELDS}
        row = existing.get(variant.sku)
        if row is None:
            new_variants.append(ProductVariant(merchant=merchant, product=product, sku=variant.sku, **values))
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            row.save()
    ProductVariant.objects.bulk_create(new_variants)
    return product, created

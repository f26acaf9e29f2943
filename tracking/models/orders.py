"""Orders as the store sold them. Amounts are Decimal in the order's currency."""
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Replace, Upper
from django.utils.translation import gettext_lazy as _

from tracking.money import validate_currency
from tracking.models.catalog import ProductVariant
from tracking.models.merchants import Customer, Merchant


# What shoppers type is not always what the store printed: "th-14999", "TH 14999" and "#TH14999" are
# the same order. Characters left out of the lookup key; number_key() applies the same rule in Python.
NUMBER_KEY_DROPPED = ("#", " ", "-")


def number_key(number: str) -> str:
    """The lookup form of an order number: without '#', spaces and dashes, ASCII letters upper-cased
    (the database's UPPER does the same to the stored column)."""
    kept = "".join(c for c in number.strip() if c not in NUMBER_KEY_DROPPED and not c.isspace())
    return "".join(c.upper() if c.isascii() else c for c in kept)


def _number_key_expression():
    expression = F("number")
    for dropped in NUMBER_KEY_DROPPED:
        expression = Replace(expression, Value(dropped), Value(""))
    return Upper(expression)


class Order(models.Model):
    class Source(models.TextChoices):
        API = "api", _("API")
        IMPORT = "import", _("Import")
        DEMO = "demo", _("Demo")
        ADMIN = "admin", _("Admin")
        EXCHANGE = "exchange", _("Exchange")
        STORE = "store", _("Store connection")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="orders")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=64, help_text=_("The order number the shopper sees."))
    # Computed by the database from ``number`` (whatever path wrote the row: API, import, demo, store sync).
    number_key = models.GeneratedField(expression=_number_key_expression(), output_field=models.CharField(max_length=64),
                                       db_persist=True)
    placed_at = models.DateTimeField(db_index=True)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    shipping_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tax_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    discount_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, help_text=_("What the shopper paid."))
    payment_gateway = models.CharField(max_length=32, blank=True, help_text=_("Refunds go back through this."))
    payment_reference = models.CharField(max_length=128, blank=True)
    # Shipping address: postal code and country drive lookup, EDD lanes and holidays.
    ship_name = models.CharField(max_length=120, blank=True)
    ship_line1 = models.CharField(max_length=200, blank=True)
    ship_line2 = models.CharField(max_length=200, blank=True)
    ship_city = models.CharField(max_length=100, blank=True)
    ship_region = models.CharField(max_length=100, blank=True)
    ship_postal_code = models.CharField(max_length=20)
    ship_country = models.CharField(max_length=2)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.API)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "number"], name="order_unique_number_per_merchant"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0, shipping_total__gte=0, tax_total__gte=0, discount_total__gte=0),
                name="order_amounts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["merchant", "placed_at"]), models.Index(fields=["customer", "placed_at"]),
                   models.Index(fields=["number_key"], name="order_number_key")]

    def __str__(self):
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # PROTECT: a sold variant cannot vanish from under its order history; retire it with is_active.
    variant = models.ForeignKey(ProductVariant, on_delete=models.PROTECT, related_name="order_lines")
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=200, help_text=_("The product title as sold."))
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"

    @property
    def line_total(self):
        return self.unit_price * self.quantity

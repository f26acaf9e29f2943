"""Recommendation tables, post-purchase offers and the impression/click logs that attribution reads.

Registered under the ``tracking`` app (re-exported from ``tracking.models``)."""
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracking.models.catalog import Product
from tracking.models.merchants import Customer, Merchant
from tracking.models.orders import Order


class Placement(models.TextChoices):
    TRACKING = "tracking", _("Tracking page")
    EXCHANGE = "exchange", _("Exchange step")
    RETURN_CONFIRMATION = "return_confirmation", _("Return confirmation")


class ProductRecommendation(models.Model):
    """One trained row. Replaced as a whole per merchant by each training run (never edited)."""

    class Kind(models.TextChoices):
        ITEM = "item", _("Bought together")  # product -> recommended_product
        CATEGORY = "category", _("Category best-seller")  # category -> recommended_product
        POPULAR = "popular", _("Merchant best-seller")  # merchant -> recommended_product

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="product_recommendations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                help_text=_("The product the shopper has (item rows only)."))
    category = models.CharField(max_length=80, blank=True, help_text=_("Category rows only."))
    recommended_product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(help_text=_("Smoothed probability of being bought together (a ranking weight)."))
    rank = models.PositiveSmallIntegerField()
    model_version = models.CharField(max_length=32)
    trained_at = models.DateTimeField()

    class Meta:
        ordering = ["merchant", "kind", "product", "category", "rank"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="item", product__isnull=False, category="")
                           | Q(kind="category", product__isnull=True)
                           | Q(kind="popular", product__isnull=True, category="")),
                name="recommendation_kind_shape"),
            models.UniqueConstraint(fields=["product", "recommended_product"], condition=Q(kind="item"),
                                    name="recommendation_unique_item_pair"),
            models.UniqueConstraint(fields=["merchant", "category", "recommended_product"],
                                    condition=Q(kind="category"), name="recommendation_unique_category_row"),
            models.UniqueConstraint(fields=["merchant", "recommended_product"], condition=Q(kind="popular"),
                                    name="recommendation_unique_popular_row"),
        ]
        indexes = [models.Index(fields=["merchant", "kind", "product"], name="recommendation_lookup"),
                   models.Index(fields=["merchant", "kind", "category"], name="recommendation_cat_lookup")]

    def __str__(self):
        return f"{self.kind} {self.product_id or self.category or '*'} -> {self.recommended_product_id}"


class RecommendationSettings(models.Model):
    """Per-merchant knobs. A merchant without a row gets the defaults."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, related_name="recommendation_settings")
    widget_enabled = models.BooleanField(default=True)
    attribution_window_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("An order counts as attributed if it contains a product the same customer clicked "
                    "this many days before."))

    class Meta:
        verbose_name_plural = "recommendation settings"
        constraints = [models.CheckConstraint(condition=Q(attribution_window_days__gte=1),
                                              name="recs_window_positive")]

    def __str__(self):
        return f"Recommendation settings · {self.merchant}"


class PostPurchaseOffer(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="post_purchase_offers")
    active = models.BooleanField(default=True)
    headline = models.CharField(max_length=120, help_text=_("e.g. 'Thanks! A discount on your next order'"))
    headline_ko = models.CharField(max_length=120, blank=True)
    discount_text = models.CharField(max_length=200, blank=True, help_text=_("e.g. '10 percent off everything'"))
    discount_text_ko = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=40, help_text=_("The discount code the shopper enters at checkout."))
    valid_days = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(1)],
                                                  help_text=_("Days the code is valid after it is shown."))
    show_when_order_troubled = models.BooleanField(
        default=False, help_text=_("Also show it while a parcel has a problem or a return is open."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant", "-active", "-created_at"]
        constraints = [
            # One live offer per merchant: the page never has to choose between offers.
            models.UniqueConstraint(fields=["merchant"], condition=Q(active=True), name="offer_one_active_per_merchant"),
            models.CheckConstraint(condition=Q(valid_days__gte=1), name="offer_valid_days_positive"),
        ]

    def __str__(self):
        return f"{self.headline} ({self.code})"


class OfferImpression(models.Model):
    """The offer was shown for this order. Unique, so an offer is shown once per order."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    offer = models.ForeignKey(PostPurchaseOffer, on_delete=models.CASCADE, related_name="impressions")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    shown_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-shown_at"]
        constraints = [models.UniqueConstraint(fields=["offer", "order"], name="offer_impression_once_per_order")]

    def __str__(self):
        return f"{self.offer_id} shown for order {self.order_id}"


class RecommendationImpression(models.Model):
    """One render of the widget. The random id travels in click links; the order and customer stay here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    placement = models.CharField(max_length=24, choices=Placement.choices)
    product_ids = models.JSONField(default=list, help_text=_("Products shown, in order."))
    shown_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-shown_at"]
        indexes = [models.Index(fields=["merchant", "shown_at"], name="recs_impression_merchant_time")]

    def __str__(self):
        return f"{self.placement} {self.shown_at:%Y-%m-%d %H:%M}"


class RecommendationClick(models.Model):
    """Append-only click log. ``impression_id`` is not a foreign key: the impression row is written by a
    task after the page is served and may land after a fast click; the customer is filled in by
    whichever of the two arrives second."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    impression_id = models.UUIDField(db_index=True)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    placement = models.CharField(max_length=24, choices=Placement.choices)
    clicked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-clicked_at"]
        indexes = [models.Index(fields=["merchant", "clicked_at"], name="recs_click_merchant_time"),
                   models.Index(fields=["customer", "product", "clicked_at"], name="recs_click_attribution")]

    def __str__(self):
        return f"click {self.product_id} {self.clicked_at:%Y-%m-%d %H:%M}"

"""The tenant (Merchant) and its shoppers (Customer)."""
import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tracking.money import validate_currency

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a hex colour such as #1a73e8."))

# Fonts the tracking page can render with system stacks only (no external font CDN).
FONT_CHOICES = [
    ("system", "System UI"),
    ("serif", "Serif"),
    ("rounded", "Rounded"),
    ("mono", "Monospace"),
]
LOCALE_CHOICES = [("en", "English"), ("ko", "한국어")]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Merchant(models.Model):
    """A store using Doorstep. Every other row belongs to exactly one merchant."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    store_url = models.URLField(blank=True)
    faq_url = models.URLField(blank=True)
    # Brand theme tokens: the only way a merchant styles shopper pages (never raw CSS/HTML).
    logo_url = models.URLField(blank=True)
    primary_color = models.CharField(max_length=7, default="#1a56db", validators=[hex_colour])
    accent_color = models.CharField(max_length=7, default="#0e9f6e", validators=[hex_colour])
    font = models.CharField(max_length=16, choices=FONT_CHOICES, default="system")
    support_email = models.EmailField(blank=True)
    support_phone = models.CharField(max_length=32, blank=True)
    support_url = models.URLField(blank=True)
    default_locale = models.CharField(max_length=5, choices=LOCALE_CHOICES, default="en")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    country = models.CharField(max_length=2, default="US", help_text=_("ISO 3166-1 alpha-2 of the warehouse."))
    # Messages due inside quiet hours (merchant's local time) wait until they end. Equal = none.
    quiet_hours_start = models.TimeField(default=datetime.time(21, 0))
    quiet_hours_end = models.TimeField(default=datetime.time(8, 0))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        """Reject brand colours shoppers could not read (WCAG 2.1 AA), suggesting the nearest shade
        that passes. Rejecting beats silently darkening: the merchant sees and owns the change."""
        from tracking.page.branding import HEX_RE, TEXT_CONTRAST, UI_CONTRAST, contrast_ratio, darken_until

        super().clean()
        errors = {}
        checks = (("primary_color", TEXT_CONTRAST, _("white button text")),
                  ("accent_color", UI_CONTRAST, _("the white page background")))
        for field, needed, against in checks:
            value = getattr(self, field) or ""
            if not HEX_RE.match(value):
                continue  # the field's own validator reports the format
            ratio = contrast_ratio(value, "#ffffff")
            if ratio < needed:
                errors[field] = ValidationError(
                    _("%(value)s has a contrast of %(ratio).1f:1 against %(against)s; at least %(needed).1f:1 is "
                      "needed. Try %(suggestion)s."),
                    code="low_contrast",
                    params={"value": value, "ratio": ratio, "against": against, "needed": needed,
                            "suggestion": darken_until(value, ratio=needed)},
                )
        if errors:
            raise ValidationError(errors)


class Customer(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="customers")
    email = models.EmailField()
    name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    locale = models.CharField(max_length=5, choices=LOCALE_CHOICES, blank=True)
    external_id = models.CharField(max_length=64, blank=True, help_text=_("The store's own customer id."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "merchant", name="customer_unique_email_per_merchant"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

"""ServiceCredential: one merchant's own account with one outside service."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.models.merchants import Merchant


class Service(models.TextChoices):
    STRIPE = "stripe", _("Stripe (refunds)")
    TOSS = "toss", _("Toss Payments (refunds)")
    SOLAPI = "solapi", _("Solapi (알림톡, SMS/LMS)")
    TWILIO = "twilio", _("Twilio (SMS, WhatsApp)")
    EMAIL = "email", _("Email sender (SMTP)")


class ServiceCredential(models.Model):
    """``secret_encrypted`` holds the one secret (Stripe/Toss secret key, Solapi API secret, Twilio
    auth token, SMTP password), encrypted with tracking.crypto; ``key_id`` the identifier that goes
    with it (Solapi API key, Twilio Account SID, SMTP user), which is not a secret; ``config`` the
    non-secret settings (sender number, KakaoTalk pfId, from address, SMTP host…)."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="service_credentials")
    service = models.CharField(max_length=16, choices=Service.choices)
    key_id = models.CharField(max_length=200, blank=True,
                              help_text=_("Solapi API key, Twilio Account SID or SMTP user (not secret)."))
    secret_encrypted = models.TextField(blank=True, editable=False)
    secret_hint = models.CharField(max_length=16, blank=True, editable=False,
                                   help_text=_("The last characters of the secret, to tell keys apart."))
    config = models.JSONField(default=dict, blank=True, help_text=_(
        "Non-secret settings: sender, sender_profile (KakaoTalk pfId), from_email, host, port, use_tls."))
    is_active = models.BooleanField(default=True)
    rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant", "service"]
        constraints = [
            # One live credential per merchant and service: resolution never has to choose.
            models.UniqueConstraint(fields=["merchant", "service"], condition=Q(is_active=True),
                                    name="service_credential_one_active"),
        ]

    def __str__(self):
        return f"{self.merchant} · {self.get_service_display()} {self.masked_secret}"

    @property
    def masked_secret(self) -> str:
        return f"••••{self.secret_hint}" if self.secret_hint else "—"

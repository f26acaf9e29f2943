"""Shopper notifications: opt-outs and the append-only send log."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracking.models.merchants import Customer, Merchant
from tracking.models.orders import Order


class NotificationCategory(models.TextChoices):
    SHIPPING = "shipping", _("Shipping updates")
    RETURNS = "returns", _("Returns and refunds")
    FEEDBACK = "feedback", _("Surveys")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    ALIMTALK = "alimtalk", _("KakaoTalk 알림톡 (SMS/LMS fallback)")


class NotificationOptOut(models.Model):
    """A shopper who unsubscribed from one category of one merchant's messages (all channels)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="opt_outs")
    category = models.CharField(max_length=16, choices=NotificationCategory.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "category"], name="opt_out_unique")]

    def __str__(self):
        return f"{self.customer} ⟂ {self.category}"


class NotificationLog(models.Model):
    """Every message Doorstep decided to send, one row per (dedupe key, channel).

    The unique dedupe key is what makes replayed carrier events, retried tasks and double clicks
    produce one message: the second request collides and is skipped.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="notifications")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notifications")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications")
    kind = models.CharField(max_length=64, help_text=_("Template name, e.g. shipment_delivered"))
    category = models.CharField(max_length=16, choices=NotificationCategory.choices)
    channel = models.CharField(max_length=16, choices=NotificationChannel.choices)
    recipient = models.CharField(max_length=254)
    dedupe_key = models.CharField(max_length=200)
    # JSON-safe values the template needs beyond merchant/customer/order (ids, amounts as strings…).
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    skip_reason = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    send_after = models.DateTimeField(db_index=True, help_text=_("Held until then by quiet hours."))
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_message_id = models.CharField(max_length=200, blank=True)
    # Text channels: what actually reached the shopper ("alimtalk", "sms", "lms"), whether the SMS/LMS
    # replaced a failed 알림톡 (then the 알림톡 is never sent again for this row), and every attempt.
    delivered_by = models.CharField(max_length=16, blank=True)
    fallback_used = models.BooleanField(default=False)
    attempt_log = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key", "channel"], name="notification_unique_dedupe"),
            models.CheckConstraint(condition=~Q(recipient=""), name="notification_has_recipient"),
        ]
        indexes = [models.Index(fields=["status", "send_after"])]

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.status})"


class AlimtalkTemplate(models.Model):
    """A merchant's 알림톡 template registered with Kakao through its Solapi account, for one kind of
    notification. ``text`` is the registered body with its #{variables}; it is also what a fallback
    SMS/LMS says (filled in). Variables Doorstep fills: merchant/상점명, name/고객명, order/주문번호,
    url/배송조회, tracking_number/송장번호, carrier/택배사, and any value of the notification's context."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="alimtalk_templates")
    kind = models.CharField(max_length=64, help_text=_("Notification kind, e.g. shipment_shipped"))
    template_id = models.CharField(max_length=64, help_text=_("Solapi templateId (KA01TP…)."))
    text = models.TextField(help_text=_("The registered template body, with #{variables}."))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["merchant", "kind"]
        constraints = [models.UniqueConstraint(fields=["merchant", "kind"], name="alimtalk_template_unique_kind")]

    def __str__(self):
        return f"{self.merchant} · {self.kind} ({self.template_id})"

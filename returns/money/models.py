"""Money going back to shoppers: the per-order refund ledger, refunds, and store credit.

Money safety lives in the database: ``RefundLedger`` has one row per order, is locked
(``select_for_update``) before any refund or credit, is updated with F() expressions, and carries a
CheckConstraint ``refunded_total <= paid_total`` — so even a code path that forgot the lock cannot
push an order's refunds past what was paid: the UPDATE itself fails.
"""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tracking.models import Customer, Merchant, Order

from returns.models.requests import RMA_ALPHABET, ReturnRequest


class RefundLedger(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="refund_ledger")
    currency = models.CharField(max_length=3)
    paid_total = models.DecimalField(max_digits=12, decimal_places=2)
    # Refunds to the payment method plus credit issued in place of a refund (bonus excluded: that is
    # the merchant's gift, not money the shopper paid).
    refunded_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(refunded_total__lte=F("paid_total")),
                                   name="ledger_refunds_within_paid"),
            models.CheckConstraint(condition=Q(refunded_total__gte=0), name="ledger_refunded_not_negative"),
        ]

    def __str__(self):
        return f"{self.order}: {self.refunded_total}/{self.paid_total} {self.currency}"

    @property
    def remaining(self):
        return self.paid_total - self.refunded_total


class Refund(models.Model):
    """Money returned for a return, to the original payment or as store credit.

    The row is written (status pending) and the ledger charged BEFORE the gateway is called; the
    gateway gets ``idempotency_key``, so a retried task repeats the same call and the gateway dedupes it.
    """

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Original payment")
        STORE_CREDIT = "store_credit", _("Store credit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    idempotency_key = models.CharField(max_length=80, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    gateway = models.CharField(max_length=32, blank=True)
    gateway_reference = models.CharField(max_length=128, blank=True)
    error = models.TextField(blank=True)
    # The gateway's own code for the last refusal or failure (Toss ALREADY_CANCELED_PAYMENT,
    # NOT_CANCELABLE_AMOUNT…; Stripe charge_already_refunded…), for staff to act on.
    error_code = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A gateway call is in flight since then (cleared when it answers); a row left with it set long
    # ago means the worker died mid-call, and the sweeper resumes it with the same idempotency key.
    attempted_at = models.DateTimeField(null=True, blank=True)
    # After a retryable gateway error: not resumed by the sweeper before this (backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.CharField(max_length=150, help_text=_("Username, 'system' or 'shopper'."))
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            # At most one live (pending or succeeded) refund of each kind per return.
            models.UniqueConstraint(fields=["return_request", "kind"], condition=~Q(status="failed"),
                                    name="refund_one_live_per_return_kind"),
        ]
        # Changing a return is not enough to move money: each kind has its own permission (the
        # "Support lead" group holds them, agents do not). See returns.money.authority.
        permissions = [
            ("issue_refund", "Can issue refunds to the original payment"),
            ("issue_store_credit", "Can issue store credit for a return"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.status})"


def new_credit_code() -> str:
    body = "".join(secrets.choice(RMA_ALPHABET) for _ in range(12))
    return f"SC-{body[:4]}-{body[4:8]}-{body[8:]}"


class StoreCreditAccount(models.Model):
    """A shopper's credit with one merchant, redeemable at the store with its code.

    The balance is never stored: it is the sum of the entries. This row exists to be locked while
    spending, so two redemptions cannot both spend the same balance.
    """

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="store_credit")
    code = models.CharField(max_length=24, unique=True, default=new_credit_code)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.code


class StoreCreditEntry(models.Model):
    """Append-only ledger line. Amounts are positive; ``kind`` gives the sign (issued +, spent/expired −)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SPENT = "spent", _("Spent")
        EXPIRED = "expired", _("Expired")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(StoreCreditAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="credit_entries")
    reference = models.CharField(max_length=128, blank=True, help_text=_("The store's order id for spends."))
    idempotency_key = models.CharField(max_length=80, unique=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_entry_amount_positive")]

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("StoreCreditEntry is append-only.")
        super().save(*args, **kwargs)


class MoneyApproval(models.Model):
    """A refund or store credit a staff member asked for above their membership's limit, waiting for a
    lead of the merchant (or a superuser) to approve it, which issues the money, or to refuse it.

    Append-mostly: a row is created pending and decided once; at most one is pending per return and
    kind. One that is still pending when the money goes out another way is marked superseded."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a lead")
        APPROVED = "approved", _("Approved and issued")
        REJECTED = "rejected", _("Refused")
        SUPERSEDED = "superseded", _("Issued otherwise")

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.PROTECT, related_name="money_approvals")
    kind = models.CharField(max_length=16, choices=Refund.Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="money_approval_amount_positive"),
            models.UniqueConstraint(fields=["return_request", "kind"], condition=Q(status="pending"),
                                    name="money_approval_one_pending_per_return_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} {self.currency} ({self.get_status_display()})"


class RefundAccount(models.Model):
    """Where the refund of a bank-transfer payment (a Toss virtual account, 가상계좌) is paid: the
    shopper names it in the returns portal. Account number and holder are encrypted at rest
    (tracking.crypto); admin shows the bank and the last digits only."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    return_request = models.OneToOneField(ReturnRequest, on_delete=models.CASCADE, related_name="refund_account")
    bank = models.CharField(max_length=4, help_text=_("The gateway's bank code (Toss: 88 = Shinhan…)."))
    account_number_encrypted = models.TextField(editable=False)
    holder_name_encrypted = models.TextField(editable=False)
    account_hint = models.CharField(max_length=8, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.return_request} · {self.bank} ••••{self.account_hint}"

"""Factories for the returns app: policy and reasons, return requests and their lines, drafts, photos and
audit events, the refund ledger, refunds and store credit. Rows are written directly; tests of the
workflow ask through returns.services (tests.support.returns.ask)."""
from decimal import Decimal

import factory

from returns.models import (
    CategoryRule,
    ClaimPolicy,
    MoneyApproval,
    Refund,
    RefundAccount,
    RefundLedger,
    ReturnDraft,
    ReturnEvent,
    ReturnLine,
    ReturnPhoto,
    ReturnPolicy,
    ReturnReason,
    ReturnRequest,
    StoreCreditAccount,
    StoreCreditEntry,
)
from tests.factories.users import UserFactory
from tracking import crypto
from returns.models.requests import Resolution, ReturnMethod, ReturnStatus
from tests.factories.tracking import CustomerFactory, MerchantFactory, OrderFactory, OrderLineFactory


class ReturnPolicyFactory(factory.django.DjangoModelFactory):
    """The model's defaults (30 days, 10 % store-credit bonus, auto-approval) without the default reasons
    (returns.services.return_policy_ensure adds those)."""

    class Meta:
        model = ReturnPolicy
        django_get_or_create = ("merchant",)

    merchant = factory.SubFactory(MerchantFactory)


class ReturnReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnReason

    policy = factory.SubFactory(ReturnPolicyFactory)
    code = factory.Sequence(lambda n: f"reason-{n}")
    label = factory.Sequence(lambda n: f"Reason {n}")
    position = factory.Sequence(lambda n: n)


class CategoryRuleFactory(factory.django.DjangoModelFactory):
    """Final sale for one category."""

    class Meta:
        model = CategoryRule

    policy = factory.SubFactory(ReturnPolicyFactory)
    category = factory.Sequence(lambda n: f"category-{n}")
    returnable = False


class ReturnRequestFactory(factory.django.DjangoModelFactory):
    """A requested refund by drop-off for the order's full value (no lines: add ReturnLineFactory rows)."""

    class Meta:
        model = ReturnRequest

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    customer = factory.SelfAttribute("order.customer")
    idempotency_key = factory.Sequence(lambda n: f"return-form-{n:06d}")
    status = ReturnStatus.REQUESTED
    resolution = Resolution.REFUND
    method = ReturnMethod.DROP_OFF
    reason_code = "changed_mind"
    reason_label = "Changed my mind"
    currency = factory.SelfAttribute("order.currency")
    items_total = factory.SelfAttribute("order.subtotal")
    refund_amount = factory.SelfAttribute("items_total")


class ReturnLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnLine

    return_request = factory.SubFactory(ReturnRequestFactory)
    order_line = factory.SubFactory(OrderLineFactory, order=factory.SelfAttribute("..return_request.order"))
    quantity = factory.SelfAttribute("order_line.quantity")
    unit_price = factory.SelfAttribute("order_line.unit_price")


class ReturnDraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnDraft

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    data = factory.LazyFunction(lambda: {"step": "items"})


class ReturnPhotoFactory(factory.django.DjangoModelFactory):
    """A photo row attached to a return; the file itself is not written (tests that serve it write it)."""

    class Meta:
        model = ReturnPhoto

    return_request = factory.SubFactory(ReturnRequestFactory)
    merchant = factory.SelfAttribute("return_request.merchant")
    file = factory.Sequence(lambda n: f"returns/photos/test-{n:06d}.jpg")
    width = 1200
    height = 900
    size = 85_000


class ReturnEventFactory(factory.django.DjangoModelFactory):
    """The shopper's request, as the first line of the return's audit trail."""

    class Meta:
        model = ReturnEvent

    return_request = factory.SubFactory(ReturnRequestFactory)
    from_status = ""
    to_status = ReturnStatus.REQUESTED
    actor = ReturnEvent.Actor.SHOPPER


class RefundLedgerFactory(factory.django.DjangoModelFactory):
    """The order's ledger: everything paid, nothing refunded yet."""

    class Meta:
        model = RefundLedger

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    currency = factory.SelfAttribute("order.currency")
    paid_total = factory.SelfAttribute("order.total")
    refunded_total = Decimal("0")


class RefundFactory(factory.django.DjangoModelFactory):
    """A pending refund of the return's amount to the original payment."""

    class Meta:
        model = Refund

    return_request = factory.SubFactory(ReturnRequestFactory)
    order = factory.SelfAttribute("return_request.order")
    merchant = factory.SelfAttribute("return_request.merchant")
    kind = Refund.Kind.PAYMENT
    amount = factory.SelfAttribute("return_request.refund_amount")
    currency = factory.SelfAttribute("return_request.currency")
    requested_by = factory.SubFactory(UserFactory)
    idempotency_key = factory.Sequence(lambda n: f"doorstep-refund-{n:06d}")
    gateway = "mock"
    requested_by = "system"


class StoreCreditAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreCreditAccount

    customer = factory.SubFactory(CustomerFactory)
    merchant = factory.SelfAttribute("customer.merchant")
    currency = factory.SelfAttribute("merchant.currency")


class StoreCreditEntryFactory(factory.django.DjangoModelFactory):
    """Credit issued to the account (not tied to a return)."""

    class Meta:
        model = StoreCreditEntry

    account = factory.SubFactory(StoreCreditAccountFactory)
    merchant = factory.SelfAttribute("account.merchant")
    kind = StoreCreditEntry.Kind.ISSUED
    amount = Decimal("5000")
    currency = factory.SelfAttribute("account.currency")
    idempotency_key = factory.Sequence(lambda n: f"credit-{n:06d}")
    note = "Goodwill"
    created_by = "system"


class MoneyApprovalFactory(factory.django.DjangoModelFactory):
    """A refund waiting for a lead's approval."""

    class Meta:
        model = MoneyApproval

    return_request = factory.SubFactory(ReturnRequestFactory)
    merchant = factory.SelfAttribute("return_request.merchant")
    kind = Refund.Kind.PAYMENT
    amount = factory.SelfAttribute("return_request.refund_amount")
    currency = factory.SelfAttribute("return_request.currency")
    requested_by = factory.SubFactory(UserFactory)


class ClaimPolicyFactory(factory.django.DjangoModelFactory):
    """The model's defaults: 30 days, photos for damage, every resolution, carrier-confirmed losses
    approved automatically, no value limit for auto-approval."""

    class Meta:
        model = ClaimPolicy
        django_get_or_create = ("merchant",)

    merchant = factory.SubFactory(MerchantFactory)
class RefundAccountFactory(factory.django.DjangoModelFactory):
    """A Shinhan account the shopper named for a virtual-account refund, stored encrypted."""

    class Meta:
        model = RefundAccount

    class Params:
        account_number = "110123456789"
        holder_name = "김민지"

    return_request = factory.SubFactory(ReturnRequestFactory)
    merchant = factory.SelfAttribute("return_request.merchant")
    bank = "88"
    account_number_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.account_number))
    holder_name_encrypted = factory.LazyAttribute(lambda o: crypto.encrypt(o.holder_name))
    account_hint = factory.LazyAttribute(lambda o: o.account_number[-4:])

from returns.money.models import (
    MoneyApproval,
    Refund,
    RefundAccount,
    RefundLedger,
    StoreCreditAccount,
    StoreCreditEntry,
)
from returns.policy.models import DEFAULT_REASONS, CategoryRule, RefundTiming, ReturnPolicy, ReturnReason
from returns.models.queues import AwaitingParcel, NeedsReview, ToInspect, ToRefund
from returns.models.requests import (
    Resolution,
    ReturnDraft,
    ReturnEvent,
    ReturnLine,
    ReturnMethod,
    ReturnPhoto,
    ReturnRequest,
    ReturnStatus,
    new_rma,
)

__all__ = [
    "AwaitingParcel",
    "CategoryRule",
    "DEFAULT_REASONS",
    "MoneyApproval",
    "NeedsReview",
    "Refund",
    "RefundAccount",
    "RefundLedger",
    "RefundTiming",
    "Resolution",
    "ReturnDraft",
    "ReturnEvent",
    "ReturnLine",
    "ReturnMethod",
    "ReturnPhoto",
    "ReturnPolicy",
    "ReturnReason",
    "ReturnRequest",
    "ReturnStatus",
    "StoreCreditAccount",
    "StoreCreditEntry",
    "ToInspect",
    "ToRefund",
    "new_rma",
]

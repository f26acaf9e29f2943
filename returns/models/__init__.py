from returns.money.models import MoneyApproval, RefundLedger, Refund, StoreCreditAccount, StoreCreditEntry
from returns.policy.models import DEFAULT_REASONS, CategoryRule, RefundTiming, ReturnPolicy, ReturnReason
from returns.models.queues import AwaitingParcel, NeedsReview, ToInspect, ToRefund
from returns.models.requests import (
    ClaimType,
    RequestKind,
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
from returns.claims.models import Claim, ClaimPolicy

__all__ = [
    "AwaitingParcel",
    "CategoryRule",
    "Claim",
    "ClaimPolicy",
    "ClaimType",
    "DEFAULT_REASONS",
    "MoneyApproval",
    "NeedsReview",
    "Refund",
    "RefundLedger",
    "RefundTiming",
    "RequestKind",
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

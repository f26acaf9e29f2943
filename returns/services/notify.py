"""Shopper emails for each step of a return, through tracking's notification channel layer."""
from __future__ import annotations

from tracking.models import NotificationCategory
from tracking.notifications.services import notification_request

from returns.models import ReturnRequest
from returns.tokens import return_url


def return_notify(rr: ReturnRequest, kind: str, **extra) -> None:
    """Queue ``kind`` (templates/notifications/<kind>.*) once per return and kind. A claim's
    "return_…" step is its own "claim_…" email (nothing to send back, so other words)."""
    if rr.is_claim and kind.startswith("return_"):
        kind = "claim_" + kind.removeprefix("return_")
    context = {
        "rma": rr.rma,
        "return_url": return_url(rr.pk),
        "resolution": rr.resolution,
        "method": rr.method,
        "currency": rr.currency,
        "refund_amount": str(rr.refund_amount),
        "credit_total": str(rr.refund_amount + rr.credit_bonus),
        "rejection_reason": rr.rejection_reason,
        "claim_type": rr.claim_type,
        "exchange_order_number": rr.exchange_order.number if rr.exchange_order_id else "",
        **{k: str(v) for k, v in extra.items()},
    }
    notification_request(
        merchant=rr.merchant, customer=rr.customer, kind=kind, category=NotificationCategory.RETURNS,
        dedupe_key=f"return:{rr.pk}:{kind}", order=rr.order, context=context,
    )

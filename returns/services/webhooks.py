"""Outgoing merchant webhooks for returns (return.requested / approved / rejected / received / refunded),
recorded inside the transaction that makes the fact true and sent after commit by tracking's
webhooks_out layer."""
from __future__ import annotations

from tracking.webhooks_out.services import webhook_event_emit

from returns.models import ReturnRequest


def return_webhook_emit(*, rr: ReturnRequest, event_type: str, **extra) -> None:
    from returns.api import ReturnOutputSerializer

    payload = {"return": ReturnOutputSerializer(rr).data, **extra}
    webhook_event_emit(merchant=rr.merchant_id, event_type=event_type, payload=payload)

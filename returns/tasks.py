"""Thin Celery tasks: ids in, a service call, bounded jittered retries. Both are idempotent."""
from celery import shared_task

from returns.payments.base import GatewayError
from tracking.locks import single_run


@shared_task(bind=True, acks_late=True, autoretry_for=(GatewayError,), retry_backoff=30, retry_backoff_max=3600,
             retry_jitter=True, max_retries=8)
def execute_refund(self, refund_id: int) -> None:
    # Idempotent: only pending rows are sent, always with the refund's own idempotency key.
    from returns.money.refunds import refund_execute

    refund_execute(refund_id=refund_id)


@shared_task(acks_late=True)
def apply_return_shipment_status(shipment_id: int, new_status: str) -> None:
    # Idempotent: a transition already applied is skipped.
    from returns.services.tracking_sync import return_sync_shipment

    return_sync_shipment(shipment_id=shipment_id, new_status=new_status)


@shared_task(acks_late=True)
def sweep_stuck_money() -> int:
    """Beat: resume refunds stuck in flight (a worker died mid-call, the broker lost the task)."""
    from returns.money.refunds import refunds_sweep_stuck

    with single_run("returns.sweep_stuck_money", timeout=300) as mine:
        if not mine:
            return 0
        return len(refunds_sweep_stuck())

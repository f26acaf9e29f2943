"""Thin Celery tasks for outgoing webhooks. Retries are scheduled by the service (with the attempt
number in the arguments), so a duplicate task is a no-op; acks_late is therefore safe."""
from celery import shared_task

from tracking.locks import single_run
from tracking.webhooks_out.services import webhook_deliveries_sweep, webhook_delivery_attempt


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int, attempt_number: int, manual: bool = False) -> None:
    webhook_delivery_attempt(delivery_id=delivery_id, attempt_number=attempt_number, manual=manual)


@shared_task
def sweep_webhook_deliveries() -> int:
    with single_run("beat:sweep_webhook_deliveries", timeout=600) as mine:
        return webhook_deliveries_sweep() if mine else 0

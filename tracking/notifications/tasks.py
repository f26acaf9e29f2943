from celery import shared_task

from tracking.locks import single_run
from tracking.notifications.channels import ChannelError
from tracking.notifications.services import due_notification_ids, notification_send


# Idempotent (the row is claimed under a lock), so late acks and retries are safe.
@shared_task(acks_late=True, autoretry_for=(ChannelError,), retry_backoff=30, retry_backoff_max=1800,
             retry_jitter=True, max_retries=4)
def send_notification(log_id: int) -> None:
    notification_send(log_id=log_id)


@shared_task
def send_due_notifications() -> int:
    """Beat: send rows whose quiet hours have ended (and any whose enqueue was lost)."""
    with single_run("notifications-send-due", timeout=300) as acquired:
        if not acquired:
            return 0
        ids = due_notification_ids()
        for log_id in ids:
            send_notification.delay(log_id)
        return len(ids)

"""Thin Celery tasks for the merchant API's housekeeping."""
from celery import shared_task

from tracking.apikit.idempotency import idempotency_records_purge
from tracking.locks import single_run


@shared_task
def purge_idempotency_records() -> int:
    """Idempotency keys are honoured for 24 h; older records only take space."""
    with single_run("beat:purge_idempotency_records", timeout=600) as mine:
        return idempotency_records_purge() if mine else 0

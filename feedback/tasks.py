"""Thin Celery tasks: ids in, a service call, idempotent."""
from celery import shared_task
from django.core.mail import send_mail

from tracking.locks import single_run

from feedback.models import FollowUpCase
from feedback.selectors import survey_settings_for
from feedback.services import survey_schedule, survey_send
from feedback.services.followups import detractor_alert_message
from feedback.services.surveys import due_survey_ids


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=600,
             retry_jitter=True, max_retries=3)
def schedule_survey(shipment_id: int) -> None:
    # Idempotent: unique(order) and the row lock make a replay find the survey already planned.
    survey_schedule(shipment_id=shipment_id)


@shared_task(acks_late=True)  # idempotent: only a due SCHEDULED survey moves, under a row lock
def send_survey(survey_id: int) -> None:
    survey_send(survey_id=survey_id)


@shared_task
def send_due_surveys() -> int:
    """Beat: send the surveys whose time after delivery has come. Delays of days are kept in the
    database (scheduled_for), not as long Celery countdowns a broker restart could lose."""
    with single_run("feedback-send-due-surveys", timeout=300) as acquired:
        if not acquired:
            return 0
        ids = due_survey_ids()
        for survey_id in ids:
            send_survey.delay(survey_id)
        return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=60, retry_jitter=True, max_retries=3)
def alert_detractor(case_id: int) -> None:
    case = FollowUpCase.objects.select_related("merchant", "order", "customer", "survey__response").get(pk=case_id)
    to = survey_settings_for(case.merchant).detractor_alert_email
    if to:
        subject, body = detractor_alert_message(case)
        send_mail(subject, body, None, [to])

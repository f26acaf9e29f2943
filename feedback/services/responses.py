"""Recording a shopper's answer: one response per survey, changeable while the survey is open,
every change logged, consequences (follow-up case, incentive) applied once."""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tracking.webhooks_out.services import webhook_event_emit

from feedback.models import Survey, SurveyAnswerLog, SurveyResponse
from feedback.models.surveys import DETRACTOR_MAX, REASON_MAX_LENGTH
from feedback.selectors import order_page_changed
from feedback.signals import survey_responded
from feedback.services.followups import followup_note_score_change, followup_open
from feedback.services.incentives import incentive_issue

RATING_FIELDS = ("delivery_rating", "product_rating", "packaging_rating")
_UNSET = object()


class SurveyClosed(Exception):
    """The survey was skipped: there is nothing to answer."""


class SurveyExpired(SurveyClosed):
    """The answer window has passed."""


@dataclass(frozen=True)
class Recorded:
    response: SurveyResponse
    created: bool
    changed: bool


def _validate(score, reason, ratings) -> None:
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise ValueError("score must be an integer from 0 to 10")
    if reason is not _UNSET and (not isinstance(reason, str) or len(reason) > REASON_MAX_LENGTH):
        raise ValueError(f"reason must be text of at most {REASON_MAX_LENGTH} characters")
    for field, value in ratings.items():
        if field not in RATING_FIELDS:
            raise ValueError(f"unknown rating {field}")
        if value is not None and (not isinstance(value, int) or not 1 <= value <= 5):
            raise ValueError(f"{field} must be 1 to 5")


@transaction.atomic
def response_record(*, survey_id: int, score: int, source: str, reason=_UNSET, ratings: dict | None = None,
                    now=None) -> Recorded:
    """Create or update the survey's response. ``reason``/``ratings`` left out keep their values, so
    a score click never wipes a comment. Replays (same values) change and log nothing."""
    now = now or timezone.now()
    ratings = ratings or {}
    _validate(score, reason, ratings)
    survey = Survey.objects.select_for_update().select_related("merchant", "customer", "order").get(pk=survey_id)
    if survey.status == Survey.Status.SKIPPED:
        raise SurveyClosed(survey.skip_reason)
    if now >= survey.expires_at:
        raise SurveyExpired()
    wanted = {"score": score, **ratings}
    if reason is not _UNSET:
        wanted["reason"] = reason.strip()
    response = SurveyResponse.objects.filter(survey=survey).first()
    created = response is None
    if created:
        response = SurveyResponse(survey=survey, merchant=survey.merchant, source=source, answered_at=now,
                                  score=score)
        changes = {field: [None, value] for field, value in wanted.items() if value not in (None, "")}
        changes["score"] = [None, score]
    else:
        changes = {field: [getattr(response, field), value] for field, value in wanted.items()
                   if getattr(response, field) != value}
        if not changes:
            return Recorded(response, created=False, changed=False)
    old_score = None if created else response.score
    for field, value in wanted.items():
        setattr(response, field, value)
    # The survey row lock serialises answers; unique(survey) would reject a second row regardless.
    response.save()
    order_page_changed(survey.order_id)
    SurveyAnswerLog.objects.create(survey=survey, merchant=survey.merchant, source=source, changes=changes)
    if response.score <= DETRACTOR_MAX:
        followup_open(survey=survey, response=response)
    if old_score is not None and old_score != response.score:
        followup_note_score_change(survey=survey, old=old_score, new=response.score)
    incentive_issue(survey=survey)
    # Inside the transaction: if the answer rolls back, no webhook goes out.
    webhook_event_emit(merchant=survey.merchant, event_type="nps.responded", payload={
        "order_number": survey.order.number, "customer_email": survey.customer.email, "score": response.score,
        "category": response.category, "reason": response.reason, "delivery_rating": response.delivery_rating,
        "product_rating": response.product_rating, "packaging_rating": response.packaging_rating,
        "source": response.source, "answered_at": response.answered_at, "first_answer": created})
    transaction.on_commit(lambda: survey_responded.send(
        sender=SurveyResponse, survey_id=survey.pk, merchant_id=survey.merchant_id, score=response.score,
        created=created))
    return Recorded(response, created=created, changed=True)

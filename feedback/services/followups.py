"""Detractor follow-up cases: opened once per survey, changed by staff with an audit log."""
from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback.models import FollowUpCase, FollowUpCaseLog, Survey, SurveyResponse
from feedback.selectors import survey_settings_for

CASE_FIELDS = ("status", "assignee_id", "notes", "due_date")


@transaction.atomic
def followup_open(*, survey: Survey, response: SurveyResponse) -> FollowUpCase:
    """Open the survey's case, once. A second detractor answer finds the existing case."""
    existing = FollowUpCase.objects.filter(survey=survey).first()
    if existing is not None:
        return existing
    conf = survey_settings_for(survey.merchant)
    local_today = timezone.localdate(timezone=zoneinfo.ZoneInfo(survey.merchant.timezone))
    due = local_today + timedelta(days=conf.followup_due_days)
    try:
        with transaction.atomic():
            case = FollowUpCase.objects.create(merchant=survey.merchant, survey=survey, order=survey.order,
                                               customer=survey.customer, score=response.score, due_date=due)
    except IntegrityError:
        return FollowUpCase.objects.get(survey=survey)
    FollowUpCaseLog.objects.create(case=case, action="opened", changes={"score": response.score})
    if conf.detractor_alert_email:
        from feedback.tasks import alert_detractor

        alert_detractor.delay_on_commit(case.pk)
    return case


@transaction.atomic
def followup_note_score_change(*, survey: Survey, old: int, new: int) -> None:
    case = FollowUpCase.objects.filter(survey=survey).first()
    if case is not None:
        FollowUpCaseLog.objects.create(case=case, action="score_changed", changes={"score": [old, new]})


@transaction.atomic
def followup_case_update(*, case: FollowUpCase, actor, **changes) -> FollowUpCase:
    """Apply staff changes (status, assignee_id, notes, due_date) and log who changed what."""
    unknown = set(changes) - set(CASE_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    locked = FollowUpCase.objects.select_for_update().get(pk=case.pk)
    diff = {}
    for field, value in changes.items():
        old = getattr(locked, field)
        if old != value:
            diff[field] = [_json(old), _json(value)]
            setattr(locked, field, value)
    if not diff:
        return locked
    if "status" in diff:
        locked.resolved_at = timezone.now() if locked.status == FollowUpCase.Status.RESOLVED else None
    locked.updated_by = actor
    locked.save()
    FollowUpCaseLog.objects.create(case=locked, actor=actor, action="changed", changes=diff)
    return locked


def _json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def detractor_alert_message(case: FollowUpCase) -> tuple[str, str]:
    response = case.survey.response
    subject = f"[{case.merchant.name}] Detractor {case.score}/10 on order {case.order.number}"
    body = (f"Customer: {case.customer.email}\nOrder: {case.order.number}\nScore: {response.score}\n"
            f"Reason: {response.reason or '(none yet)'}\nDue: {case.due_date.isoformat()}\n")
    return subject, body

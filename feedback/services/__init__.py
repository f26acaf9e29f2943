"""Every write in the feedback app goes through these services."""
from feedback.services.followups import followup_case_update, followup_open
from feedback.services.incentives import incentive_issue
from feedback.services.responses import SurveyClosed, SurveyExpired, response_record
from feedback.services.surveys import survey_schedule, survey_send

__all__ = [
    "SurveyClosed",
    "SurveyExpired",
    "followup_case_update",
    "followup_open",
    "incentive_issue",
    "response_record",
    "survey_schedule",
    "survey_send",
]

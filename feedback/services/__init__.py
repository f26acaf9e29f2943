"""Every write in the feedback app goes through these services."""
from .followups import followup_case_update, followup_open
from .incentives import incentive_issue
from .responses import SurveyClosed, SurveyExpired, response_record
from .surveys import survey_schedule, survey_send

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

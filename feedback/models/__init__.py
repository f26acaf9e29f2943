from feedback.dashboard.models import Dashboard
from feedback.models.followups import FollowUpCase, FollowUpCaseLog
from feedback.models.settings import SurveySettings
from feedback.models.surveys import IncentiveIssue, Survey, SurveyAnswerLog, SurveyResponse

__all__ = [
    "Dashboard",
    "FollowUpCase",
    "FollowUpCaseLog",
    "IncentiveIssue",
    "Survey",
    "SurveyAnswerLog",
    "SurveyResponse",
    "SurveySettings",
]

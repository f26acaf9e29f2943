from .dashboard import Dashboard
from .followups import FollowUpCase, FollowUpCaseLog
from .settings import SurveySettings
from .surveys import IncentiveIssue, Survey, SurveyAnswerLog, SurveyResponse

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

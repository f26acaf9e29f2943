"""A proxy model that gives the staff dashboard its own admin URL, index entry and view permission."""
from django.utils.translation import gettext_lazy as _

from feedback.models.surveys import SurveyResponse


class Dashboard(SurveyResponse):
    class Meta:
        proxy = True
        verbose_name = _("NPS & retention dashboard")
        verbose_name_plural = _("NPS & retention dashboard")

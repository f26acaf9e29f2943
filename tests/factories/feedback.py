"""Factories for the feedback app: survey settings, surveys and responses, the answer log, thank-you
incentives and detractor follow-up cases."""
import datetime as dt

import factory
from django.utils import timezone

from feedback.models import (
    FollowUpCase,
    FollowUpCaseLog,
    IncentiveIssue,
    Survey,
    SurveyAnswerLog,
    SurveyResponse,
    SurveySettings,
)
from tests.factories.tracking import MerchantFactory, OrderFactory


class SurveySettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveySettings
        django_get_or_create = ("merchant",)

    merchant = factory.SubFactory(MerchantFactory)


class SurveyFactory(factory.django.DjangoModelFactory):
    """A survey sent now for an order delivered two days ago, open for ``window_days`` (14).
    ``status=Survey.Status.SCHEDULED`` leaves it unsent."""

    class Meta:
        model = Survey

    class Params:
        window_days = 14

    order = factory.SubFactory(OrderFactory)
    merchant = factory.SelfAttribute("order.merchant")
    customer = factory.SelfAttribute("order.customer")
    status = Survey.Status.SENT
    sent_at = factory.LazyAttribute(lambda o: o.scheduled_for if o.status == Survey.Status.SENT else None)
    delivered_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    scheduled_for = factory.LazyAttribute(lambda o: o.delivered_at + dt.timedelta(days=2))
    send_deadline = factory.LazyAttribute(lambda o: o.scheduled_for + dt.timedelta(days=o.window_days))
    expires_at = factory.LazyAttribute(lambda o: o.scheduled_for + dt.timedelta(days=o.window_days))
    carrier = "mock"
    lane = "KR→KR"


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """A promoter's answer (9) from the email link."""

    class Meta:
        model = SurveyResponse

    survey = factory.SubFactory(SurveyFactory)
    merchant = factory.SelfAttribute("survey.merchant")
    score = 9
    source = SurveyResponse.Source.EMAIL
    answered_at = factory.LazyFunction(timezone.now)


class SurveyAnswerLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyAnswerLog

    survey = factory.SubFactory(SurveyFactory)
    merchant = factory.SelfAttribute("survey.merchant")
    source = SurveyResponse.Source.EMAIL
    changes = factory.LazyFunction(lambda: {"score": [None, 9]})


class IncentiveIssueFactory(factory.django.DjangoModelFactory):
    """A thank-you coupon for one survey."""

    class Meta:
        model = IncentiveIssue

    survey = factory.SubFactory(SurveyFactory)
    merchant = factory.SelfAttribute("survey.merchant")
    customer = factory.SelfAttribute("survey.customer")
    kind = SurveySettings.Incentive.COUPON
    coupon_code = "THANKYOU10"


class FollowUpCaseFactory(factory.django.DjangoModelFactory):
    """An open case for a detractor (score 3), due in two days."""

    class Meta:
        model = FollowUpCase

    survey = factory.SubFactory(SurveyFactory)
    merchant = factory.SelfAttribute("survey.merchant")
    order = factory.SelfAttribute("survey.order")
    customer = factory.SelfAttribute("survey.customer")
    score = 3
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=2))


class FollowUpCaseLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpCaseLog

    case = factory.SubFactory(FollowUpCaseFactory)
    action = "opened"
    changes = factory.LazyFunction(lambda: {"status": [None, "open"]})

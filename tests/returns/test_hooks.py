"""Returns, feedback and tracking cooperate through tracking.extensions, never by importing each other:
an open return holds the NPS survey and the post-purchase offer, and the thank-you store credit lands
in the returns ledger."""
from decimal import Decimal

import pytest
from django.utils import timezone

from feedback.blockers import hold_reason
from feedback.models import IncentiveIssue, SurveySettings
from feedback.services.incentives import incentive_issue
from returns.hooks import open_return_blocks_survey
from returns.models import StoreCreditEntry
from returns.selectors import store_credit_balance
from tests.support.feedback import make_survey, settings_for
from tests.support.returns import ask
from tracking.recommendations.troubles import registered_trouble

pytestmark = pytest.mark.django_db


def test_an_open_return_holds_the_survey_and_the_offer(order):
    conf = settings_for(order.merchant)
    assert hold_reason(order, conf) == ""
    assert registered_trouble(order.pk) is None
    ask(order)
    # Returns' own blocker, which holds even before any return parcel exists.
    assert open_return_blocks_survey(order, conf) == "open_return_request"
    assert hold_reason(order, conf) != ""
    assert registered_trouble(order.pk) == "returns.open_return"


def test_thank_you_store_credit_reaches_the_ledger_once(order):
    settings_for(order.merchant, incentive=SurveySettings.Incentive.STORE_CREDIT,
                 incentive_amount=Decimal("3000"), incentive_currency="KRW")
    survey = make_survey(order, sent_at=timezone.now())
    first = incentive_issue(survey=survey)
    again = incentive_issue(survey=survey)
    assert first.pk == again.pk and IncentiveIssue.objects.count() == 1
    assert StoreCreditEntry.objects.filter(account__customer=order.customer).count() == 1
    assert store_credit_balance(order.customer) == Decimal("3000")

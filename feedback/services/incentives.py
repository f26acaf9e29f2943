"""The thank-you incentive: issued at most once per survey (unique survey), announced once."""
from __future__ import annotations

from django.db import IntegrityError, transaction


from tracking import extensions
from tracking.models import NotificationCategory
from tracking.notifications.services import notification_request

from feedback.models import IncentiveIssue, Survey, SurveySettings
from feedback.selectors import survey_settings_for
from feedback.signals import incentive_issued


@transaction.atomic
def incentive_issue(*, survey: Survey) -> IncentiveIssue | None:
    """Issue the merchant's configured incentive for ``survey`` unless already issued (or none set)."""
    existing = IncentiveIssue.objects.filter(survey=survey).first()
    if existing is not None:
        return existing
    conf = survey_settings_for(survey.merchant)
    if conf.incentive == SurveySettings.Incentive.NONE:
        return None
    fields = {"kind": conf.incentive}
    if conf.incentive == SurveySettings.Incentive.COUPON:
        fields["coupon_code"] = conf.incentive_coupon_code
    else:
        fields.update(amount=conf.incentive_amount, currency=conf.incentive_currency)
    try:
        with transaction.atomic():
            issue = IncentiveIssue.objects.create(survey=survey, merchant=survey.merchant,
                                                  customer=survey.customer, **fields)
    except IntegrityError:
        return IncentiveIssue.objects.get(survey=survey)
    credit_code = _grant_store_credit(issue) if issue.kind == SurveySettings.Incentive.STORE_CREDIT else ""
    notification_request(
        merchant=survey.merchant, customer=survey.customer, order=survey.order, kind="nps_thanks",
        category=NotificationCategory.FEEDBACK, dedupe_key=f"survey:{survey.pk}:incentive",
        context={"kind": issue.kind, "coupon_code": issue.coupon_code,
                 "amount": str(issue.amount) if issue.amount is not None else "", "currency": issue.currency,
                 "credit_code": credit_code},
    )
    # A store-credit ledger (returns app) can subscribe and credit the customer's balance.
    transaction.on_commit(lambda: incentive_issued.send(sender=IncentiveIssue, incentive_id=issue.pk,
                                                         merchant_id=issue.merchant_id))
    return issue


def _grant_store_credit(issue: IncentiveIssue) -> str:
    """Credit the shopper's balance through the ledger registered on tracking.extensions.STORE_CREDIT
    (the returns app's) in this transaction: the credit and its record commit together. "" when no
    app keeps store credit."""
    ledgers = extensions.STORE_CREDIT.implementations()
    if not ledgers:
        return ""
    _, grant = ledgers[0]
    return grant(customer=issue.customer, amount=issue.amount, currency=issue.currency,
                 reference=f"nps-incentive:{issue.pk}", note=f"Thank you for your feedback (survey {issue.survey_id})")

"""Reads shared by pages, the tracking page partial, admin and the API."""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tracking.models import Merchant, Order
from tracking.page.versions import order_page_changed as order_page_version_bump
from tracking.tokens import make_token

from feedback.models import Survey, SurveySettings

TOKEN_PURPOSE = "nps"
SCORES = range(0, 11)


def survey_settings_for(merchant: Merchant) -> SurveySettings:
    """The merchant's saved settings, or an unsaved row holding the defaults."""
    try:
        return SurveySettings.objects.get(merchant=merchant)
    except SurveySettings.DoesNotExist:
        return SurveySettings(merchant=merchant)


def score_url(survey: Survey, score: int, *, channel: str = "e", absolute: bool = True) -> str:
    """One-click link recording ``score``. ``channel`` e=email, t=tracking page (for the source column)."""
    token = make_token(TOKEN_PURPOSE, {"s": survey.pk, "v": score, "c": channel})
    path = reverse("feedback:score", args=[token])
    return settings.DOORSTEP_BASE_URL + path if absolute else path


def survey_page_url(survey: Survey, *, absolute: bool = True) -> str:
    token = make_token(TOKEN_PURPOSE, {"s": survey.pk})
    path = reverse("feedback:survey", args=[token])
    return settings.DOORSTEP_BASE_URL + path if absolute else path


def score_links(survey: Survey, *, channel: str = "e", absolute: bool = True) -> list[dict]:
    return [{"score": n, "url": score_url(survey, n, channel=channel, absolute=absolute)} for n in SCORES]


def survey_is_open(survey: Survey, *, now=None) -> bool:
    return survey.status != Survey.Status.SKIPPED and (now or timezone.now()) < survey.expires_at


def survey_for_order(order: Order) -> dict | None:
    """What the tracking page shows once the order is delivered: the open survey with its score
    links and current answer, or None (no survey yet, skipped, or expired)."""
    # Raw: it runs on every render of the tracking page, mostly to find there is no survey, and the
    # ORM compiling a one-to-one lookup with its reverse join cost more than the query itself.
    survey = next(iter(Survey.objects.raw(
        f"SELECT * FROM {Survey._meta.db_table} WHERE order_id = %s AND merchant_id = %s",
        [order.pk, order.merchant_id])), None)
    if survey is None or not survey_is_open(survey):
        return None
    survey.merchant = order.merchant  # the page shows its name; the order already holds it
    return {
        "survey": survey,
        "response": getattr(survey, "response", None),
        "score_links": score_links(survey, channel="t", absolute=False),
        "page_url": survey_page_url(survey, absolute=False),
    }


def order_page_changed(order_id: int) -> None:
    """Tell the tracking page its cached HTML is stale: it keys its cache on a digest that includes
    Order.updated_at, and the survey block (shown, answered) is part of that page."""
    Order.objects.filter(pk=order_id).update(updated_at=timezone.now())
    order_page_version_bump(order_id=order_id)  # the cached version lives in the cache

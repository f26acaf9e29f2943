"""Shopper pages: the one-click score link and the follow-up page. Thin: parse, call a service, render."""
from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tracking.tokens import BadToken, ExpiredToken, read_token

from feedback.forms import SurveyAnswerForm
from feedback.models import Survey, SurveyResponse
from feedback.models.surveys import DETRACTOR_MAX, PROMOTER_MIN
from feedback.selectors import TOKEN_PURPOSE, score_links, survey_is_open, survey_page_url, survey_settings_for
from feedback.services import SurveyClosed, SurveyExpired, response_record

# The survey row's expires_at is the real limit; this only bounds how old any nps token can be.
TOKEN_MAX_AGE = timedelta(days=366)
SOURCES = {"e": SurveyResponse.Source.EMAIL, "t": SurveyResponse.Source.TRACKING}


class _Expired(Exception):
    pass


def _load(request, token: str) -> tuple[Survey, dict]:
    try:
        payload = read_token(TOKEN_PURPOSE, token, max_age=TOKEN_MAX_AGE)
    except ExpiredToken:
        raise _Expired()
    except BadToken:
        raise Http404("unknown link")
    try:
        survey = Survey.objects.select_related("merchant", "customer", "order").get(pk=int(payload["s"]))
    except (KeyError, TypeError, ValueError, Survey.DoesNotExist):
        raise Http404("unknown link")
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and not request.META.get("HTTP_ACCEPT_LANGUAGE"):
        _use_shopper_language(survey)
    return survey, payload


def _use_shopper_language(survey: Survey) -> None:
    # The page speaks the visitor's language: the one they chose (cookie), else their browser's
    # (LocaleMiddleware). Only a client that says neither gets the language the email was sent in.
    preferred = survey.customer.locale or survey.merchant.default_locale
    if preferred:
        translation.activate(preferred)


def _closed(request, survey: Survey | None, *, expired: bool):
    return render(request, "feedback/closed.html", {"merchant": survey.merchant if survey else None,
                                                    "expired": expired}, status=410)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def score_click(request, token):
    """The score link of an email or the tracking page. GET shows the survey page with that score
    preselected and records nothing; the shopper's POST (the page's Send, or a confirm to this URL)
    records it. Mail security scanners follow every link with GET (some with HEAD) before the
    shopper opens the email, so a GET that recorded would leave a score nobody gave.
    """
    try:
        survey, payload = _load(request, token)
    except _Expired:
        return _closed(request, None, expired=True)
    score = payload.get("v")
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        return HttpResponseBadRequest("This link does not carry a score from 0 to 10.")
    if request.method == "HEAD":
        return HttpResponse(status=200)
    if request.method == "GET":
        if not survey_is_open(survey):
            return _closed(request, survey, expired=survey.status != Survey.Status.SKIPPED)
        return _survey_page(request, survey, preselected=score)
    try:
        response_record(survey_id=survey.pk, score=score, source=SOURCES.get(payload.get("c"), "email"))
    except SurveyExpired:
        return _closed(request, survey, expired=True)
    except SurveyClosed:
        return _closed(request, survey, expired=False)
    return redirect(survey_page_url(survey, absolute=False) + "?recorded=1")


@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request, token):
    try:
        survey, _payload = _load(request, token)
    except _Expired:
        return _closed(request, None, expired=True)
    if request.method == "GET":
        if not survey_is_open(survey):
            return _closed(request, survey, expired=survey.status != Survey.Status.SKIPPED)
        return _survey_page(request, survey)
    form = SurveyAnswerForm(request.POST)
    if form.is_valid():
        try:
            response_record(survey_id=survey.pk, score=form.cleaned_data["score"], source="page",
                            reason=form.cleaned_data["reason"], ratings=form.ratings())
        except SurveyExpired:
            return _closed(request, survey, expired=True)
        except SurveyClosed:
            return _closed(request, survey, expired=False)
        return redirect(request.path + "?saved=1")
    return _survey_page(request, survey, form=form, status=400)


def _survey_page(request, survey: Survey, *, form=None, status: int = 200, preselected: int | None = None):
    """The follow-up page; ``preselected`` (from a score link) fills the score for the shopper to send."""
    response = SurveyResponse.objects.filter(survey=survey).first()
    if form is None:
        initial = {}
        if response is not None:
            initial = {f: getattr(response, f) for f in
                       ("score", "reason", "delivery_rating", "product_rating", "packaging_rating")}
        if preselected is not None:
            initial["score"] = preselected
        form = SurveyAnswerForm(initial=initial)
    conf = survey_settings_for(survey.merchant)
    incentive = getattr(survey, "incentive", None) if response else None
    return render(request, "feedback/survey.html", {
        "merchant": survey.merchant, "survey": survey, "response": response, "form": form,
        "score_links": score_links(survey, absolute=False), "saved": request.GET.get("saved") == "1",
        "recorded": request.GET.get("recorded") == "1",
        "is_promoter": response is not None and response.score >= PROMOTER_MIN,
        "is_detractor": response is not None and response.score <= DETRACTOR_MAX,
        "review_url": conf.review_url, "incentive": incentive, "preselected": preselected,
        "form_action": survey_page_url(survey, absolute=False) if preselected is not None else "",
    }, status=status)

"""Delay and exception wording for emails, which only carry JSON-safe codes and ISO dates: the
sentences are the tracking page's own (tracking.page.presenters), rendered in the shopper's language."""
from django import template

from tracking.page import presenters
from tracking.templatetags.doorstep_dates import _as_date

register = template.Library()


@register.simple_tag
def exception_headline(kind):
    return str(presenters.EXCEPTION_HEADLINES.get(kind or "", presenters.EXCEPTION_HEADLINES["other"]))


@register.simple_tag
def exception_what(kind):
    """"The carrier is searching for your parcel." and the like."""
    return str(presenters.EXCEPTION_WHAT.get(kind or "", presenters.EXCEPTION_WHAT["other"]))


@register.simple_tag
def exception_help(kind):
    return str(presenters.EXCEPTION_HELP.get(kind or "", ""))


@register.simple_tag
def day(value):
    """"Tue 8 Dec" (Korean: "12월 8일 (화)") from an ISO date; "" when there is none."""
    found = _as_date(value) if value else None
    return presenters.format_day(found) if found else ""

"""Dates in the shopper's language for templates that only have JSON-safe values (emails)."""
from datetime import date

from django import template

from tracking.page import presenters

register = template.Library()


def _as_date(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@register.simple_tag
def delivery_window(start, end):
    """"Tue 24 – Thu 26 Nov" (or "11월 24일 (화) – 26일 (목)"), "" when unknown."""
    start, end = _as_date(start), _as_date(end)
    if start and end:
        return presenters.format_window(start, end)
    if start or end:
        return presenters.format_day(start or end)
    return ""


@register.simple_tag
def delay_reason(reason):
    return str(presenters.REASON_LABELS.get(reason or "", "")) if reason else ""

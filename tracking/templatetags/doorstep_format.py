"""Money, days, moments and time zones for shopper pages and emails, in the active language.

One formatter per kind, so a page never shows the same amount two ways:
``{{ amount|money:currency }}``, ``{{ day|day }}`` ("12월 5일 (토)" / "Sat 5 Dec"),
``{{ moment|moment:merchant.timezone }}`` (in the merchant's zone) and ``{{ tz_name|place }}``
("서울" / "Seoul": a place, never "Asia/Seoul")."""
from datetime import date, datetime

from django import template

from tracking.money import format_money
from tracking.page import presenters

register = template.Library()


@register.filter
def money(amount, currency):
    return format_money(amount, str(currency or ""))


def _as_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@register.filter
def day(value):
    value = _as_date(value)
    return presenters.format_day(value) if value else ""


@register.filter
def day_year(value):
    value = _as_date(value)
    return presenters.format_day_year(value) if value else ""


@register.filter
def moment(value, tz_name=""):
    if not isinstance(value, datetime):
        return ""
    return presenters.format_moment(value, presenters.merchant_zone_name(str(tz_name or "UTC")))


@register.filter
def place(tz_name):
    return presenters.zone_place(str(tz_name or ""))


@register.filter
def item_title(order_line):
    """An order line's title in the viewer's language: the product's Korean title on a Korean page."""
    from django.utils.translation import get_language

    if order_line is None:
        return ""
    if (get_language() or "").startswith("ko"):
        variant = getattr(order_line, "variant", None)
        product = getattr(variant, "product", None) if variant is not None else None
        if product is not None and product.title_ko:
            return product.title_ko
    return order_line.title

"""Shopper-facing wording of a delivery window ("Get it by Thu, Nov 26" / "11월 26일 (목)까지 도착 예정")."""
from __future__ import annotations

from datetime import date

from django.utils import translation
from django.utils.translation import gettext, pgettext

from tracking.edd.types import EddPrediction

# Own contexts, so these short names never change how Django's admin shows dates in Korean.
_WEEKDAYS = [
    lambda: pgettext("edd weekday", "Mon"), lambda: pgettext("edd weekday", "Tue"),
    lambda: pgettext("edd weekday", "Wed"), lambda: pgettext("edd weekday", "Thu"),
    lambda: pgettext("edd weekday", "Fri"), lambda: pgettext("edd weekday", "Sat"),
    lambda: pgettext("edd weekday", "Sun"),
]
_MONTHS = [
    lambda: pgettext("edd month", "Jan"), lambda: pgettext("edd month", "Feb"),
    lambda: pgettext("edd month", "Mar"), lambda: pgettext("edd month", "Apr"),
    lambda: pgettext("edd month", "May"), lambda: pgettext("edd month", "Jun"),
    lambda: pgettext("edd month", "Jul"), lambda: pgettext("edd month", "Aug"),
    lambda: pgettext("edd month", "Sep"), lambda: pgettext("edd month", "Oct"),
    lambda: pgettext("edd month", "Nov"), lambda: pgettext("edd month", "Dec"),
]


def short_date(day: date) -> str:
    # Translators: a short date such as "Thu, Nov 26" (Korean: "11월 26일 (목)").
    return gettext("%(weekday)s, %(month)s %(day)s") % {
        "weekday": _WEEKDAYS[day.weekday()](),
        "month": _MONTHS[day.month - 1](),
        "day": day.day,
    }


def get_it_by(prediction: EddPrediction, lang: str) -> dict[str, str]:
    """``message``: the "Get it by …" line; ``window_message``: the whole window."""
    with translation.override(lang):
        end = short_date(prediction.window_end)
        if prediction.window_start == prediction.window_end:
            window = gettext("Arriving %(date)s") % {"date": end}
        else:
            window = gettext("Arriving %(start)s – %(end)s") % {"start": short_date(prediction.window_start),
                                                                 "end": end}
        return {"message": gettext("Get it by %(date)s") % {"date": end}, "window_message": window}

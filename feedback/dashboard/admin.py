"""The staff dashboard as an admin page (admin/feedback/dashboard/), with CSV export of each table."""
from __future__ import annotations

import csv
import datetime as dt
import zoneinfo

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from tracking.models import Merchant
from tracking.staff.mixins import ScopedAdmin
from tracking.staff.selectors import visible_merchants

from feedback.dashboard import charts
from feedback.dashboard import data as dashboard
from feedback.models import Dashboard


class DashboardFilter(forms.Form):
    merchant = forms.ModelChoiceField(queryset=Merchant.objects.none(), required=True)
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merchant"].queryset = visible_merchants(user)  # only the user's merchants

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name) and not dt.date(2000, 1, 1) <= data[name] <= dt.date(2100, 12, 31):
                raise forms.ValidationError("Choose dates between 2000 and 2100.")
        if data.get("start") and data.get("end"):
            if data["start"] > data["end"]:
                raise forms.ValidationError("The start date must be on or before the end date.")
            if (data["end"] - data["start"]).days > 3 * 366:
                raise forms.ValidationError("Choose a period of at most three years.")
        return data


def _initial(user) -> dict:
    """The user's first merchant's last 12 months, ending today in that merchant's time zone."""
    merchant = visible_merchants(user).first()
    tz = zoneinfo.ZoneInfo(merchant.timezone) if merchant else None
    today = timezone.localdate(timezone=tz)
    return {"merchant": merchant, "start": today - dt.timedelta(days=364), "end": today}


def _csv_cell(value):
    # Spreadsheet apps run cells that start with these as formulas (CSV injection); comments are shopper text.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(table: dashboard.Table, board: dashboard.Dashboard) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{board.merchant.slug}-{table.name}-{board.start:%Y%m%d}-{board.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([label for _key, label in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(row.get(key)) for key, _label in table.columns])
    return response


@admin.register(Dashboard)
class DashboardAdmin(ScopedAdmin):
    """Not a list of rows: the changelist URL shows the dashboard. Needs the proxy's view permission.
    Offers the merchants the user is a member of; another merchant's id in the query is a 404."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        initial = _initial(request.user)
        form = DashboardFilter(request.GET or None, initial=initial, user=request.user)
        if request.GET and not form.is_valid() and form.has_error("merchant", code="invalid_choice") \
                and request.GET.get("merchant", "").strip().isdigit():
            # A merchant id the user may not see (another tenant's, or none): 404 either way, never a
            # form error that would tell the two apart.
            raise Http404("No such merchant.")
        board = None
        if request.GET and form.is_valid():
            data = form.cleaned_data
        elif not request.GET and initial["merchant"] is not None:
            data = initial
        else:
            data = None
        if data is not None:
            start, end = dashboard.period_bounds(data["merchant"], data["start"], data["end"])
            board = dashboard.build(data["merchant"], start, end)
            export = request.GET.get("export")
            if export:
                table = board.tables.get(export)
                if table is None:
                    raise Http404("unknown table")
                return export_csv(table, board)
        context = {
            **self.admin_site.each_context(request),
            "title": "NPS & retention dashboard",
            "opts": self.model._meta,
            "form": form,
            "board": board,
            "charts": _charts(board) if board else [],
            "query": request.GET.urlencode() if request.GET else (
                f"merchant={data['merchant'].pk}&start={data['start']}&end={data['end']}" if data else ""),
        }
        return TemplateResponse(request, "admin/feedback/dashboard.html", context)


def _charts(board: dashboard.Dashboard) -> list[dict]:
    t = board.tables
    specs = [
        ("nps_by_week", "week", "nps", "NPS by week", True),
        ("nps_by_carrier", "carrier", "nps", "NPS by carrier", True),
        ("nps_by_lane", "lane", "nps", "NPS by lane", True),
        ("nps_by_delivery", "delivery", "nps", "NPS for on-time vs late deliveries", True),
        ("score_distribution", "score", "responses", "Score distribution", False),
        ("delivery_by_carrier", "carrier", "on_time_rate", "On-time delivery rate by carrier (%)", False),
    ]
    percent_scale = {"delivery_by_carrier"}
    out = []
    for name, label_key, value_key, title, signed in specs:
        chart = charts.bar_chart(t[name].rows, label_key=label_key, value_key=value_key, title=title, signed=signed,
                                 high=100 if name in percent_scale else None)
        chart.update(table=t[name], id=name)
        out.append(chart)
    return out

"""Shopper forms: order lookup, tracking-number lookup, failed-delivery choices."""
from __future__ import annotations

import secrets
from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from tracking.models import DeliveryRequest
from tracking.page.selectors import TRACKING_NUMBER_RE

RESCHEDULE_DAYS_AHEAD = 14


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=64,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    secret = forms.CharField(label=_("Email or delivery postcode"), max_length=254,
                             help_text=_("The email address you ordered with, or the postcode it ships to."),
                             widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}))

    def clean_number(self):
        value = self.cleaned_data["number"].strip()
        if not value.lstrip("#"):
            raise forms.ValidationError(_("Enter your order number."))
        return value

    def clean_secret(self):
        return self.cleaned_data["secret"].strip()


class TrackingNumberForm(forms.Form):
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40, min_length=6)

    def clean_tracking_number(self):
        value = self.cleaned_data["tracking_number"].strip().replace(" ", "")
        if not TRACKING_NUMBER_RE.match(value):
            raise forms.ValidationError(_("Tracking numbers use only letters, digits and dashes."))
        return value


class DeliveryChangeForm(forms.Form):
    """One form, three choices; the submit button's ``kind`` says which fields matter."""

    kind = forms.ChoiceField(choices=DeliveryRequest.Kind.choices, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=64, min_length=16, widget=forms.HiddenInput)
    requested_date = forms.DateField(label=_("New delivery date"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    pickup_point = forms.ChoiceField(label=_("Pickup point"), required=False, widget=forms.RadioSelect)
    instructions = forms.CharField(label=_("Instructions for the driver"), required=False, max_length=300,
                                   widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}))

    def __init__(self, *args, pickup_points=(), today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.pickup_points = {p.id: p for p in pickup_points}
        self.fields["pickup_point"].choices = [
            (p.id, f"{p.name} — {p.address}" + (f" ({p.opening_hours})" if p.opening_hours else ""))
            for p in pickup_points
        ]
        self.fields["requested_date"].widget.attrs.update(
            {"min": (today + timedelta(days=1)).isoformat(),
             "max": (today + timedelta(days=RESCHEDULE_DAYS_AHEAD)).isoformat()})
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(18))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == DeliveryRequest.Kind.RESCHEDULE:
            day = data.get("requested_date")
            if day is None:
                self.add_error("requested_date", _("Choose a new delivery date."))
            elif not self.today < day <= self.today + timedelta(days=RESCHEDULE_DAYS_AHEAD):
                self.add_error("requested_date",
                               _("Choose a date in the next %(days)d days.") % {"days": RESCHEDULE_DAYS_AHEAD})
        elif kind == DeliveryRequest.Kind.REDIRECT:
            if not data.get("pickup_point"):
                self.add_error("pickup_point", _("Choose a pickup point."))
        elif kind == DeliveryRequest.Kind.INSTRUCTIONS:
            if not (data.get("instructions") or "").strip():
                self.add_error("instructions", _("Write your instructions for the driver."))
        return data

    def pickup_point_label(self) -> str:
        point = self.pickup_points.get(self.cleaned_data.get("pickup_point") or "")
        return f"{point.name}, {point.address}" if point else ""

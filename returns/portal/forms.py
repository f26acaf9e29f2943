"""Shopper forms for the returns portal. Choices come from the merchant's policy and the order."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from returns.models import Resolution
from tracking.money import format_money
from tracking.page.presenters import format_day


class LookupForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=64)
    answer = forms.CharField(label=_("Email or postal code"), max_length=254,
                             help_text=_("The email address or delivery postal code used for the order."))


class ItemsForm(forms.Form):
    """One quantity box per returnable line; lines that can't be returned are shown with the reason."""

    def __init__(self, *args, line_views, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_views = line_views
        for view in line_views:
            if view.verdict.eligible:
                self.fields[f"qty_{view.line.pk}"] = forms.IntegerField(
                    label=view.line.title, min_value=0, max_value=view.verdict.max_quantity, initial=0,
                    required=False)

    def clean(self):
        data = super().clean()
        chosen = {int(name[4:]): qty for name, qty in data.items() if name.startswith("qty_") and qty}
        if not chosen:
            raise forms.ValidationError(_("Choose at least one item to return."))
        data["chosen"] = chosen
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class DetailsForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why are you returning?"), widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything we should know?"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos"), required=False,
                               help_text=_("JPEG, PNG or WebP. Required for damaged or wrong items."),
                               widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    resolution = forms.ChoiceField(label=_("What would you like?"), widget=forms.RadioSelect)
    difference_as_credit = forms.BooleanField(
        label=_("If the replacement costs less, give me the difference as store credit"), required=False)

    def __init__(self, *args, reasons, resolutions, exchange_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(r.code, r.display) for r in reasons]
        self.photo_reasons = {r.code for r in reasons if r.photo_required}
        self.fields["resolution"].choices = resolutions
        self.exchange_fields = []
        for line, variants in exchange_lines:
            name = f"exchange_{line.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Replacement for %(item)s") % {"item": line.title}, required=False,
                choices=[("", "—")] + [(str(v.pk), f"{v.title} · {format_money(v.price, v.currency)}")
                                       for v in variants])
            self.exchange_fields.append(name)

    def clean(self):
        data = super().clean()
        if data.get("resolution") == Resolution.EXCHANGE:
            missing = [name for name in self.exchange_fields if not data.get(name)]
            if missing or not self.exchange_fields:
                raise forms.ValidationError(_("Choose the replacement for each item."))
        return data


class MethodForm(forms.Form):
    method = forms.ChoiceField(label=_("How will you send it back?"), widget=forms.RadioSelect)
    pickup_date = forms.ChoiceField(label=_("Pickup day"), required=False)

    def __init__(self, *args, methods, pickup_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m.method, m.label) for m in methods]
        self.fields["pickup_date"].choices = [("", "—")] + [
            (d.isoformat(), format_day(d)) for d in pickup_days]

    def clean(self):
        data = super().clean()
        if data.get("method") == "pickup" and not data.get("pickup_date"):
            self.add_error("pickup_date", _("Choose a pickup day."))
        return data


class ConfirmForm(forms.Form):
    # The draft's key: submitting the same confirmation twice finds the return already made.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RefundAccountForm(forms.Form):
    """Where a refund of a bank-transfer payment (virtual account, 가상계좌) is paid."""

    refund_bank = forms.ChoiceField(label=_("Bank for your refund"))
    refund_account_number = forms.CharField(
        label=_("Account number"), max_length=30,
        help_text=_("Your refund is paid by bank transfer to this account, because you paid by bank transfer."))
    refund_holder_name = forms.CharField(label=_("Account holder"), max_length=60)

    def __init__(self, *args, **kwargs):
        from returns.money.refund_accounts import TOSS_BANKS

        super().__init__(*args, **kwargs)
        self.fields["refund_bank"].choices = [("", "—"), *TOSS_BANKS]

    def clean_refund_account_number(self):
        from returns.money.refund_accounts import ACCOUNT_RE, normalize_account_number

        number = normalize_account_number(self.cleaned_data["refund_account_number"])
        if not ACCOUNT_RE.match(number):
            raise forms.ValidationError(_("Enter the account number: 8 to 20 digits."))
        return number

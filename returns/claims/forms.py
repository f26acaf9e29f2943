"""The shopper's claim form: the problem, the items, what they would like, photos and a note. Choices
come from the parcel (returns.claims.services.claimability) and the merchant's claims policy."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from returns.portal.forms import MultipleFileField, MultipleFileInput

# The problems in the words a shopper uses (the model's labels are staff-facing).
TYPE_CHOICES = {
    "lost": (_("My parcel is lost"), _("The carrier lost it, or it stopped moving.")),
    "damaged": (_("It arrived damaged"), _("Add a photo of the damage and of the box.")),
    "missing_items": (_("Items are missing"), _("The parcel came, but not everything was in it.")),
    "not_received": (_("It says delivered, but I didn't get it"),
                     _("Check with neighbours and your building's mailroom first.")),
}


class ClaimForm(forms.Form):
    claim_type = forms.ChoiceField(label=_("What went wrong?"), widget=forms.RadioSelect)
    resolution = forms.ChoiceField(label=_("What would you like?"), widget=forms.RadioSelect)
    photos = MultipleFileField(label=_("Photos"), required=False,
                               help_text=_("JPEG, PNG or WebP. Needed when the parcel arrived damaged."),
                               widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    note = forms.CharField(label=_("Anything we should know?"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, types, resolutions, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["claim_type"].choices = [(code, TYPE_CHOICES[code][0]) for code in types]
        self.type_help = {code: TYPE_CHOICES[code][1] for code in types}
        if len(types) == 1:
            self.fields["claim_type"].initial = types[0]
        self.fields["resolution"].choices = resolutions
        if len(resolutions) == 1:
            self.fields["resolution"].initial = resolutions[0][0]
        self.line_fields = []
        for line in lines:
            # Fully reported lines keep a (hidden) field: a stale second tab gets "already reported".
            name = f"qty_{line.order_line.pk}"
            # No max_value: the service says "at most n" in the shopper's words; the browser gets a hint.
            self.fields[name] = forms.IntegerField(
                label=_("Quantity"), min_value=0, required=False, initial=0,
                widget=forms.NumberInput(attrs={"max": line.remaining, "min": 0, "inputmode": "numeric"})
                if line.remaining else forms.HiddenInput)
            self.line_fields.append(name)

    def clean(self):
        data = super().clean()
        data["chosen"] = {int(name[4:]): data[name] for name in self.line_fields if data.get(name)}
        if not data["chosen"] and not self.has_error("claim_type"):
            raise forms.ValidationError(_("Choose at least one item."))
        return data

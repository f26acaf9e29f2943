from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models.surveys import REASON_MAX_LENGTH

SCORE_CHOICES = [(n, str(n)) for n in range(11)]
RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


class RatingField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=RATING_CHOICES, coerce=int, empty_value=None, required=False,
                         widget=forms.RadioSelect, **kwargs)


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend?"), choices=SCORE_CHOICES, coerce=int,
        widget=forms.RadioSelect, error_messages={"invalid_choice": _("Choose a score from 0 to 10."),
                                                  "required": _("Choose a score from 0 to 10.")})
    reason = forms.CharField(
        label=_("What is the main reason for your score?"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}), max_length=REASON_MAX_LENGTH,
        # Django's default message counts characters but does not say what to do.
        error_messages={"max_length": _("Please shorten your answer to at most %(limit_value)d characters "
                                        "(it has %(show_value)d).")})
    delivery_rating = RatingField(label=_("Delivery"))
    product_rating = RatingField(label=_("Product"))
    packaging_rating = RatingField(label=_("Packaging"))

    def ratings(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in ("delivery_rating", "product_rating", "packaging_rating")}

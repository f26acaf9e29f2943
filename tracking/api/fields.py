"""Serializer pieces shared by tracking's API modules."""
from rest_framework import serializers

from tracking.money import CURRENCY_CODES


class CurrencyField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=sorted(CURRENCY_CODES), **kwargs)
        self.error_messages["invalid_choice"] = '"{input}" is not an ISO 4217 currency code.'


def money_field(**kwargs):
    return serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, **kwargs)


class SinceFilterSerializer(serializers.Serializer):
    created_since = serializers.DateTimeField(required=False)
    updated_since = serializers.DateTimeField(required=False)

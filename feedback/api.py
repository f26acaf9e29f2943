"""GET /nps/responses/ and GET /nps/metrics/ for the merchant's own systems (API key, read scope)."""
from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from tracking.apikit.views import MerchantAPIView

from feedback.dashboard import data as dashboard
from feedback.models import SurveyResponse


class ResponseFilterSerializer(serializers.Serializer):
    answered_since = serializers.DateTimeField(required=False)
    answered_before = serializers.DateTimeField(required=False)
    score_max = serializers.IntegerField(required=False, min_value=0, max_value=10)


class ResponseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order_number = serializers.CharField(source="survey.order.number")
    customer_email = serializers.EmailField(source="survey.customer.email")
    score = serializers.IntegerField()
    category = serializers.CharField(help_text="promoter (9–10), passive (7–8) or detractor (0–6)")
    reason = serializers.CharField()
    delivery_rating = serializers.IntegerField(allow_null=True)
    product_rating = serializers.IntegerField(allow_null=True)
    packaging_rating = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()
    carrier = serializers.CharField(source="survey.carrier")
    lane = serializers.CharField(source="survey.lane")
    on_time = serializers.BooleanField(source="survey.on_time", allow_null=True)
    answered_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class NpsResponseListApi(MerchantAPIView):
    @extend_schema(operation_id="nps_responses_list", parameters=[ResponseFilterSerializer],
                   responses=ResponseOutputSerializer(many=True))
    def get(self, request):
        filters = ResponseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = SurveyResponse.objects.filter(merchant=self.merchant).select_related("survey__order", "survey__customer")
        if "answered_since" in f:
            qs = qs.filter(answered_at__gte=f["answered_since"])
        if "answered_before" in f:
            qs = qs.filter(answered_at__lt=f["answered_before"])
        if "score_max" in f:
            qs = qs.filter(score__lte=f["score_max"])
        return self.paginated(qs, ResponseOutputSerializer)


EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class MetricsFilterSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day, in the merchant's time zone "
                                                            "(default: 364 days before end).")
    end = serializers.DateField(required=False, help_text="Last day (inclusive), in the merchant's time zone "
                                                          "(default: today).")

    def validate(self, data):
        for name in ("start", "end"):
            if name in data and not EARLIEST <= data[name] <= LATEST:
                raise serializers.ValidationError({name: [f"Use a date between {EARLIEST} and {LATEST}."]})
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(self.context["merchant"].timezone))
        data.setdefault("end", today)
        data.setdefault("start", data["end"] - dt.timedelta(days=364))
        if data["start"] > data["end"]:
            raise serializers.ValidationError({"start": ["start must be on or before end."]})
        if (data["end"] - data["start"]).days > 3 * 366:
            raise serializers.ValidationError({"end": ["Ask for at most three years at a time."]})
        return data


class MetricsOutputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="Exclusive.")
    cards = serializers.DictField(help_text="metric key → value (percent, NPS points or money); null = no data")
    tables = serializers.DictField(help_text="table name → rows, as on the dashboard and its CSV export")


class NpsMetricsApi(MerchantAPIView):
    @extend_schema(operation_id="nps_metrics", parameters=[MetricsFilterSerializer],
                   responses=MetricsOutputSerializer,
                   description="Every dashboard figure for a period; definitions in feedback.metrics.")
    def get(self, request):
        filters = MetricsFilterSerializer(data=request.query_params, context={"merchant": self.merchant})
        filters.is_valid(raise_exception=True)
        start, end = dashboard.period_bounds(self.merchant, filters.validated_data["start"],
                                             filters.validated_data["end"])
        board = dashboard.build(self.merchant, start, end)
        data = {"start": start, "end": end, "cards": {c.key: c.value for c in board.cards},
                "tables": {name: t.rows for name, t in board.tables.items() if name != "cards"}}
        return Response(MetricsOutputSerializer(data).data)



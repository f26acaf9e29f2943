"""POST/GET /shipments/, GET /shipments/{id}/. The output serializers double as webhook payloads."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from tracking import selectors
from tracking.apikit.idempotency import idempotent
from tracking.apikit.views import MerchantAPIView
from tracking.carriers import status as st
from tracking.models import Shipment, TrackingEvent
from tracking.services.fulfilments import ShipmentData, ShipmentLineData, shipment_create
from tracking.api.fields import SinceFilterSerializer


class ShipmentLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)


class ShipmentInputSerializer(serializers.Serializer):
    order_number = serializers.CharField(max_length=64)
    tracking_number = serializers.RegexField(r"^[A-Za-z0-9 \-]{4,64}$", max_length=64)
    carrier = serializers.CharField(max_length=32, required=False, default="", allow_blank=True,
                                    help_text="Carrier slug; omit to detect it from the tracking number.")
    service_level = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)
    lines = ShipmentLineInputSerializer(many=True, required=False, allow_null=True, default=None, max_length=500,
                                        help_text="Order lines in this parcel; omit to ship everything left.")
    promised_delivery_date = serializers.DateField(required=False, allow_null=True, default=None)
    origin_postal_code = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    origin_country = serializers.RegexField(r"^([A-Za-z]{2})?$", required=False, default="", allow_blank=True)

    def to_data(self) -> ShipmentData:
        v = dict(self.validated_data)
        if v["lines"] is not None:
            v["lines"] = [ShipmentLineData(**line) for line in v["lines"]]
        return ShipmentData(**v)


class ShipmentLineOutputSerializer(serializers.Serializer):
    sku = serializers.CharField(source="order_line.sku")
    title = serializers.CharField(source="order_line.title")
    quantity = serializers.IntegerField()


class DeliveryEstimateSerializer(serializers.Serializer):
    promised_date = serializers.DateField(source="promised_delivery_date", allow_null=True)
    carrier_date = serializers.DateField(source="carrier_delivery_date", allow_null=True)
    predicted_date = serializers.DateField(source="predicted_delivery_date", allow_null=True)
    predicted_window_start = serializers.DateField(allow_null=True)
    predicted_window_end = serializers.DateField(allow_null=True)
    is_delayed = serializers.SerializerMethodField()

    def get_is_delayed(self, shipment) -> bool:
        """Delayed is derived, never a status: predicted beyond the promise, or a delay reason."""
        if shipment.status in st.TERMINAL:
            return False
        late = (shipment.promised_delivery_date and shipment.predicted_delivery_date
                and shipment.predicted_delivery_date > shipment.promised_delivery_date)
        return bool(late) or shipment.status_reason in st.DELAY_REASONS


class TrackingEventOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrackingEvent
        fields = ["occurred_at", "status", "reason", "carrier_code", "carrier_text", "location", "source"]


class ShipmentOutputSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number")
    estimated_delivery = DeliveryEstimateSerializer(source="*")
    lines = ShipmentLineOutputSerializer(many=True)

    class Meta:
        model = Shipment
        fields = ["id", "order_number", "carrier", "service_level", "tracking_number", "is_return", "status",
                  "status_reason", "last_event_at", "shipped_at", "delivered_at", "estimated_delivery",
                  "origin_postal_code", "origin_country", "destination_postal_code", "destination_country",
                  "lines", "created_at", "updated_at"]


class ShipmentDetailOutputSerializer(ShipmentOutputSerializer):
    events = TrackingEventOutputSerializer(many=True)

    class Meta(ShipmentOutputSerializer.Meta):
        fields = ShipmentOutputSerializer.Meta.fields + ["events"]


class ShipmentFilterSerializer(SinceFilterSerializer):
    status = serializers.MultipleChoiceField(choices=sorted(st.ALL), required=False,
                                             help_text="Repeat or comma-separate for several.")
    carrier = serializers.CharField(max_length=32, required=False)
    order_number = serializers.CharField(max_length=64, required=False)
    tracking_number = serializers.CharField(max_length=64, required=False)


def _filter_params(query_params) -> dict:
    data = {k: v for k, v in query_params.items() if k != "status"}
    statuses = [s for value in query_params.getlist("status") for s in value.split(",") if s]
    if statuses:
        data["status"] = statuses
    return data


class ShipmentListCreateApi(MerchantAPIView):
    @extend_schema(operation_id="shipments_list", parameters=[ShipmentFilterSerializer],
                   responses=ShipmentOutputSerializer(many=True))
    def get(self, request):
        filters = ShipmentFilterSerializer(data=_filter_params(request.query_params))
        filters.is_valid(raise_exception=True)
        f = dict(filters.validated_data)
        shipments = selectors.shipment_list(merchant=self.merchant, statuses=sorted(f.pop("status", [])), **f)
        return self.paginated(shipments, ShipmentOutputSerializer)

    @extend_schema(operation_id="shipments_create", request=ShipmentInputSerializer,
                   responses={201: ShipmentDetailOutputSerializer},
                   description="Register a parcel. Quantities cannot exceed what was ordered minus what already "
                               "shipped; a tracking number already registered is a 409.")
    @idempotent
    def post(self, request):
        serializer = ShipmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shipment = shipment_create(merchant=self.merchant, data=serializer.to_data())
        shipment = selectors.shipment_get(merchant=self.merchant, shipment_id=shipment.pk)
        return Response(ShipmentDetailOutputSerializer(shipment).data, status=status.HTTP_201_CREATED)


class ShipmentDetailApi(MerchantAPIView):
    @extend_schema(operation_id="shipments_retrieve", responses=ShipmentDetailOutputSerializer)
    def get(self, request, shipment_id: int):
        shipment = selectors.shipment_get(merchant=self.merchant, shipment_id=shipment_id)
        if shipment is None:
            raise Http404
        return Response(ShipmentDetailOutputSerializer(shipment).data)

"""GET/POST /webhook-endpoints/, GET/DELETE /webhook-endpoints/{id}/."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from tracking.apikit.idempotency import idempotent

from tracking.apikit.views import MerchantAPIView
from tracking.models import WebhookEndpoint
from tracking.webhooks_out.event_types import EVENT_TYPES
from tracking.webhooks_out.services import webhook_endpoint_create, webhook_endpoint_delete


class WebhookEndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=sorted(EVENT_TYPES)),
                                        required=False, default=list, max_length=50,
                                        help_text="Empty: every event type.")
    description = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class WebhookEndpointOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "event_types", "is_active", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointOutputSerializer):
    secret = serializers.CharField(help_text="Signing secret (whsec_…). Shown only in this response.")

    class Meta(WebhookEndpointOutputSerializer.Meta):
        fields = WebhookEndpointOutputSerializer.Meta.fields + ["secret"]


def _endpoints(merchant):
    return WebhookEndpoint.objects.filter(merchant=merchant, deleted_at__isnull=True)


class WebhookEndpointListCreateApi(MerchantAPIView):
    @extend_schema(operation_id="webhook_endpoints_list", responses=WebhookEndpointOutputSerializer(many=True))
    def get(self, request):
        return self.paginated(_endpoints(self.merchant), WebhookEndpointOutputSerializer)

    @extend_schema(operation_id="webhook_endpoints_create", request=WebhookEndpointInputSerializer,
                   responses={201: WebhookEndpointCreatedSerializer},
                   description="Subscribe a URL. It must be https and resolve only to public addresses.")
    @idempotent
    def post(self, request):
        serializer = WebhookEndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(merchant=self.merchant, **serializer.validated_data)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailApi(MerchantAPIView):
    def _get(self, endpoint_id):
        endpoint = _endpoints(self.merchant).filter(pk=endpoint_id).first()
        if endpoint is None:
            raise Http404
        return endpoint

    @extend_schema(operation_id="webhook_endpoints_retrieve", responses=WebhookEndpointOutputSerializer)
    def get(self, request, endpoint_id: int):
        return Response(WebhookEndpointOutputSerializer(self._get(endpoint_id)).data)

    @extend_schema(operation_id="webhook_endpoints_destroy", responses={204: None})
    def delete(self, request, endpoint_id: int):
        webhook_endpoint_delete(endpoint=self._get(endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

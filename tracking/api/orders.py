"""POST/GET /orders/, GET /orders/{number}/."""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from tracking import selectors
from tracking.apikit.idempotency import idempotent
from tracking.apikit.views import MerchantAPIView
from tracking.models import Customer, Order
from tracking.services.orders import AddressData, CustomerData, OrderData, OrderLineData, order_upsert
from tracking.api.fields import CurrencyField, money_field


class CustomerInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    locale = serializers.ChoiceField(choices=["", "en", "ko"], required=False, default="")
    external_id = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)


class AddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    line1 = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    line2 = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", help_text="ISO 3166-1 alpha-2")


class OrderLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)
    unit_price = money_field(required=False, allow_null=True, default=None,
                             help_text="Defaults to the variant's catalogue price.")
    title = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class OrderInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64)
    placed_at = serializers.DateTimeField()
    currency = CurrencyField()
    customer = CustomerInputSerializer()
    shipping_address = AddressSerializer()
    lines = OrderLineInputSerializer(many=True, allow_empty=False, max_length=500)
    subtotal = money_field(required=False, allow_null=True, default=None)
    shipping_total = money_field(required=False, default=0)
    tax_total = money_field(required=False, default=0)
    discount_total = money_field(required=False, default=0)
    total = money_field(required=False, allow_null=True, default=None)
    payment_gateway = serializers.CharField(max_length=32, required=False, default="", allow_blank=True)
    payment_reference = serializers.CharField(max_length=128, required=False, default="", allow_blank=True)

    def to_data(self) -> OrderData:
        v = dict(self.validated_data)
        v["customer"] = CustomerData(**v["customer"])
        v["shipping_address"] = AddressData(**v["shipping_address"])
        v["lines"] = [OrderLineData(**line) for line in v["lines"]]
        return OrderData(**v)


class CustomerOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["email", "name", "phone", "locale", "external_id"]


class AddressOutputSerializer(serializers.Serializer):
    name = serializers.CharField(source="ship_name")
    line1 = serializers.CharField(source="ship_line1")
    line2 = serializers.CharField(source="ship_line2")
    city = serializers.CharField(source="ship_city")
    region = serializers.CharField(source="ship_region")
    postal_code = serializers.CharField(source="ship_postal_code")
    country = serializers.CharField(source="ship_country")


class OrderLineOutputSerializer(serializers.Serializer):
    sku = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)


class OrderShipmentSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    status = serializers.CharField()


class OrderOutputSerializer(serializers.ModelSerializer):
    customer = CustomerOutputSerializer()
    shipping_address = AddressOutputSerializer(source="*")
    lines = OrderLineOutputSerializer(many=True)
    shipments = OrderShipmentSummarySerializer(many=True)

    class Meta:
        model = Order
        fields = ["number", "placed_at", "currency", "subtotal", "shipping_total", "tax_total", "discount_total",
                  "total", "payment_gateway", "payment_reference", "source", "customer", "shipping_address",
                  "lines", "shipments", "created_at", "updated_at"]


class OrderFilterSerializer(serializers.Serializer):
    placed_since = serializers.DateTimeField(required=False)
    updated_since = serializers.DateTimeField(required=False)
    customer_email = serializers.EmailField(required=False)


class OrderListCreateApi(MerchantAPIView):
    @extend_schema(operation_id="orders_list", parameters=[OrderFilterSerializer],
                   responses=OrderOutputSerializer(many=True))
    def get(self, request):
        filters = OrderFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = selectors.order_list(merchant=self.merchant, **filters.validated_data)
        return self.paginated(orders, OrderOutputSerializer)

    @extend_schema(operation_id="orders_upsert", request=OrderInputSerializer,
                   responses={201: OrderOutputSerializer, 200: OrderOutputSerializer},
                   description="Create the order, or update it if the number exists (lines matched by SKU). "
                               "All or nothing.")
    @idempotent
    def post(self, request):
        serializer = OrderInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order, created = order_upsert(merchant=self.merchant, data=serializer.to_data())
        order = selectors.order_get(merchant=self.merchant, number=order.number)
        return Response(OrderOutputSerializer(order).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OrderDetailApi(MerchantAPIView):
    @extend_schema(operation_id="orders_retrieve", responses=OrderOutputSerializer,
                   parameters=[OpenApiParameter("number", str, OpenApiParameter.PATH)])
    def get(self, request, number: str):
        order = selectors.order_get(merchant=self.merchant, number=number)
        if order is None:
            raise Http404
        return Response(OrderOutputSerializer(order).data)

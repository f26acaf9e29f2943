"""GET/POST /products/ (upsert by external_id), GET/PUT /products/{external_id}/."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from tracking import selectors
from tracking.apikit.idempotency import idempotent
from tracking.apikit.views import MerchantAPIView
from tracking.models import Product, ProductVariant
from tracking.services.catalog import ProductData, VariantData, product_upsert
from tracking.api.fields import CurrencyField, money_field


class VariantInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=200, required=False, default="Default")
    price = money_field()
    currency = CurrencyField()
    image_url = serializers.URLField(max_length=200, required=False, default="", allow_blank=True)
    returnable = serializers.BooleanField(required=False, default=True)
    final_sale = serializers.BooleanField(required=False, default=False)
    stock = serializers.IntegerField(min_value=0, max_value=2_000_000_000, required=False, default=0)


class ProductFieldsSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    title_ko = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    category = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    url = serializers.URLField(max_length=200, required=False, default="", allow_blank=True)
    image_url = serializers.URLField(max_length=200, required=False, default="", allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)
    variants = VariantInputSerializer(many=True, required=False, default=list, max_length=500)


class ProductInputSerializer(ProductFieldsSerializer):
    external_id = serializers.CharField(max_length=64)


def _to_data(validated: dict, external_id: str) -> ProductData:
    v = dict(validated, external_id=external_id)
    v["variants"] = [VariantData(**variant) for variant in v["variants"]]
    return ProductData(**v)


class VariantOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductVariant
        fields = ["sku", "title", "price", "currency", "image_url", "returnable", "final_sale", "stock"]


class ProductOutputSerializer(serializers.ModelSerializer):
    variants = VariantOutputSerializer(many=True)

    class Meta:
        model = Product
        fields = ["external_id", "title", "title_ko", "category", "url", "image_url", "is_active", "variants",
                  "created_at", "updated_at"]


class ProductFilterSerializer(serializers.Serializer):
    updated_since = serializers.DateTimeField(required=False)
    category = serializers.CharField(max_length=80, required=False)


def _upsert_response(merchant, data: ProductData) -> Response:
    product, created = product_upsert(merchant=merchant, data=data)
    product = selectors.product_get(merchant=merchant, external_id=product.external_id)
    return Response(ProductOutputSerializer(product).data,
                    status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ProductListUpsertApi(MerchantAPIView):
    @extend_schema(operation_id="products_list", parameters=[ProductFilterSerializer],
                   responses=ProductOutputSerializer(many=True))
    def get(self, request):
        filters = ProductFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return self.paginated(selectors.product_list(merchant=self.merchant, **filters.validated_data),
                              ProductOutputSerializer)

    @extend_schema(operation_id="products_upsert", request=ProductInputSerializer,
                   responses={201: ProductOutputSerializer, 200: ProductOutputSerializer},
                   description="Create or update a product by external_id; variants are matched by SKU.")
    @idempotent
    def post(self, request):
        serializer = ProductInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        validated = dict(serializer.validated_data)
        return _upsert_response(self.merchant, _to_data(validated, validated.pop("external_id")))


class ProductDetailApi(MerchantAPIView):
    @extend_schema(operation_id="products_retrieve", responses=ProductOutputSerializer)
    def get(self, request, external_id: str):
        product = selectors.product_get(merchant=self.merchant, external_id=external_id)
        if product is None:
            raise Http404
        return Response(ProductOutputSerializer(product).data)

    @extend_schema(operation_id="products_put", request=ProductFieldsSerializer,
                   responses={201: ProductOutputSerializer, 200: ProductOutputSerializer})
    @idempotent
    def put(self, request, external_id: str):
        # The id comes from the path; validating it with the body gives it the same rules and error shape.
        data = {**request.data, "external_id": external_id} if isinstance(request.data, dict) else request.data
        serializer = ProductInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        validated = dict(serializer.validated_data)
        return _upsert_response(self.merchant, _to_data(validated, validated.pop("external_id")))

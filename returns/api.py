"""Returns and store credit in the merchant API (/api/v1/). Conventions: tracking/apikit/__init__.py.

The return output serializer doubles as the payload of the return.* outgoing webhooks."""
from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from tracking.apikit.idempotency import idempotent

from tracking.apikit.views import MerchantAPIView
from tracking.apikit.problems import ProblemError

from returns.errors import InsufficientCredit, ReturnError
from returns.models import ReturnRequest, ReturnStatus, StoreCreditAccount
from returns.selectors import store_credit_balance
from returns.services import store_credit_redeem


class ReturnLineOutputSerializer(serializers.Serializer):
    sku = serializers.CharField(source="order_line.sku")
    title = serializers.CharField(source="order_line.title")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    exchange_sku = serializers.CharField(source="exchange_variant.sku", allow_null=True, default=None)
    inspection = serializers.CharField()
    accepted_quantity = serializers.IntegerField(allow_null=True)
    condition = serializers.CharField()


class ReturnOutputSerializer(serializers.Serializer):
    rma = serializers.CharField()
    kind = serializers.CharField(help_text="return, or claim (lost, damaged…: nothing is sent back)")
    claim_type = serializers.CharField(help_text="lost, damaged, missing_items or not_received; empty for returns")
    order_number = serializers.CharField(source="order.number")
    customer_email = serializers.EmailField(source="customer.email")
    status = serializers.CharField()
    resolution = serializers.CharField()
    method = serializers.CharField()
    reason = serializers.CharField(source="reason_code")
    comment = serializers.CharField()
    currency = serializers.CharField()
    items_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    restocking_fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    credit_bonus = serializers.DecimalField(max_digits=12, decimal_places=2)
    exchange_difference = serializers.DecimalField(max_digits=12, decimal_places=2)
    return_tracking_number = serializers.CharField(source="shipment.tracking_number", allow_null=True, default=None)
    exchange_order_number = serializers.CharField(source="exchange_order.number", allow_null=True, default=None)
    lines = ReturnLineOutputSerializer(many=True)
    created_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)


class ReturnFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReturnStatus.choices, required=False)
    order_number = serializers.CharField(max_length=64, required=False)


def _returns(merchant):
    return (ReturnRequest.objects.filter(merchant=merchant)
            .select_related("order", "customer", "shipment", "exchange_order")
            .prefetch_related("lines__order_line", "lines__exchange_variant"))


class ReturnListApi(MerchantAPIView):
    @extend_schema(operation_id="returns_list", parameters=[ReturnFilterSerializer],
                   responses=ReturnOutputSerializer(many=True))
    def get(self, request):
        filters = ReturnFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = _returns(self.merchant).order_by("-id")
        if "status" in filters.validated_data:
            queryset = queryset.filter(status=filters.validated_data["status"])
        if "order_number" in filters.validated_data:
            queryset = queryset.filter(order__number=filters.validated_data["order_number"])
        return self.paginated(queryset, ReturnOutputSerializer)


class ReturnDetailApi(MerchantAPIView):
    @extend_schema(operation_id="returns_retrieve", responses=ReturnOutputSerializer)
    def get(self, request, rma: str):
        rr = _returns(self.merchant).filter(rma=rma.upper()).first()
        if rr is None:
            raise Http404
        return Response(ReturnOutputSerializer(rr).data)


class CreditBalanceOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    customer_email = serializers.EmailField()
    currency = serializers.CharField()
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)


class RedeemInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reference = serializers.CharField(max_length=128, help_text="The store's order id the credit pays for.")


class RedeemOutputSerializer(CreditBalanceOutputSerializer):
    spent = serializers.DecimalField(max_digits=12, decimal_places=2)


def _account(merchant, code) -> StoreCreditAccount:
    account = (StoreCreditAccount.objects.select_related("customer")
               .filter(merchant=merchant, code=code.strip().upper()).first())
    if account is None:
        raise Http404
    return account


def _balance(account) -> dict:
    return {"code": account.code, "customer_email": account.customer.email, "currency": account.currency,
            "balance": store_credit_balance(account.customer)}


class CreditBalanceApi(MerchantAPIView):
    @extend_schema(operation_id="store_credit_retrieve", responses=CreditBalanceOutputSerializer)
    def get(self, request, code: str):
        return Response(CreditBalanceOutputSerializer(_balance(_account(self.merchant, code))).data)


class CreditRedeemApi(MerchantAPIView):
    @extend_schema(operation_id="store_credit_redeem", request=RedeemInputSerializer,
                   responses={201: RedeemOutputSerializer},
                   description="Spend store credit at checkout. Send an Idempotency-Key: a retried request "
                               "spends once. More than the balance is a 409.")
    @idempotent
    def post(self, request, code: str):
        account = _account(self.merchant, code)
        body = RedeemInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key") or f"ref:{body.validated_data['reference']}"
        try:
            entry = store_credit_redeem(merchant=self.merchant, code=account.code,
                                        amount=body.validated_data["amount"],
                                        reference=body.validated_data["reference"], idempotency_key=key)
        except InsufficientCredit as exc:
            raise ProblemError(status_code=409, slug="insufficient-credit", title="Conflict.",
                               detail=exc.message) from exc
        except ReturnError as exc:
            raise ProblemError(status_code=422, slug=exc.code.replace("_", "-"), title="Unprocessable.",
                               detail=exc.message) from exc
        return Response(RedeemOutputSerializer({**_balance(account), "spent": entry.amount}).data,
                        status=status.HTTP_201_CREATED)

"""Refunds of orders that came from a connected store go through the store (never around it):
Shopify ``refundCreate``, WooCommerce ``POST /orders/<id>/refunds`` with ``api_refund``.

Orders synced from a store carry ``payment_gateway`` = the platform slug and ``payment_reference``
= ``<connection public id>:<platform order id>`` (tracking.stores.sync). The per-order money safety
is the caller's as for every gateway (returns.money.refunds: ledger first, one idempotency key per
Doorstep refund); the key also goes into the refund's note as ``[doorstep:<key>]``, so the store's
own ``refunds/create`` webhook for it is recognised and not counted a second time."""
from __future__ import annotations

from returns.payments.base import (
    GatewayAuthError,
    GatewayRateLimited,
    GatewayUnavailable,
    PaymentGateway,
    RefundDeclined,
    RefundRequestData,
    RefundResult,
    check_refundable,
)


class StoreGateway(PaymentGateway):
    platform = ""

    def _connection(self, reference: str):
        from tracking.models import StoreConnection

        public_id, _, order_id = (reference or "").partition(":")
        connection = StoreConnection.objects.filter(public_id=public_id, platform=self.platform).first()
        if connection is None or not order_id:
            raise RefundDeclined(f"no {self.platform} connection for payment {reference!r}", code="unknown_payment")
        if connection.state != StoreConnection.State.ACTIVE:
            raise GatewayAuthError(f"the {self.platform} store is {connection.state}: reconnect it first",
                                   code=connection.state)
        return connection, order_id

    def refund(self, request: RefundRequestData) -> RefundResult:
        from tracking.stores import base as b
        from tracking.stores.connections import with_fresh_token

        check_refundable(request)
        connection, order_id = self._connection(request.payment_reference)
        marker = f"[doorstep:{request.idempotency_key}]"
        note = f"Doorstep refund {request.metadata.get('rma', '')}".strip()
        try:
            refund = with_fresh_token(connection, lambda a: a.create_refund(
                order_id=order_id, amount=request.amount, currency=request.currency,
                idempotency_key=request.idempotency_key,
                note=note if self.platform == "woocommerce" else f"{note} {marker}"))
        except b.AuthError as exc:
            raise GatewayAuthError(str(exc), code=exc.reason) from exc
        except b.RateLimited as exc:
            raise GatewayRateLimited(str(exc), retry_after=exc.retry_after) from exc
        except b.StoreUnavailable as exc:
            raise GatewayUnavailable(str(exc), retry_after=exc.retry_after) from exc
        except (b.InvalidRequest, b.NotFound, b.Unsupported) as exc:
            raise RefundDeclined(str(exc), code=type(exc).__name__.lower()) from exc
        self._remember(connection, order_id, refund)
        return RefundResult(reference=f"{self.platform}:{refund.id}", status="succeeded", amount=request.amount,
                            currency=request.currency)

    def _remember(self, connection, order_id: str, refund) -> None:
        from tracking.models import StoreObjectLink

        link, created = StoreObjectLink.objects.get_or_create(
            connection=connection, kind=StoreObjectLink.Kind.REFUND, external_id=refund.id,
            defaults={"merchant_id": connection.merchant_id, "parent_external_id": order_id, "status": "doorstep",
                      "data": {"amount": str(refund.amount), "currency": refund.currency}})
        if not created and link.status == "":
            StoreObjectLink.objects.filter(pk=link.pk).update(status="doorstep")


class ShopifyStoreGateway(StoreGateway):
    slug = "shopify"
    name = "Shopify (refund through the store)"
    platform = "shopify"


class WooCommerceStoreGateway(StoreGateway):
    slug = "woocommerce"
    name = "WooCommerce (refund through the store)"
    platform = "woocommerce"

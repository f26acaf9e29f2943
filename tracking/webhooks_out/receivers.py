"""tracking's own signals -> merchant webhook events. Signals arrive after commit, with ids."""
from tracking import selectors
from tracking.models import Merchant
from tracking.webhooks_out.services import webhook_event_emit


def _shipment_payload(merchant: Merchant, shipment_id: int) -> dict | None:
    from tracking.api.shipments import ShipmentOutputSerializer  # the webhook payload is the API's shape

    shipment = selectors.shipment_list(merchant=merchant).filter(pk=shipment_id).first()
    return None if shipment is None else ShipmentOutputSerializer(shipment).data


def _has_endpoints(merchant_id: int) -> Merchant | None:
    return Merchant.objects.filter(pk=merchant_id, webhook_endpoints__is_active=True).distinct().first()


def on_status_changed(sender, *, shipment_id, merchant_id, old_status, new_status, reason="", **kwargs):
    merchant = _has_endpoints(merchant_id)
    if merchant is None:
        return  # the common case: no subscriptions, no work
    shipment = _shipment_payload(merchant, shipment_id)
    if shipment is not None:
        webhook_event_emit(merchant=merchant, event_type="shipment.status_changed", payload={
            "shipment": shipment, "old_status": old_status, "new_status": new_status, "reason": reason})


def on_delivered(sender, *, shipment_id, merchant_id, **kwargs):
    merchant = _has_endpoints(merchant_id)
    if merchant is None:
        return
    shipment = _shipment_payload(merchant, shipment_id)
    if shipment is not None:
        webhook_event_emit(merchant=merchant, event_type="shipment.delivered", payload={"shipment": shipment})


def on_created(sender, *, shipment_id, merchant_id, **kwargs):
    merchant = _has_endpoints(merchant_id)
    if merchant is None:
        return
    shipment = _shipment_payload(merchant, shipment_id)
    if shipment is not None:
        webhook_event_emit(merchant=merchant, event_type="shipment.created", payload={"shipment": shipment})


def connect() -> None:
    from tracking import signals

    signals.shipment_status_changed.connect(on_status_changed, dispatch_uid="webhooks_out.status_changed")
    signals.shipment_delivered.connect(on_delivered, dispatch_uid="webhooks_out.delivered")
    signals.shipment_created.connect(on_created, dispatch_uid="webhooks_out.created")

"""Back to the store: a parcel's status goes to the platform (Shopify fulfillmentEventCreate,
WooCommerce order note, Cafe24 shipment status) so the store's own order page agrees with Doorstep."""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tracking.models import Shipment, StoreConnection, StoreObjectLink
from tracking.stores.base import Capability

K = StoreObjectLink.Kind


def on_shipment_status_changed(sender, *, shipment_id, new_status, **kwargs):
    """Receiver (connected in TrackingConfig.ready): queue a push for parcels that came from a store."""
    if not StoreObjectLink.objects.filter(kind=K.SHIPMENT, object_id=shipment_id,
                                          connection__state=StoreConnection.State.ACTIVE).exists():
        return
    from tracking.stores.tasks import push_shipment_status

    push_shipment_status.delay(shipment_id, new_status)


def shipment_status_push(*, shipment_id: int, status: str, session=None) -> str:
    """Push ``status`` for the parcel once. Returns what happened, for the task result and tests."""
    from tracking.stores.connections import with_fresh_token
    from tracking.stores.registry import adapter_class

    link = (StoreObjectLink.objects.select_related("connection").filter(kind=K.SHIPMENT, object_id=shipment_id)
            .first())
    if link is None:
        return "not a store parcel"
    connection = link.connection
    if connection.state != StoreConnection.State.ACTIVE:
        return f"connection {connection.state}"
    if not adapter_class(connection.platform).capabilities & Capability.FULFILMENT_EVENTS:
        return "platform takes no status"
    if link.pushed_status == status:
        return "already pushed"
    shipment = Shipment.objects.get(pk=shipment_id)
    order_id = (link.data or {}).get("order_id") or StoreObjectLink.objects.filter(
        connection=connection, kind=K.FULFILMENT, external_id=link.parent_external_id).values_list(
        "parent_external_id", flat=True).first() or ""
    fulfilment_id = link.parent_external_id
    if connection.platform == "woocommerce" and fulfilment_id.startswith("woo-"):
        fulfilment_id = ""  # a parcel Doorstep learnt from a note: no tracking item yet
    remote = (link.data or {}).get("remote_id", "")
    result = with_fresh_token(connection, lambda a: a.push_fulfilment_event(
        order_id=order_id, fulfilment_id=remote or fulfilment_id, tracking_number=shipment.tracking_number,
        status=status, happened_at=shipment.last_event_at or timezone.now(), reason=shipment.status_reason,
        carrier=(link.data or {}).get("company", "") or shipment.carrier,
        estimated_delivery_at=None), session=session)
    with transaction.atomic():
        locked = StoreObjectLink.objects.select_for_update().get(pk=link.pk)
        data = dict(locked.data or {})
        if result.remote_id and not fulfilment_id:
            data["remote_id"] = result.remote_id
        locked.data = data
        locked.pushed_status = status
        locked.pushed_at = timezone.now()
        locked.note = (result.skipped_reason or "")[:300]
        locked.save(update_fields=["data", "pushed_status", "pushed_at", "note", "updated_at"])
    return "pushed" if result.accepted else f"skipped: {result.skipped_reason}"

"""Subscribers to tracking's signals (connected in ReturnsConfig.ready). Signals arrive after commit
with ids only; we enqueue a task so a slow return workflow never holds up event ingestion."""
from tracking.models import Shipment


def on_shipment_status_changed(sender, *, shipment_id, new_status, **kwargs):
    if not Shipment.objects.filter(pk=shipment_id, is_return=True).exists():
        return
    from returns.tasks import apply_return_shipment_status

    apply_return_shipment_status.delay(shipment_id, new_status)

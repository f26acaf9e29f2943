"""Re-predict a parcel's delivery window whenever its log grows or its status changes.

Both signals fire after commit with ids only; the task is idempotent, so the second enqueue for the
same batch of events costs one cheap recomputation and changes nothing."""
from tracking import signals
from tracking.edd.tasks import update_shipment_prediction


def _repredict(sender, shipment_id, **kwargs):
    update_shipment_prediction.delay(shipment_id)


def connect() -> None:
    signals.shipment_events_added.connect(_repredict, dispatch_uid="tracking.edd.repredict_on_events")
    signals.shipment_status_changed.connect(_repredict, dispatch_uid="tracking.edd.repredict_on_status")

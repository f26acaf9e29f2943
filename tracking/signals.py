"""Facts that tracking announces. Other apps (returns, feedback) subscribe in AppConfig.ready();
tracking never imports them.

Every signal is sent after the transaction that caused it commits, with ids only, so receivers can
enqueue Celery tasks safely. Keyword arguments:

* shipment_status_changed: shipment_id, merchant_id, old_status, new_status, reason
* shipment_delivered / shipment_failed_attempt / shipment_exception: shipment_id, merchant_id, reason
* shipment_created: shipment_id, merchant_id (a parcel was registered, e.g. through the API)
* shipment_events_added: shipment_id, merchant_id, count (new events stored; replays add none and
  send nothing). Sent after shipment_status_changed when both apply.
* shipment_delayed: shipment_id, merchant_id, delay_case_id, kind ("predicted_late" | "delay_reason" |
  "no_scan"), reason (a canonical reason or ""), notify_shopper (whether tracking.edd.delays emailed
  the shopper). Sent once per delay — when a running-late DelayCase opens — never per event; the case
  row (tracking.models.DelayCase) has the promised date, the likely date and when the delay began.
"""
from django.dispatch import Signal

shipment_status_changed = Signal()
shipment_delivered = Signal()
shipment_failed_attempt = Signal()
shipment_exception = Signal()
shipment_created = Signal()
shipment_events_added = Signal()
shipment_delayed = Signal()

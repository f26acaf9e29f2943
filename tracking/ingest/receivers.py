"""Model-signal receivers of carrier ingestion (connected in TrackingConfig.ready)."""
from django.db.models.signals import post_save

from tracking.models import Shipment


def attach_orphan_events(sender, instance: Shipment, created: bool, raw: bool = False, **kwargs):
    # Events the carrier sent before the store told us about this parcel join its log now.
    if created and not raw:
        from tracking.ingest.orphans import orphan_events_attach

        orphan_events_attach(shipment=instance)


def connect() -> None:
    post_save.connect(attach_orphan_events, sender=Shipment, dispatch_uid="tracking.attach_orphan_events")

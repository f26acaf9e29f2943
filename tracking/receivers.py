"""Model-signal receivers inside tracking (connected in TrackingConfig.ready)."""
from django.db.models.signals import post_save
from django.dispatch import receiver

from tracking.models import Shipment


@receiver(post_save, sender=Shipment, dispatch_uid="tracking.attach_orphan_events")
def attach_orphan_events(sender, instance: Shipment, created: bool, raw: bool = False, **kwargs):
    # Events the carrier sent before the store told us about this parcel join its log now.
    if created and not raw:
        from tracking.services.orphans import orphan_events_attach

        orphan_events_attach(shipment=instance)

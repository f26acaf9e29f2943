"""Model-signal receivers of carrier ingestion (connected in TrackingConfig.ready)."""
from django.db.models.signals import post_delete, post_save

from tracking.models import CarrierAccount, Shipment


def attach_orphan_events(sender, instance: Shipment, created: bool, raw: bool = False, **kwargs):
    # Events the carrier sent before the store told us about this parcel join its log now.
    if created and not raw:
        from tracking.ingest.orphans import orphan_events_attach

        orphan_events_attach(shipment=instance)


def account_changed(sender, instance: CarrierAccount, raw: bool = False, **kwargs):
    # A rotated or revoked secret, a deactivated account: every web process stops trusting its memo.
    from tracking.ingest.webhooks import carrier_account_version_bump

    carrier_account_version_bump(instance.public_id)


def connect() -> None:
    post_save.connect(attach_orphan_events, sender=Shipment, dispatch_uid="tracking.attach_orphan_events")
    for signal in (post_save, post_delete):
        signal.connect(account_changed, sender=CarrierAccount, dispatch_uid=f"tracking.account_version.{signal is post_save}")

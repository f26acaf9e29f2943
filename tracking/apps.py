from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_groups(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from .staff import sync_support_groups

    sync_support_groups(Group, Permission)


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking"

    def ready(self):
        # Runs after every app's permissions exist (auth's own post_migrate handler runs first).
        post_migrate.connect(_sync_groups, dispatch_uid="tracking.sync_support_groups")

        from . import signals
        from .notifications import shipping

        signals.shipment_status_changed.connect(shipping.on_status_changed, dispatch_uid="tracking.shipping_emails")
        signals.shipment_delayed.connect(shipping.on_delayed, dispatch_uid="tracking.delay_emails")
        from .apikit import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)
        from .webhooks_out import receivers

        receivers.connect()

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from tracking import extensions


def _staff_permissions():
    from tracking.staff.roles import AppStaffPermissions

    return AppStaffPermissions(
        app_label="tracking",
        agent_change=frozenset({"order", "shipment", "customer", "deliveryrequest", "delaycase", "inboundwebhook"}),
        # Leads do everything in tracking except create or remove a tenant, or grant anyone (themselves
        # included) a membership, a role or a money limit: superusers do that (manage.py staff_member).
        lead_excluded=frozenset({"delete_merchant", "add_merchant", "add_staffmembership",
                                 "change_staffmembership", "delete_staffmembership"}),
    )


def _sync_groups(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from tracking.staff.roles import sync_support_groups

    sync_support_groups(Group, Permission)


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Tracking"

    def ready(self):
        # Runs after every app's permissions exist (auth's own post_migrate handler runs first).
        post_migrate.connect(_sync_groups, dispatch_uid="tracking.sync_support_groups")
        extensions.STAFF_PERMISSIONS.register(_staff_permissions, key="tracking")
        # Receivers: each area connects its own; tracking never imports returns or feedback.
        from tracking import signals
        from tracking.apikit import schema  # noqa: F401  (registers the API-key scheme with drf-spectacular)
        from tracking.edd import receivers as edd_receivers
        from tracking.ingest import receivers as ingest_receivers
        from tracking.notifications import shipping
        from tracking.page import receivers as page_receivers
        from tracking.webhooks_out import receivers as webhook_receivers

        ingest_receivers.connect()
        webhook_receivers.connect()
        page_receivers.connect()
        edd_receivers.connect()
        signals.shipment_status_changed.connect(shipping.on_status_changed, dispatch_uid="tracking.shipping_emails")
        from tracking.stores import writeback as store_writeback

        signals.shipment_status_changed.connect(store_writeback.on_shipment_status_changed,
                                                dispatch_uid="tracking.stores.push_status")
        # Delay and exception emails are requested by tracking.edd.delays with the case itself.

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Returns"

    def ready(self):
        from tracking import signals

        from . import receivers

        # shipment_delivered is also announced as a status change to "delivered"; one receiver is enough.
        signals.shipment_status_changed.connect(receivers.on_shipment_status_changed,
                                                dispatch_uid="returns.on_shipment_status_changed")

from django.apps import AppConfig


def _order_links(order, token):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return [(_("Start a return"), reverse("returns:order", args=[token]))]


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Returns"

    def ready(self):
        from tracking import signals
        from tracking.page.hooks import register_order_link
        from tracking.recommendations import troubles

        from returns import hooks, receivers

        # shipment_delivered is also announced as a status change to "delivered"; one receiver is enough.
        signals.shipment_status_changed.connect(receivers.on_shipment_status_changed,
                                                dispatch_uid="returns.on_shipment_status_changed")
        # The tracking page's "Start a return" link, with the order's own signed token.
        register_order_link(_order_links)
        # No post-purchase offer while a return is in progress.
        troubles.register("returns.open_return", hooks.order_has_open_return)

"""WooCommerce: REST API v3 with consumer key/secret (HTTP Basic over HTTPS), webhooks signed with
a per-webhook secret, the Shipment Tracking extension's tracking items for parcels."""
from tracking.stores.woocommerce.adapter import WooCommerceAdapter

__all__ = ["WooCommerceAdapter"]

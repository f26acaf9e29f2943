"""tracker.delivery (Delivery Tracker): one GraphQL API for Korean couriers (CJ Logistics, Hanjin,
Lotte, Korea Post, Logen, Coupang, GS Postbox…) and some international ones. Polling with
``Query.track``; per-parcel webhooks with ``Mutation.registerTrackWebhook``, whose callbacks carry
only the carrier and number (results with ``needs_retrack=True``)."""
from tracking.carriers.trackerdelivery.adapter import TrackerDeliveryAdapter

__all__ = ["TrackerDeliveryAdapter"]

"""Cafe24 (Korea): Admin API with OAuth 2.0 bearer tokens, webhooks authenticated by the app's
webhook key, shipments (배송) for parcels, Korean courier names mapped to carrier companies."""
from tracking.stores.cafe24.adapter import Cafe24Adapter

__all__ = ["Cafe24Adapter"]

"""Shippo (aggregator): Tracking API (``GET /tracks/{carrier}/{number}``, ``POST /tracks/``) and
``track_updated`` webhooks, which Shippo does not sign — they are authenticated by a secret token
in the webhook URL instead."""
from tracking.carriers.shippo.adapter import ShippoAdapter

__all__ = ["ShippoAdapter"]

"""Doorstep's own outgoing webhooks (merchant subscriptions), Standard Webhooks style.

Other apps emit events with ``tracking.webhooks_out.services.webhook_event_emit`` (inside their own
transaction: delivery rows are written with the fact, and sending starts after commit)."""

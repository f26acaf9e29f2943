"""Shopify: GraphQL Admin API (backfill, fulfillment events, refunds, webhook subscriptions),
REST-shaped webhooks signed with the app's client secret, OAuth with expiring offline tokens."""
from tracking.stores.shopify.adapter import ShopifyAdapter

__all__ = ["ShopifyAdapter"]

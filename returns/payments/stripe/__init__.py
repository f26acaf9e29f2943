"""Stripe Refunds (POST /v1/refunds), written from Stripe's public API reference."""
from .adapter import StripeGateway

__all__ = ["StripeGateway"]

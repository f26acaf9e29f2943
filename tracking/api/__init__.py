"""Tracking's merchant API (/api/v1/): orders, shipments, products, webhook endpoints. Routes: urls.py."""

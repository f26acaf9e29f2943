"""Bulk import of order history from CSV or JSON Lines (manage.py import_orders): file formats and
the batched writes."""

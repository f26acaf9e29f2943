"""Payment-gateway adapters for refunds. Like tracking.carriers: adapters take and return the
dataclasses in base.py and know nothing of Django models; pick one by slug from the registry."""

"""The shoppers' returns portal: start from an order, pick items, reason, resolution and method,
confirm, and follow the return on its own page."""

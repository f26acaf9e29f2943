"""Shopper photos and return labels: validated and re-encoded uploads, private storage, and the
access-checked views that stream them."""

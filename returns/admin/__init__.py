"""Support staff's returns workspace in Django admin: work queues, decisions, inspection, money, reports."""
from returns.admin import money, policy, requests  # noqa: F401  (registers the ModelAdmins)

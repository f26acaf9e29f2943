"""EasyPost (aggregator): Trackers API for polling, ``tracker.updated`` Events for webhooks."""
from .adapter import EasyPostAdapter

__all__ = ["EasyPostAdapter"]

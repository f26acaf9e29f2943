"""EasyPost (aggregator): Trackers API for polling, ``tracker.updated`` Events for webhooks."""
from tracking.carriers.easypost.adapter import EasyPostAdapter

__all__ = ["EasyPostAdapter"]

"""Sweet Tracker (스마트택배 API, info.sweettracker.co.kr): tracking for Korean couriers by
``t_code`` (04 CJ대한통운, 05 한진택배, 08 롯데택배…), progress levels 1-6, and a ``recommend``
endpoint that guesses the courier from a number. Polling only."""
from tracking.carriers.sweettracker.adapter import SweetTrackerAdapter

__all__ = ["SweetTrackerAdapter"]

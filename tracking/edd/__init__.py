"""Estimated delivery dates in three layers: promise (promise.py), learned lanes (lanes.py) and in
flight (inflight.py), glued to the database by engine.py. Whether a parcel is running late or stopped,
and who hears about it, is decided in one place: delays.py (stopped kinds in exceptions.py). Accuracy
is measured by backtest.py on history from history.py."""

"""Estimated delivery dates in three layers: promise (promise.py), learned lanes (lanes.py) and in
flight (inflight.py), glued to the database by engine.py. Accuracy is measured by backtest.py on
history from history.py."""

"""Settings for the benchmarks' gunicorn: the app's own settings plus the baseline views
(bench/urls.py). Nothing else differs, so the app and its baseline pass through the same middleware."""
from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

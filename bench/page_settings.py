"""Settings for bench/tracking_page.py's gunicorn: the app's own settings (run with
DOORSTEP_ENV=production by the bench) plus a bare baseline view. Nothing else differs, so both
views pass through the same middleware."""
from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.page_urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

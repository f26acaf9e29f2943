"""Settings for bench/tracking_page.py's gunicorn: the app's own settings plus a bare baseline view."""
from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.page_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

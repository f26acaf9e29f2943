"""A cache-based lock for periodic jobs, so two beat schedulers (or a slow previous run) never
double-run the same job. With Redis it is shared by every process; cache.add is atomic there."""
import contextlib
import uuid

from django.core.cache import cache


@contextlib.contextmanager
def single_run(name: str, *, timeout: int):
    """Yield True if this caller holds the lock ``name`` (held at most ``timeout`` seconds), else False."""
    key = f"lock:{name}"
    token = uuid.uuid4().hex
    acquired = cache.add(key, token, timeout)
    try:
        yield acquired
    finally:
        # Only release our own lock: if we overran the timeout, another runner may hold it now.
        if acquired and cache.get(key) == token:
            cache.delete(key)

"""A cache-based lock for periodic jobs, so two beat schedulers (or a slow previous run) never
double-run the same job. With Redis it is shared by every process; cache.add is atomic there.

Timeouts: the lock expires after ``timeout`` seconds (a crashed holder never blocks the job for
good), and each cache call is bounded by the Redis socket timeouts. When the cache cannot be
reached the lock is *not* acquired (fails closed): the job is skipped and runs at the next beat
tick, so two schedulers never double-run it; nothing the jobs do is lost by waiting a tick."""
import contextlib
import uuid

from django.core.cache import cache


@contextlib.contextmanager
def single_run(name: str, *, timeout: int):
    """Yield True if this caller holds the lock ``name`` (held at most ``timeout`` seconds), else False."""
    key = f"lock:{name}"
    token = uuid.uuid4().hex
    acquired = bool(cache.add(key, token, timeout))  # an unreachable cache answers None: not acquired
    try:
        yield acquired
    finally:
        # Only release our own lock: if we overran the timeout, another runner may hold it now.
        if acquired and cache.get(key) == token:
            cache.delete(key)

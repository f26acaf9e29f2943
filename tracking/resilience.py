"""Outages degrade, never stall: circuit breakers in front of Redis (the cache and the broker).

A Redis that refuses connections fails a call in microseconds, but a frozen one (paused, swapping,
a network partition) costs a socket timeout per call, and a request makes several calls. So after
one failure, each process stops asking for settings.DOORSTEP_REDIS_RETRY_AFTER_SECONDS: calls fail
at once, and the callers' fallbacks take over (the cache behaves as empty and pages render from the
database; an accepted webhook stays stored for the drain or the sweeper). Then one caller tries
again; a success closes the breaker for everybody.

* ``GuardedConnectionPool``: the cache's redis-py pool (django-redis ``CONNECTION_POOL_CLASS``);
  its connections refuse to connect while their server's breaker is open and open it on a
  connection error or timeout. django-redis' ``IGNORE_EXCEPTIONS`` turns the error into a miss.
* ``broker_breaker``: guards publishing a task from a web request (tracking.ingest.drain).
"""
from __future__ import annotations

import logging
import threading
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)


class Breaker:
    """Per-process circuit breaker. ``allow()`` is False while open; ``trip()`` opens it for the
    configured time; ``succeeded()`` closes it. ``attempts`` and ``trips`` count calls let through
    and failures (tests and the readiness probe read them)."""

    def __init__(self, name: str):
        self.name = name
        self._open_until = 0.0
        self._trial_until = 0.0  # half-open: one caller tries the server until then, the others wait
        self._lock = threading.Lock()
        self.attempts = 0
        self.trips = 0

    @staticmethod
    def open_seconds() -> float:
        return float(getattr(settings, "DOORSTEP_REDIS_RETRY_AFTER_SECONDS", 5.0))

    def allow(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                return False
            if self._open_until:
                # Half-open after a failure: a single trial call; the others keep failing fast until
                # it succeeds (closed) or fails (open again). A trial that never reports expires.
                if now < self._trial_until:
                    return False
                self._trial_until = now + max(self.open_seconds(), 1.0)
            self.attempts += 1
            return True

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, exc: BaseException | None = None) -> None:
        seconds = self.open_seconds()
        with self._lock:
            was_open = time.monotonic() < self._open_until
            self._open_until = time.monotonic() + seconds
            self._trial_until = 0.0
            self.trips += 1
        if not was_open:
            logger.warning("%s unreachable (%s); not asking again for %.1f s", self.name, exc, seconds)

    def succeeded(self) -> None:
        if self._open_until:
            with self._lock:
                self._open_until = self._trial_until = 0.0

    def reset(self) -> None:
        with self._lock:
            self._open_until = self._trial_until = 0.0
            self.attempts = self.trips = 0


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(name: str) -> Breaker:
    with _breakers_lock:
        if name not in _breakers:
            _breakers[name] = Breaker(name)
        return _breakers[name]


def breakers_reset() -> None:
    """Close every breaker of this process (tests start clean)."""
    with _breakers_lock:
        for breaker in _breakers.values():
            breaker.reset()


broker_breaker = breaker_for("broker")

# What a Redis client raises when the server is unreachable or too slow.
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class GuardedConnection(redis.connection.Connection):
    """A redis-py connection that consults its server's breaker before connecting and opens it when
    connecting or reading fails. redis-py drops a connection after an error, so the next command
    connects again and is refused by the open breaker without touching the network."""

    @property
    def breaker(self) -> Breaker:
        return breaker_for(f"redis {self.host}:{self.port}")

    def connect_check_health(self, *args, **kwargs):
        if self._sock is not None:
            return super().connect_check_health(*args, **kwargs)
        breaker = self.breaker
        if not breaker.allow():
            raise redis.exceptions.ConnectionError(f"Redis {self.host}:{self.port} is marked down for a few seconds")
        try:
            return super().connect_check_health(*args, **kwargs)
        except REDIS_DOWN as exc:
            breaker.trip(exc)
            raise

    def read_response(self, *args, **kwargs):
        try:
            response = super().read_response(*args, **kwargs)
        except REDIS_DOWN as exc:
            self.breaker.trip(exc)
            raise
        self.breaker.succeeded()
        return response


class GuardedConnectionPool(redis.ConnectionPool):
    """The cache's pool: plain TCP connections become GuardedConnections (TLS and unix sockets are
    left as configured)."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("connection_class", redis.connection.Connection) is redis.connection.Connection:
            kwargs["connection_class"] = GuardedConnection
        super().__init__(*args, **kwargs)

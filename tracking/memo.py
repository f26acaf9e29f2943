"""Bounded in-process memos: the one way Doorstep keeps data in a process's own memory.

A few hot paths remember what they already worked out (a verified link token, an order page's
version, a rendered page, a carrier account with its decrypted secrets) so a repeat costs no
round trip or HMAC. Each of those is a Memo: bounded in size (least recently used entries go
first), optionally expiring per entry, thread-safe, and registered here, so the test suite starts
every test with all of them empty (``memos_clear()``)."""
from __future__ import annotations

import math
import threading
import time
import uuid
from typing import Any, Hashable

from cachetools import TLRUCache

_MISSING = object()
_registry: list["Memo"] = []


def _now() -> float:
    return time.monotonic()  # looked up on each call, so a test can move the clock


def _expires(key, entry, now):
    return now + entry[1]


class Memo:
    def __init__(self, name: str, *, maxsize: int, ttl: float | None = None):
        self.name = name
        self.ttl = ttl
        self._cache: TLRUCache = TLRUCache(maxsize, ttu=_expires, timer=_now)
        self._lock = threading.Lock()
        _registry.append(self)

    def __repr__(self):
        return f"<Memo {self.name}: {len(self._cache)}/{self._cache.maxsize}>"

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            entry = self._cache.get(key, _MISSING)
        return default if entry is _MISSING else entry[0]

    def set(self, key: Hashable, value: Any, *, ttl: float | None = None) -> None:
        """Remember ``value`` for ``ttl`` seconds (default: the memo's own ttl; none: until evicted)."""
        seconds = ttl if ttl is not None else self.ttl
        if seconds is not None and seconds <= 0:
            return
        with self._lock:
            self._cache[key] = (value, math.inf if seconds is None else seconds)

    def pop(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            entry = self._cache.pop(key, _MISSING)
        return default if entry is _MISSING else entry[0]

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def memos_clear() -> None:
    """Empty every memo of this process (tests; nothing in production needs it)."""
    for memo in _registry:
        memo.clear()


class SharedVersions:
    """Keeps a Memo of rows true across processes: a version per key lives in the shared cache; a
    write bumps it (now and again after the transaction commits), and a reader keeps its memo entry
    only while the version it stored is still the current one (one cache read instead of a query
    and a decryption).

    When the cache cannot be reached ``current`` answers None and the whole memo is forgotten: a
    bump written meanwhile may be lost, so an old version could look current once the cache is back.
    The reader then reads the row every time until the cache answers again."""

    def __init__(self, key_format: str, memo: Memo):
        self.key_format = key_format
        self.memo = memo

    def bump(self, key: str) -> None:
        from django.core.cache import cache
        from django.db import transaction

        def bump():
            try:
                cache.set(self.key_format.format(key), uuid.uuid4().hex, None)
            finally:
                self.memo.pop(key)

        bump()
        transaction.on_commit(bump)

    def current(self, key: str) -> str | None:
        from django.core.cache import cache

        cache_key = self.key_format.format(key)
        try:
            version = cache.get(cache_key)
            if version is None:
                cache.add(cache_key, uuid.uuid4().hex, None)
                version = cache.get(cache_key)
        except Exception:  # the cache is down (the Redis breaker usually answers None instead)
            version = None
        if version is None:
            self.memo.clear()
        return version

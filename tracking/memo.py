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

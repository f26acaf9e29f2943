"""Group commit: threads of one process that write at the same moment share one statement.

A single-row INSERT in autocommit pays a whole transaction for one row: PostgreSQL's commit work and
a WAL flush, plus a client round trip. Under load several request threads of a gunicorn process
reach the same INSERT while one of them waits on the database. Here the first of them becomes the
*leader* and writes its row at once (no waiting when the process is idle); whoever arrives while
that round trip is in flight queues, and when it returns the leader hands over to the first in the
queue, who writes all queued rows in one statement. Everyone returns only after the statement that
holds their row has committed, so each caller's durability is exactly that of a single INSERT.

The leader runs the statement on its own thread's database connection; followers never touch
theirs. Each caller gets its own outcome: the leader's ``flush`` returns one result per item (a
value, or an exception to raise in that caller's thread).
"""
from __future__ import annotations

import copy
import threading
from typing import Any, Callable, Sequence

Flush = Callable[[list], Sequence[Any]]


class _Slot:
    __slots__ = ("item", "gate", "lead", "result", "error", "settled")

    def __init__(self, item):
        self.item = item
        self.gate: threading.Lock | None = None  # held while the caller waits; released to wake it
        self.lead = False  # set before waking when this caller is handed the next batch
        self.result = None
        self.error: BaseException | None = None
        self.settled = False

    def settle(self, result=None, error: BaseException | None = None) -> None:
        self.result, self.error, self.settled = result, error, True

    def outcome(self):
        if self.error is not None:
            raise self.error
        return self.result


class GroupCommit:
    """Batches concurrent ``submit`` calls into ``flush`` calls of at most ``max_batch`` items."""

    def __init__(self, max_batch: int = 16):
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Slot] = []  # callers waiting for the next batch, oldest first
        self._leading = False  # a leader is writing; new arrivals queue for the next batch
        self.batches = 0  # how many flushes carried how many items (one leader at a time updates them)
        self.items = 0

    def submit(self, item, flush: Flush):
        """Write ``item`` (with others queued meanwhile) and return its result, or raise its error.
        ``flush`` receives the list of items and must return one result per item, in order; an
        exception instance as a result is raised in that item's caller only. If ``flush`` itself
        raises, every caller in the batch gets that error."""
        slot = _Slot(item)
        with self._lock:
            if self._leading:
                # A Lock rather than an Event: the lone caller (the common case) never builds one,
                # and a waiter costs one allocation.
                slot.gate = threading.Lock()
                slot.gate.acquire()
                self._queue.append(slot)
            else:
                self._leading = True
        if slot.gate is None:
            self._lead([slot], flush)
        else:
            slot.gate.acquire()  # until our batch is written, or we are handed the lead
            if slot.lead:
                with self._lock:
                    # We are the head of the queue: our batch is whoever waits now, up to the limit.
                    batch = self._queue[:self.max_batch]
                    del self._queue[:self.max_batch]
                self._lead(batch, flush)
        return slot.outcome()

    def _lead(self, batch: list[_Slot], flush: Flush) -> None:
        """Write ``batch`` (our own slot first), settle every slot, wake the others, hand over."""
        try:
            results = flush([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"group commit: flush returned {len(results)} results for {len(batch)} items")
            for s, result in zip(batch, results):
                if isinstance(result, BaseException):
                    s.settle(error=result)
                else:
                    s.settle(result)
        except BaseException as exc:
            for s in batch:
                s.settle(error=_own_copy(exc, first=s is batch[0]))
            if not isinstance(exc, Exception):
                raise
        finally:
            for s in batch:  # whatever happened above, nobody may wait forever
                if not s.settled:
                    s.settle(error=RuntimeError("group commit: the batch was interrupted"))
            self.batches += 1
            self.items += len(batch)
            with self._lock:
                successor = self._queue[0] if self._queue else None
                if successor is not None:
                    successor.lead = True
                else:
                    self._leading = False
            for s in batch[1:]:
                s.gate.release()
            if successor is not None:
                successor.gate.release()


def _own_copy(exc: BaseException, *, first: bool) -> BaseException:
    """The error for one caller: the original for the first, a copy chained to it for the others, so
    threads never raise (and extend the traceback of) one shared exception object."""
    if first:
        return exc
    try:
        twin = copy.copy(exc)
    except Exception:
        return exc
    twin.__cause__ = exc
    twin.__traceback__ = None
    return twin

"""GroupCommit: concurrent callers share flushes, a lone caller is written at once, and every caller
gets its own outcome (its result, its own error, or the batch's error)."""
import threading
import time

import pytest

from tracking.ingest.group_commit import GroupCommit


def test_a_lone_caller_is_flushed_at_once_in_a_batch_of_one():
    group = GroupCommit(8)
    batches = []
    assert group.submit("a", lambda items: batches.append(list(items)) or [f"id-{i}" for i in items]) == "id-a"
    assert batches == [["a"]]


def run_concurrently(group, items, flush):
    """Submit every item from its own thread while the first flush is still in flight."""
    outcomes = {}
    first_in_flight = threading.Event()
    release = threading.Event()

    def slow_flush(batch):
        if not first_in_flight.is_set():
            first_in_flight.set()
            release.wait(5)  # hold the first batch until everyone else has queued
        return flush(batch)

    def call(item):
        try:
            outcomes[item] = ("ok", group.submit(item, slow_flush))
        except Exception as exc:
            outcomes[item] = ("error", exc)

    threads = [threading.Thread(target=call, args=(items[0],))]
    threads[0].start()
    assert first_in_flight.wait(5)
    for item in items[1:]:
        threads.append(threading.Thread(target=call, args=(item,)))
        threads[-1].start()
    deadline = time.monotonic() + 5
    while len(group._queue) < len(items) - 1 and time.monotonic() < deadline:
        time.sleep(0.001)
    release.set()
    for t in threads:
        t.join(5)
    assert all(not t.is_alive() for t in threads)
    return outcomes


def test_callers_arriving_during_a_flush_share_the_next_one_up_to_the_limit():
    group = GroupCommit(4)
    batches = []

    def flush(batch):
        batches.append(list(batch))
        return [item * 10 for item in batch]

    outcomes = run_concurrently(group, list(range(1, 11)), flush)
    assert outcomes == {i: ("ok", i * 10) for i in range(1, 11)}
    # The first caller alone, then the nine who queued meanwhile, oldest first, at most four at a time.
    assert [len(b) for b in batches] == [1, 4, 4, 1]
    assert sorted(i for b in batches for i in b) == list(range(1, 11))
    assert (group.batches, group.items) == (4, 10)
    assert group._leading is False and group._queue == []


def test_an_error_returned_for_one_item_is_raised_in_that_callers_thread_only():
    group = GroupCommit(16)

    def flush(batch):
        return [ValueError(f"bad {i}") if i == 3 else i for i in batch]

    outcomes = run_concurrently(group, [1, 2, 3, 4], flush)
    assert outcomes[3][0] == "error" and str(outcomes[3][1]) == "bad 3"
    assert {k: v for k, v in outcomes.items() if k != 3} == {1: ("ok", 1), 2: ("ok", 2), 4: ("ok", 4)}


def test_a_failing_flush_fails_its_whole_batch_with_its_own_copy_of_the_error_and_the_group_recovers():
    group = GroupCommit(16)
    calls = []

    def flush(batch):
        calls.append(list(batch))
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return list(batch)

    outcomes = run_concurrently(group, ["a", "b", "c"], flush)
    assert outcomes["a"] == ("ok", "a")
    errors = [outcomes["b"][1], outcomes["c"][1]]
    assert all(isinstance(e, ConnectionError) and str(e) == "database went away" for e in errors)
    assert errors[0] is not errors[1]  # no exception object is raised in two threads
    assert group.submit("d", flush) == "d"  # the next caller leads again


def test_a_flush_returning_the_wrong_number_of_results_is_an_error_for_everyone():
    group = GroupCommit(4)
    with pytest.raises(RuntimeError, match="2 results for 1 items"):
        group.submit("x", lambda batch: ["one", "two"])
    assert group._leading is False


def test_max_batch_must_be_positive():
    with pytest.raises(ValueError):
        GroupCommit(0)

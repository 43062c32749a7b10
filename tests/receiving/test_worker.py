"""The worker loop in-process, on a real SQLite file: handlers run, retries back off, failures are kept, leases live."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.support.deliveries import message
from up42.errors import InvalidArgumentError
from up42.receiving import WebhookEvent
from up42.receiving.durable._inbox import InboxStatus, Taken
from up42.receiving.durable._worker import Worker
from up42.receiving.durable.backends._sqlite_inbox import SQLiteInbox

Handler = Callable[[WebhookEvent], Any]


def lookup(*handlers: Handler) -> Callable[[str], Sequence[Handler]]:
    return lambda event: handlers


def store(inbox: SQLiteInbox, count: int = 1) -> list[str]:
    ids = []
    for _ in range(count):
        content = message()
        inbox.put(content["messageId"], content["event"], json.dumps(content).encode())
        ids.append(content["messageId"])
    return ids


async def run_until(worker: Worker, done: Callable[[], bool], timeout: float = 10) -> None:
    task = asyncio.create_task(worker.run())
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        await asyncio.sleep(0.02)
    worker.stop()
    await asyncio.wait_for(task, timeout)


@pytest.fixture
def inbox(tmp_path: Path) -> SQLiteInbox:
    return SQLiteInbox(tmp_path / "inbox.db")


async def test_sync_and_async_handlers_run_once_per_message(inbox: SQLiteInbox) -> None:
    ids = store(inbox, 20)
    seen: list[str] = []

    def plain(event: WebhookEvent) -> None:
        seen.append(event.message_id)

    async def coroutine(event: WebhookEvent) -> None:
        seen.append(event.message_id)

    worker = Worker(inbox, lookup(plain, coroutine), concurrency=3, poll=0.01)
    await run_until(worker, lambda: len(inbox.records(InboxStatus.DONE)) == 20)
    assert sorted(seen) == sorted(ids * 2)


async def test_a_raising_handler_is_retried_with_backoff_then_failed_with_its_error(inbox: SQLiteInbox) -> None:
    [message_id] = store(inbox)
    attempts: list[float] = []

    def broken(event: WebhookEvent) -> None:
        attempts.append(time.monotonic())
        raise RuntimeError("the disk is full")

    worker = Worker(inbox, lookup(broken), max_attempts=3, backoff=0.1, poll=0.01)
    await run_until(worker, lambda: bool(inbox.failed()))
    record = inbox.get(message_id)
    assert record is not None
    assert (record.status, record.attempts) == (InboxStatus.FAILED, 3)
    assert record.error is not None
    assert "RuntimeError: the disk is full" in record.error
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.1
    assert gaps[1] >= 0.2


async def test_a_slow_handler_keeps_its_lease_and_no_other_worker_takes_it(inbox: SQLiteInbox) -> None:
    store(inbox)
    runs: list[str] = []

    def slow(event: WebhookEvent) -> None:
        runs.append(event.message_id)
        time.sleep(0.8)

    first = Worker(inbox, lookup(slow), lease=0.3, poll=0.01)
    second = Worker(inbox, lookup(slow), lease=0.3, poll=0.01)
    await asyncio.gather(
        run_until(first, lambda: bool(inbox.records(InboxStatus.DONE))),
        run_until(second, lambda: bool(inbox.records(InboxStatus.DONE))),
    )
    assert len(runs) == 1


async def test_stop_gives_a_running_message_back_at_once_without_waiting_for_its_handler(
    inbox: SQLiteInbox,
) -> None:
    [message_id] = store(inbox)
    started = threading.Event()
    finish = threading.Event()

    def slow(event: WebhookEvent) -> None:
        started.set()
        finish.wait(30)

    worker = Worker(inbox, lookup(slow), lease=600, poll=0.01)
    try:
        await run_until(worker, started.is_set)
        record = inbox.get(message_id)
        assert record is not None
        assert (record.status, record.attempts) == (InboxStatus.PENDING, 0)
    finally:
        finish.set()


async def test_a_stop_asked_before_run_starts_is_kept(inbox: SQLiteInbox) -> None:
    [message_id] = store(inbox)
    worker = Worker(inbox, lookup(), poll=0.01)
    worker.stop()
    await asyncio.wait_for(worker.run(), 10)
    assert inbox.get(message_id).status is InboxStatus.PENDING  # type: ignore[union-attr]


async def test_old_done_messages_are_pruned_when_the_worker_starts(
    inbox: SQLiteInbox, caplog: pytest.LogCaptureFixture
) -> None:
    store(inbox, 2)
    for taken in inbox.take("earlier", 30, 2, 5):
        inbox.complete(taken, "earlier")
    time.sleep(0.05)
    caplog.set_level(logging.INFO, "up42")
    await run_until(Worker(inbox, lookup(), retention=0.01, poll=0.01), lambda: not inbox.records())
    assert "pruned 2 done message(s)" in caplog.text


async def test_handler_threads_that_ran_past_the_timeout_keep_their_slots_until_they_return(
    inbox: SQLiteInbox, caplog: pytest.LogCaptureFixture
) -> None:
    store(inbox, 6)
    lock = threading.Lock()
    release = threading.Event()
    alive = peak = 0

    def stuck(event: WebhookEvent) -> None:
        nonlocal alive, peak
        with lock:
            alive += 1
            peak = max(peak, alive)
        try:
            release.wait(30)
        finally:
            with lock:
                alive -= 1

    caplog.set_level(logging.WARNING, "up42")
    worker = Worker(inbox, lookup(stuck), concurrency=2, timeout=0.2, max_attempts=1, poll=0.01)
    running = asyncio.create_task(worker.run())
    try:
        deadline = time.monotonic() + 10
        while "takes no more messages for now: 2 handler thread(s) that ran past their timeout" not in caplog.text:
            assert time.monotonic() < deadline, f"the worker went on taking messages: {peak} threads at once"
            await asyncio.sleep(0.02)
        release.set()
        while inbox.records(InboxStatus.PENDING) or inbox.records(InboxStatus.RUNNING):
            assert time.monotonic() < deadline + 10, "the worker did not take the rest once the threads ended"
            await asyncio.sleep(0.02)
    finally:
        release.set()
        worker.stop()
        await asyncio.wait_for(running, 10)
    assert peak == 2
    assert len(inbox.records(InboxStatus.FAILED)) >= 2  # the two that hung; more only if a thread started late


def test_inbox_calls_run_on_a_small_pool_not_a_thread_each(tmp_path: Path) -> None:
    threads: set[threading.Thread] = set()

    class Watched(SQLiteInbox):
        def take(self, owner: str, lease: float, limit: int, max_attempts: int) -> list[Taken]:
            threads.add(threading.current_thread())
            return super().take(owner, lease, limit, max_attempts)

        def complete(self, taken: Taken, owner: str, note: str | None = None) -> bool:
            threads.add(threading.current_thread())
            return super().complete(taken, owner, note)

    inbox = Watched(tmp_path / "inbox.db")
    store(inbox, 20)
    worker = Worker(inbox, lookup(lambda event: None), concurrency=2, poll=0.01)
    serving = threading.Thread(target=worker.serve)
    serving.start()
    try:
        deadline = time.monotonic() + 10
        while len(inbox.records(InboxStatus.DONE)) < 20:
            assert time.monotonic() < deadline, "the worker did not settle the messages"
            time.sleep(0.02)
    finally:
        worker.stop()
        serving.join(10)
    # Threads that live on, and are joined at exit like any pool's: the handlers' threads are the daemon ones.
    assert not any(thread.daemon for thread in threads)
    assert len(threads) <= worker.concurrency + 1


def test_bad_settings_are_refused(inbox: SQLiteInbox) -> None:
    for bad in ({"concurrency": 0}, {"max_attempts": True}, {"lease": -1}, {"retention": 0}):
        with pytest.raises(InvalidArgumentError):
            Worker(inbox, lookup(), **bad)  # type: ignore[arg-type]


async def test_an_inbox_that_fails_renewals_and_settles_is_told_in_lines_not_tracebacks(
    inbox: SQLiteInbox, caplog: pytest.LogCaptureFixture
) -> None:
    class Unreachable(SQLiteInbox):
        """Takes work; renewing and completing fail the way an unreachable server does."""

        renewals = 0

        def renew(self, taken: Sequence[Taken], owner: str, lease: float) -> list[bool]:
            Unreachable.renewals += 1
            raise ConnectionError("connection refused\n  (is the server up?)")

        def complete(self, taken: Taken, owner: str, note: str | None = None) -> bool:
            raise ConnectionError("connection refused")

    failing = Unreachable(inbox.path)
    [message_id] = store(failing)
    finished = threading.Event()

    def slow(event: WebhookEvent) -> None:
        time.sleep(0.6)  # several renewal rounds of a 0.15 s lease
        finished.set()

    caplog.set_level(logging.DEBUG, "up42")
    worker = Worker(failing, lookup(slow), lease=0.15, poll=0.01)
    # Several failed rounds in a row, however slowly a loaded machine runs them: the message is taken again after
    # each lease, and renewed again while its handler runs.
    await run_until(
        worker,
        lambda: finished.is_set() and Unreachable.renewals >= 3 and "could not complete message" in caplog.text,
        timeout=60,
    )
    told = [record for record in caplog.records if record.levelno >= logging.WARNING]
    renewals = [record for record in told if "could not renew the leases" in record.getMessage()]
    assert len(renewals) == 1
    assert "connection refused (is the server up?); trying again" in renewals[0].getMessage()
    settles = [record for record in told if "could not complete message" in record.getMessage()]
    # One line each time (the message is taken again after each lease, and fails to complete again).
    assert {record.getMessage() for record in settles} == {
        f"could not complete message {message_id}: connection refused; it is taken again once its lease runs out"
    }
    assert not any(record.exc_info for record in told)
    # The tracebacks are there for whoever asks for debug logs.
    assert any(record.exc_info for record in caplog.records if record.levelno == logging.DEBUG)

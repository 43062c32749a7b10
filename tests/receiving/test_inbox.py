"""Every inbox backend keeps the same contract: one real SQLite file, one real redis-server, one real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.support.deliveries import message
from tests.support.postgres_server import PostgresServer
from tests.support.redis_server import RedisServer, connected
from up42.errors import InvalidArgumentError
from up42.receiving.durable._inbox import DIED, Inbox, InboxStatus, InboxURLError
from up42.receiving.durable._worker import Worker
from up42.receiving.durable.backends import _sqlite_inbox, open_inbox
from up42.receiving.durable.backends._postgres_inbox import PostgresInbox
from up42.receiving.durable.backends._redis_inbox import RedisInbox
from up42.receiving.durable.backends._sqlite_inbox import SQLiteInbox


@pytest.fixture(params=["sqlite", "redis", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/inbox.db"
    if request.param == "postgres":
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        return postgres.create_database()
    server: RedisServer = request.getfixturevalue("redis_server")
    with connected(server.url) as client:
        client.flushdb()
    return server.url


@pytest.fixture
def inbox(url: str) -> Iterator[Inbox]:
    opened = open_inbox(url)
    yield opened
    opened.close()


def test_urls_pick_the_backend_and_bad_ones_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    relative = open_inbox("sqlite:///data/inbox.db")
    assert isinstance(relative, SQLiteInbox)
    assert relative.path == Path("data/inbox.db")
    assert open_inbox(f"sqlite:///{tmp_path}/abs.db").path == tmp_path / "abs.db"  # type: ignore[attr-defined]
    assert isinstance(open_inbox("redis://127.0.0.1:1/0"), RedisInbox)
    for postgres, table in (
        ("postgresql://u:p@127.0.0.1:1/db", "up42_inbox"),
        ("postgres://127.0.0.1/db?table=hooks&sslmode=disable", "hooks"),
        ("postgresql:///db?table=app.up42_inbox", "app.up42_inbox"),
    ):
        opened = open_inbox(postgres)
        assert isinstance(opened, PostgresInbox)
        assert opened.table == table
    bad_tables = ("Hooks", "a.b.c", "hooks;drop", "", f"{'x' * 31}", "1hooks", 'hooks"', "hooks&table=other")
    for bad in (
        "sqlite://inbox.db",
        "sqlite:///",
        "mysql://h/db",
        "redis:///0",
        "inbox.db",
        "postgresql://h:port/db",
        *(f"postgresql://h/db?table={table}" for table in bad_tables),
    ):
        with pytest.raises(InboxURLError):
            open_inbox(bad)
    with pytest.raises(InboxURLError, match=r"\*\*\*") as caught:
        open_inbox("amqp://user:hunter2@host/")
    assert "hunter2" not in str(caught.value)
    assert issubclass(InboxURLError, InvalidArgumentError)


def test_a_message_is_stored_once_and_taken_by_one_owner(inbox: Inbox) -> None:
    assert inbox.put("m-1", "order.status", b'{"a": 1}') is True
    assert inbox.put("m-1", "order.status", b"other") is False
    first = inbox.take("a", 30, 10, 5)
    assert [(t.message_id, t.body, t.attempts) for t in first] == [("m-1", b'{"a": 1}', 1)]
    assert inbox.take("b", 30, 10, 5) == []
    record = inbox.get("m-1")
    assert record is not None
    assert (record.status, record.attempts, record.body) == (InboxStatus.RUNNING, 1, b'{"a": 1}')
    assert inbox.renew(first, "a", 30) == [True]
    assert inbox.renew(first, "b", 30) == [False]
    assert inbox.complete(first[0], "b") is False
    assert inbox.complete(first[0], "a") is True
    assert inbox.complete(first[0], "a") is False
    assert inbox.get("m-1").status is InboxStatus.DONE  # type: ignore[union-attr]
    assert inbox.take("b", 30, 10, 5) == []
    assert inbox.put("m-1", "order.status", b"again") is False


def test_an_expired_lease_goes_to_the_next_taker_and_the_old_owner_cannot_settle(inbox: Inbox) -> None:
    inbox.put("m-1", "order.status", b"{}")
    [held] = inbox.take("dead", 0.2, 1, 5)
    assert inbox.take("alive", 0.2, 1, 5) == []
    time.sleep(0.3)
    # Workers share one lease: Redis takes over an entry idle longer than the taker's.
    [again] = inbox.take("alive", 0.2, 1, 5)
    assert (again.message_id, again.attempts) == ("m-1", 2)
    assert inbox.get("m-1").error == DIED % ("dead", 1, 5)  # type: ignore[union-attr]
    assert inbox.renew([again], "alive", 30) == [True]
    assert inbox.renew([held], "dead", 30) == [False]
    assert inbox.complete(held, "dead") is False
    assert inbox.complete(again, "alive") is True


def test_a_message_whose_worker_died_on_its_last_attempt_is_failed_instead_of_taken(inbox: Inbox) -> None:
    inbox.put("m-1", "order.status", b"{}")
    inbox.take("dead", 0.2, 1, 2)
    time.sleep(0.3)
    [second] = inbox.take("dying", 0.2, 1, 2)
    assert second.attempts == 2
    assert inbox.get("m-1").error == DIED % ("dead", 1, 2)  # type: ignore[union-attr]
    time.sleep(0.3)
    assert inbox.take("alive", 0.2, 1, 2) == []
    record = inbox.get("m-1")
    assert record is not None
    assert (record.status, record.attempts, record.error) == (InboxStatus.FAILED, 2, DIED % ("dying", 2, 2))
    assert inbox.failed() == ["m-1"]
    assert inbox.complete(second, "dying") is False


def test_release_gives_a_message_back_at_once_without_counting_the_attempt(inbox: Inbox) -> None:
    inbox.put("m-1", "order.status", b"{}")
    [taken] = inbox.take("w", 600, 1, 5)
    assert inbox.release(taken, "another") is False
    assert inbox.release(taken, "w") is True
    record = inbox.get("m-1")
    assert record is not None
    assert (record.status, record.attempts, record.error) == (InboxStatus.PENDING, 0, None)
    [again] = inbox.take("next", 30, 1, 5)
    assert again.attempts == 1
    assert inbox.release(taken, "w") is False


def test_a_note_is_kept_with_a_done_message_until_it_is_settled_again(inbox: Inbox) -> None:
    inbox.put("m-1", "order.status", b"{}")
    [taken] = inbox.take("w", 30, 1, 5)
    assert inbox.complete(taken, "w", "no handler for order.status events") is True
    assert inbox.get("m-1").note == "no handler for order.status events"  # type: ignore[union-attr]
    assert inbox.records()[0].note == "no handler for order.status events"
    inbox.replay("m-1")
    [again] = inbox.take("w", 30, 1, 5)
    assert inbox.complete(again, "w") is True
    assert inbox.get("m-1").note is None  # type: ignore[union-attr]


def test_retry_waits_for_its_delay_and_fail_keeps_the_error(inbox: Inbox) -> None:
    inbox.put("later", "order.status", b"{}")
    [taken] = inbox.take("w", 30, 1, 5)
    # A delay that no stall of a busy machine outlasts before the next take looks.
    assert inbox.retry(taken, "w", "Traceback: boom", 600) is True
    record = inbox.get("later")
    assert record is not None
    assert (record.status, record.error) == (InboxStatus.PENDING, "Traceback: boom")
    assert record.due_at - record.updated_at == pytest.approx(600)
    assert inbox.take("w", 30, 1, 5) == []
    inbox.put("soon", "order.status", b"{}")
    [taken] = inbox.take("w", 30, 1, 5)
    assert inbox.retry(taken, "w", "Traceback: boom", 0.2) is True
    deadline = time.monotonic() + 10
    while not (again := inbox.take("w", 30, 1, 5)):
        assert time.monotonic() < deadline, "the retry never became due"
        time.sleep(0.05)
    [second] = again
    assert (second.message_id, second.attempts) == ("soon", 2)
    assert inbox.fail(second, "w", "Traceback: boom again") is True
    assert inbox.get("soon").error == "Traceback: boom again"  # type: ignore[union-attr]
    assert inbox.failed() == ["soon"]
    assert [r.message_id for r in inbox.records(InboxStatus.FAILED)] == ["soon"]
    assert [r.message_id for r in inbox.records(InboxStatus.PENDING)] == ["later"]


def test_replay_puts_done_and_failed_back_and_leaves_running_alone(inbox: Inbox) -> None:
    for message_id in ("done", "failed", "running"):
        inbox.put(message_id, "order.status", message_id.encode())
    taken = {t.message_id: t for t in inbox.take("w", 30, 3, 5)}
    inbox.complete(taken["done"], "w")
    inbox.fail(taken["failed"], "w", "boom")
    assert inbox.replay("done") is InboxStatus.DONE
    assert inbox.replay("failed") is InboxStatus.FAILED
    assert inbox.replay("running") is InboxStatus.RUNNING
    assert inbox.replay("unknown") is None
    assert inbox.failed() == []
    again = sorted((t.message_id, t.attempts) for t in inbox.take("w", 30, 5, 5))
    assert again == [("done", 1), ("failed", 1)]
    assert inbox.get("running").status is InboxStatus.RUNNING  # type: ignore[union-attr]


def test_records_are_newest_first_and_prune_drops_only_old_done_ones(inbox: Inbox) -> None:
    for n in range(3):
        inbox.put(f"m-{n}", "job.status", b"{}")
        time.sleep(0.01)
    assert [r.message_id for r in inbox.records()] == ["m-2", "m-1", "m-0"]
    assert [r.message_id for r in inbox.records(limit=2)] == ["m-2", "m-1"]
    assert inbox.records()[0].body == b""
    for taken in inbox.take("w", 30, 2, 5):
        inbox.complete(taken, "w")
    assert inbox.prune(60) == 0
    assert inbox.prune(0) == 2
    assert [r.message_id for r in inbox.records()] == ["m-2"]
    assert inbox.get("m-0") is None


def test_concurrent_takers_never_share_a_message(url: str, inbox: Inbox) -> None:
    for n in range(60):
        inbox.put(f"m-{n}", "order.status", b"{}")
    inboxes = [open_inbox(url) for _ in range(4)]
    got: list[str] = []
    lock = threading.Lock()

    def drain(mine: Inbox, owner: str) -> None:
        while taken := mine.take(owner, 30, 3, 5):
            with lock:
                got.extend(t.message_id for t in taken)

    threads = [threading.Thread(target=drain, args=(mine, f"w{n}")) for n, mine in enumerate(inboxes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for mine in inboxes:
        mine.close()
    assert sorted(got) == sorted(f"m-{n}" for n in range(60))


@pytest.fixture
def clock_ahead(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Sets this process's Python clock (time.time) the given seconds ahead.

    The tests that use it prove that nothing judges a lease, a backoff or the retention by the caller's Python
    clock. They do not move the clock the inbox reads: SQLite's ``julianday('now')`` asks the operating system of
    the host (one clock for every process sharing the file), and Redis's ``TIME`` is the server's.
    """
    real = time.time

    def set_ahead(seconds: float) -> None:
        monkeypatch.setattr(time, "time", lambda: real() + seconds)

    return set_ahead


def test_leases_and_backoffs_are_not_judged_by_the_takers_python_clock(
    inbox: Inbox, clock_ahead: Callable[[float], None]
) -> None:
    inbox.put("held", "order.status", b"{}")
    inbox.put("waiting", "order.status", b"{}")
    [held] = inbox.take("healthy", 30, 1, 5)
    [waiting] = inbox.take("healthy", 30, 1, 5)
    assert (held.message_id, waiting.message_id) == ("held", "waiting")
    assert inbox.retry(waiting, "healthy", "boom", 60) is True
    clock_ahead(120)
    assert inbox.take("ahead", 30, 5, 5) == []
    assert inbox.renew([held], "healthy", 30) == [True]
    assert inbox.complete(held, "healthy") is True


async def test_a_worker_whose_python_clock_runs_ahead_prunes_nothing_early(
    inbox: Inbox, clock_ahead: Callable[[float], None]
) -> None:
    inbox.put("done", "order.status", b"{}")
    [taken] = inbox.take("earlier", 30, 1, 5)
    inbox.complete(taken, "earlier")
    content = message()
    inbox.put(content["messageId"], content["event"], json.dumps(content).encode())
    clock_ahead(120)
    worker = Worker(inbox, lambda event: (), retention=100, poll=0.01)
    running = asyncio.create_task(worker.run())
    deadline = time.monotonic() + 10
    while inbox.get(content["messageId"]).status is not InboxStatus.DONE:  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the worker did not settle the message"
        await asyncio.sleep(0.02)
    worker.stop()
    await asyncio.wait_for(running, 10)
    assert inbox.get("done") is not None


def test_closing_a_redis_inbox_closes_every_socket_its_threads_opened(redis_server: RedisServer) -> None:
    # redis-py before 5 leaves the pool's sockets to the garbage collector on Redis.close(), which then warns
    # of an unclosed socket in whatever code runs at that moment.
    inbox = open_inbox(redis_server.url)
    assert isinstance(inbox, RedisInbox)
    threads = [threading.Thread(target=inbox.put, args=(f"m-{n}", "order.status", b"{}")) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pool = inbox._client.connection_pool
    assert any(connection._sock is not None for connection in pool._available_connections)
    inbox.close()
    assert all(connection._sock is None for connection in pool._available_connections + list(pool._in_use_connections))


def test_a_redis_without_xautoclaim_is_named_too_old(tmp_path: Path) -> None:
    # Redis before 6.2 has no XAUTOCLAIM; one that had it renamed away answers as such a server does.
    server = RedisServer(tmp_path, "--rename-command", "XAUTOCLAIM", "")
    server.start()
    inbox = open_inbox(server.url)
    try:
        assert inbox.put("m-1", "order.status", b"{}") is True
        with pytest.raises(redis.ResponseError, match=r"^the Redis inbox needs Redis 6\.2 or later \(XAUTOCLAIM\)"):
            inbox.take("w", 30, 1, 5)
    finally:
        inbox.close()
        server.stop()


def test_a_sqlite_file_made_before_notes_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE up42_inbox (message_id TEXT PRIMARY KEY, event TEXT NOT NULL, body BLOB NOT NULL,"
            " status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, received_at REAL NOT NULL,"
            " updated_at REAL NOT NULL, due_at REAL NOT NULL, owner TEXT, lease_until REAL)"
        )
        old.execute(
            "INSERT INTO up42_inbox VALUES ('m-1', 'order.status', x'7b7d', 'pending', 0, NULL, 1, 1, 1, NULL, NULL)"
        )
    old.close()
    inbox = SQLiteInbox(path)
    [taken] = inbox.take("w", 30, 1, 5)
    assert inbox.complete(taken, "w", "a note") is True
    assert inbox.get("m-1").note == "a note"  # type: ignore[union-attr]
    inbox.close()


def _backlog(inbox: SQLiteInbox, count: int) -> None:
    """``count`` pending messages, put in one transaction (one sync of the file, not one per message)."""
    inbox._db().execute("BEGIN")
    for number in range(count):
        inbox.put(f"m-{number}", "order.status", b"{}")
    inbox._db().execute("COMMIT")


def _steps_to_take(inbox: SQLiteInbox) -> int:
    """How many SQLite virtual machine instructions one take of 4 messages runs."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    inbox._db().set_progress_handler(count, 1)
    try:
        assert len(inbox.take("w", 30, 4, 5)) == 4
    finally:
        inbox._db().set_progress_handler(None, 1)
    return steps


def test_a_sqlite_take_reads_as_much_from_a_large_backlog_as_from_a_small_one(tmp_path: Path) -> None:
    small, large = SQLiteInbox(tmp_path / "small.db"), SQLiteInbox(tmp_path / "large.db")
    _backlog(small, 10)
    _backlog(large, 5000)
    try:
        assert _steps_to_take(large) < 2 * _steps_to_take(small)
    finally:
        small.close()
        large.close()


def test_a_sqlite_take_finds_its_messages_through_indexes(tmp_path: Path) -> None:
    inbox = SQLiteInbox(tmp_path / "inbox.db")
    params = {"owner": "w", "lease": 30, "limit": 4, "max": 5, "died": DIED}
    plans = {
        name: [row[3] for row in inbox._db().execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        for name, sql in (("fail", _sqlite_inbox._FAIL_EXHAUSTED), ("take", _sqlite_inbox._TAKE))
    }
    inbox.close()
    assert not [step for steps in plans.values() for step in steps if step.startswith("SCAN up42_inbox")]
    assert plans["fail"].count("SEARCH up42_inbox USING INDEX up42_inbox_attempts (status=? AND attempts>?)") == 2
    assert "SEARCH up42_inbox USING INDEX up42_inbox_status (status=? AND due_at<?)" in plans["take"]


@pytest.mark.parametrize(
    "url",
    [
        "redis://me:hun/ter2@127.0.0.1:1/0",
        "redis://me:hun#ter2@127.0.0.1:1/0",
        "redis://me:hun?ter2@127.0.0.1:1/0",
        "amqp://me:hun/ter2@host/",
        "sqlite://me:hunter2@host/inbox.db",
        "postgresql://me:hun/ter2@127.0.0.1:1/db",
        "postgres://me:hun#ter2@127.0.0.1:1/db",
        "postgresql://me:hun?ter2@127.0.0.1:1/db",
        "postgresql://me:hunter2@127.0.0.1:1/db?table=Bad",
    ],
)
def test_a_bad_urls_password_is_in_no_part_of_its_error(url: str) -> None:
    with pytest.raises(InboxURLError) as caught:
        open_inbox(url)

    shown = "".join(traceback.format_exception(caught.value))
    assert "hun" not in shown
    assert "ter2" not in shown
    assert "********" in str(caught.value)

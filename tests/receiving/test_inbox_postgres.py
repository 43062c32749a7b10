"""What only the PostgreSQL inbox has, on a real server: its versioned table and migrations, the table option,
LISTEN/NOTIFY waking an idle worker, a server restart, and the password kept out of everything it shows."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.support.cli import fails, ok, run
from tests.support.deliveries import message
from tests.support.postgres_server import PASSWORD, PostgresServer
from tests.support.waiting import WAIT, eventually
from up42.errors import UP42Error
from up42.receiving import InboxNotFoundError, InboxStatus, open_inbox
from up42.receiving.durable._inbox import Taken
from up42.receiving.durable._worker import Worker
from up42.receiving.durable.backends import _postgres_inbox
from up42.receiving.durable.backends._postgres_inbox import PostgresInbox

# A later release's step: not repeatable, so a table migrated twice fails.
NEXT_STEP = ("ALTER TABLE {table} ADD COLUMN region text",)


@pytest.fixture
def url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database()


def opened(url: str) -> PostgresInbox:
    inbox = open_inbox(url)
    assert isinstance(inbox, PostgresInbox)
    return inbox


def query(url: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description is not None else []


def versions(url: str, table: str = "up42_inbox_versions") -> list[int]:
    return [int(str(row[0])) for row in query(url, f"SELECT version FROM {table} ORDER BY version")]  # noqa: S608


def test_the_table_is_made_on_first_use_with_its_version_and_the_option_names_it(url: str) -> None:
    inbox = opened(url)
    assert query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'") == []  # nothing until used
    assert inbox.put("m-1", "order.status", b"{}")
    inbox.close()
    assert versions(url) == list(range(1, len(_postgres_inbox.MIGRATIONS) + 1))

    query(url, "CREATE SCHEMA hooks")
    other = opened(f"{url}?table=hooks.received")
    assert other.put("m-1", "job.status", b"[]")
    assert other.get("m-1").event == "job.status"  # type: ignore[union-attr]
    other.close()
    tables = query(url, "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'hooks')")
    assert sorted(tables) == [
        ("hooks", "received"),
        ("hooks", "received_versions"),
        ("public", "up42_inbox"),
        ("public", "up42_inbox_versions"),
    ]


def test_a_url_without_a_host_goes_through_the_unix_socket_and_other_parameters_go_to_libpq(
    postgres_server: PostgresServer, url: str
) -> None:
    database = url.rsplit("/", 1)[1]
    inbox = opened(
        f"postgresql:///{database}?table=hooks&host={postgres_server.folder}&port={postgres_server.port}&user=up42"
    )
    try:
        assert inbox.put("m-1", "order.status", b"{}")
    finally:
        inbox.close()
    assert query(url, "SELECT message_id FROM hooks") == [("m-1",)]


def test_a_table_at_the_previous_version_is_migrated_and_keeps_its_messages(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = opened(url)
    assert before.put("m-1", "order.status", b"{}")
    before.close()
    monkeypatch.setattr(_postgres_inbox, "MIGRATIONS", (*_postgres_inbox.MIGRATIONS, NEXT_STEP))
    after = opened(url)
    try:
        assert [(t.message_id, t.attempts) for t in after.take("w", 30, 1, 5)] == [("m-1", 1)]
    finally:
        after.close()
    assert versions(url) == list(range(1, len(_postgres_inbox.MIGRATIONS) + 1))
    assert query(url, "SELECT region FROM up42_inbox") == [(None,)]


MIGRATE = """
import sys
from up42.receiving import open_inbox
from up42.receiving.durable.backends import _postgres_inbox

_postgres_inbox.MIGRATIONS += (("ALTER TABLE {table} ADD COLUMN region text",),)
inbox = open_inbox(sys.argv[1])
print(inbox.records())
inbox.close()
"""


def test_two_processes_opening_at_once_migrate_once(url: str) -> None:
    opened(url).close()
    inbox = opened(url)
    inbox.records()  # at the current version
    inbox.close()
    key = "up42-inbox:up42_inbox"
    with psycopg.connect(url, autocommit=True) as holder:
        # Holding the migration lock, so that both processes are waiting for it when it is let go.
        holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (key,))
        processes = [
            subprocess.Popen([sys.executable, "-c", MIGRATE, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        eventually(lambda: query(url, waiting) == [(2,)], "both processes wait for the migration lock")
        holder.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
    for process in processes:
        out, err = process.communicate(timeout=WAIT)
        assert (process.returncode, err) == (0, b""), err.decode()
        assert out == b"[]\n"
    assert versions(url) == list(range(1, len(_postgres_inbox.MIGRATIONS) + 2))


def test_a_table_a_newer_release_migrated_is_refused(url: str) -> None:
    opened(url).close()
    inbox = opened(url)
    inbox.records()
    inbox.close()
    query(url, "INSERT INTO up42_inbox_versions VALUES (99, now())")
    newer = opened(url)
    with pytest.raises(UP42Error, match=r"at version 99, made by a newer release .* reads up to version 1$"):
        newer.records()
    newer.close()


def test_once_the_table_is_made_its_users_need_no_right_to_create_anything(url: str) -> None:
    opened(url).close()
    made = opened(url)
    made.records()
    made.close()
    user = f"app_{uuid.uuid4().hex[:8]}"
    query(url, f"CREATE ROLE {user} LOGIN PASSWORD 'app-password'")
    query(url, f"GRANT SELECT, INSERT, UPDATE, DELETE ON up42_inbox TO {user}")
    query(url, f"GRANT SELECT ON up42_inbox_versions TO {user}")
    # PostgreSQL 15 and later let only the owner create in the public schema; older releases let everyone.
    query(url, "REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    inbox = opened(url.replace(f"up42:{PASSWORD}@", f"{user}:app-password@"))
    try:
        assert inbox.put("m-1", "order.status", b"{}")
        [taken] = inbox.take("w", 30, 1, 5)
        assert inbox.complete(taken, "w")
        assert inbox.prune(0) == 1
    finally:
        inbox.close()


def test_the_inbox_commands_open_an_existing_table_only_and_create_nothing(url: str) -> None:
    shown = url.replace(f"up42:{PASSWORD}", "********")
    for args in (["list"], ["show", "m-1"], ["replay", "--failed"]):
        assert fails(run(None, "inbox", *args, "--inbox", url)) == (
            f"error: no inbox at {shown}: no receiver or worker has used it yet\n"
        )
    assert query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'") == []
    with pytest.raises(InboxNotFoundError):
        open_inbox(url, create=False)
    inbox = opened(url)
    try:
        assert inbox.put("m-1", "order.status", b"{}")
    finally:
        inbox.close()
    (listed,) = json.loads(ok(None, "inbox", "list", "--json", "--inbox", url))
    assert (listed["messageId"], listed["status"]) == ("m-1", "pending")
    assert ok(None, "inbox", "replay", "m-1", "--inbox", url) == "m-1: pending -> pending\n"


def test_a_wrong_password_or_no_server_fails_in_one_line_without_the_password(
    postgres_server: PostgresServer,
) -> None:
    wrong = postgres_server.database_url("up42").replace(PASSWORD, "not-the-password-42")
    for url in (wrong, "postgresql://up42:not-the-password-42@127.0.0.1:9/up42"):
        inbox = opened(url)
        assert "not-the-password-42" not in repr(inbox)
        with pytest.raises(psycopg.OperationalError) as caught:
            inbox.put("m-1", "order.status", b"{}")
        shown = "".join(traceback.format_exception(caught.value))
        assert "not-the-password-42" not in shown
        assert str(caught.value).startswith("could not connect to the PostgreSQL inbox: ")
        assert "\n" not in str(caught.value)
        inbox.close()
    failed = run(None, "inbox", "list", "--inbox", wrong)
    assert "not-the-password-42" not in failed.stderr
    fails(failed)


def listening(url: str) -> int:
    """How many connections wait on a LISTEN."""
    rows = query(url, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'LISTEN %'")
    return int(str(rows[0][0]))


def test_a_put_wakes_a_waiting_inbox_at_once(url: str) -> None:
    waiting, putting = opened(url), opened(url)
    waiting.records()
    returned = threading.Event()

    def wait() -> None:
        waiting.wait_for_put(3600)
        returned.set()

    thread = threading.Thread(target=wait)
    thread.start()
    try:
        eventually(lambda: listening(url) == 1, "the inbox listens")
        assert not returned.is_set()
        putting.put("m-1", "order.status", b"{}")
        assert returned.wait(WAIT), "the put did not wake the waiting inbox"
        thread.join(WAIT)
        # A notification that comes while nobody waits is kept for the next wait, which returns at once.
        putting.put("m-2", "order.status", b"{}")
        eventually(lambda: waiting.wait_for_put(3600) is None, "the kept notification is seen")
    finally:
        thread.join(WAIT)
        waiting.close()
        putting.close()


@pytest.fixture
def worker_inbox(url: str) -> Iterator[PostgresInbox]:
    inbox = opened(url)
    yield inbox
    inbox.close()


async def test_an_idle_worker_takes_a_new_message_at_once_not_at_its_next_poll(
    url: str, worker_inbox: PostgresInbox
) -> None:
    handled = threading.Event()
    # A poll longer than the test may wait: only the notification can bring the message in time.
    worker = Worker(worker_inbox, lambda event: [lambda event: handled.set()], poll=3600)
    task = asyncio.create_task(worker.run())
    try:
        deadline = time.monotonic() + WAIT
        while listening(url) != 1:
            assert time.monotonic() < deadline, "the worker does not listen"
            await asyncio.sleep(0.05)
        content = message()
        putting = opened(url)
        putting.put(content["messageId"], content["event"], json.dumps(content).encode())
        putting.close()
        assert await asyncio.to_thread(handled.wait, WAIT), "the idle worker did not take the new message"
    finally:
        worker.stop()
        # A stop does not wait for the notification that never comes.
        await asyncio.wait_for(task, WAIT)


class Counting(PostgresInbox):
    """Counts the takes that failed."""

    failed_takes = 0

    def take(self, owner: str, lease: float, limit: int, max_attempts: int) -> list[Taken]:
        try:
            return super().take(owner, lease, limit, max_attempts)
        except Exception:
            self.failed_takes += 1
            raise


async def test_a_stopped_server_fails_puts_and_takes_and_after_its_restart_all_goes_on(
    postgres_server: PostgresServer, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "up42")
    inbox, worker_side = opened(url), Counting.from_url(url)
    assert inbox.put("before", "order.status", b"{}")
    [taken] = worker_side.take("w", 30, 1, 5)
    content = message()
    worker = Worker(worker_side, lambda event: [lambda event: None], poll=0.05)
    postgres_server.stop()
    try:
        with pytest.raises(psycopg.OperationalError):
            inbox.put("during", "order.status", b"{}")
        running = asyncio.create_task(worker.run())
        deadline = time.monotonic() + WAIT
        while worker_side.failed_takes < 3:
            assert time.monotonic() < deadline, "the worker did not try to take again"
            await asyncio.sleep(0.05)
    finally:
        postgres_server.start()
    # The connections kept from before the restart are broken: the first call after it still succeeds.
    assert inbox.put(content["messageId"], content["event"], json.dumps(content).encode())
    assert worker_side.complete(taken, "w")
    deadline = time.monotonic() + WAIT
    while inbox.get(content["messageId"]).status is not InboxStatus.DONE:  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the worker did not take again after the restart"
        await asyncio.sleep(0.05)
    worker.stop()
    await asyncio.wait_for(running, WAIT)
    inbox.close()
    worker_side.close()
    # One line for the outage, without a traceback, and one when it is over.
    failures = [record for record in caplog.records if record.getMessage().startswith("could not take messages")]
    assert len(failures) == 1
    assert failures[0].exc_info is None
    assert "\n" not in failures[0].getMessage()
    assert PASSWORD not in caplog.text
    assert [record.getMessage() for record in caplog.records if " again, after " in record.getMessage()] == [
        f"worker {worker.name} takes from {worker_side!r} again, after {worker_side.failed_takes} failed tries"
    ]

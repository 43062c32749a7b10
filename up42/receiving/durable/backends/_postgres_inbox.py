"""The inbox in a PostgreSQL table, shared by receivers and workers on any number of machines.

One row per message, in a table named by the URL (``?table=schema.name``, ``up42_inbox`` in the default schema
when none is given). A take locks the rows it picks with ``FOR UPDATE SKIP LOCKED``, so workers taking at once
pass each other's rows by instead of waiting for them or taking them twice. Every write is one statement, or one
transaction, in autocommit otherwise: a receiver's put is committed (and with the server's usual
``synchronous_commit`` on disk) before it answers 2xx.

The table's shape is versioned. ``<name>_versions`` beside it lists the `MIGRATIONS` applied; the first use of an
inbox by a process applies the missing ones in order, in one transaction under an advisory lock, so processes
that start together migrate once and a later release can change the table safely. A table migrated by a newer
release than this one is refused rather than misread.

A put, a release and a replay ``NOTIFY`` the channel named for the table: an idle worker that ``LISTEN``\\s there
(`PostgresInbox.wait_for_put`) takes the message at once instead of at its next poll, which still comes for a
notification that was lost.

Every time is the database server's (``now()``: the start of the transaction, one value for all its statements),
never a caller's, so workers on machines whose clocks disagree still agree on leases, backoffs and retention.
Connections are kept for reuse, one per thread at work at once; one found broken (the server restarted) is
replaced and the call tried once more on a new one, and the rest kept are dropped too.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ...._extras import needs_extra
from ...._text import one_line
from ...._urls import shown_url

with needs_extra("postgres"):
    import psycopg
    from psycopg import sql

from ....errors import UP42Error
from .._inbox import DIED, InboxRecord, InboxStatus, InboxURLError, SettledByStatus, Taken, report_failed_at_take

__all__ = ["DEFAULT_TABLE", "MIGRATIONS", "PostgresInbox"]

T = TypeVar("T")

DEFAULT_TABLE = "up42_inbox"
CONNECT_TIMEOUT = 5
"""Seconds to wait for a connection: a receiver answers 503 soon when the server is gone."""
WAIT_SLICE = 1.0
"""Seconds an idle worker's wait for a notification blocks at a time."""

# A lowercase name that stays one when quoted, short enough for the names made from it (indexes, the versions
# table, the channel) to fit PostgreSQL's 63 bytes.
_TABLE = re.compile(r"(?:([a-z_][a-z0-9_]{0,29})\.)?([a-z_][a-z0-9_]{0,29})")
_TABLE_RULE = (
    "the table is name or schema.name, each a lowercase letter or '_' and then up to 29 lowercase letters, digits"
    " or '_'"
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the table. Takes walk the due index in order; the attempts index finds the messages that had theirs.
    (
        """
        CREATE TABLE {table} (
            message_id text PRIMARY KEY,
            event text NOT NULL,
            body bytea NOT NULL,
            status text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            error text,
            received_at double precision NOT NULL,
            updated_at double precision NOT NULL,
            due_at double precision NOT NULL,
            owner text,
            lease_until double precision,
            note text
        )
        """,
        "CREATE INDEX {due} ON {table} (due_at) WHERE status IN ('pending', 'running')",
        "CREATE INDEX {attempts} ON {table} (attempts) WHERE status IN ('pending', 'running')",
        "CREATE INDEX {received} ON {table} (received_at)",
        "CREATE INDEX {settled} ON {table} (updated_at) WHERE status = 'done'",
    ),
)
"""The steps that make the table what this release reads, oldest first; step ``n`` brings it to version ``n``.

A release that changes the table appends a step; a step never changes once released. Each is a tuple of
statements whose ``{table}``, ``{versions}`` and index names are filled in with `psycopg.sql` identifiers.
"""

# Seconds since the epoch by the server's clock, the same value throughout a transaction.
_NOW = "extract(epoch FROM now())::double precision"

# Due, or running on a lease that ran out (its worker died): what a worker may take. The first condition lets the
# planner use the partial indexes.
_TAKEABLE = (
    f"status IN ('pending', 'running') AND ((status = 'pending' AND due_at <= {_NOW})"
    f" OR (status = 'running' AND lease_until < {_NOW}))"
)

# A message whose lease ran out keeps the reason; on the right of SET, owner and attempts are the old values.
_DIED_ERROR = "CASE WHEN status = 'running' THEN format(%(died)s, owner, attempts, %(max)s) ELSE error END"

_FAIL_EXHAUSTED = f"""
WITH exhausted AS (
    SELECT message_id FROM {{table}} WHERE {_TAKEABLE} AND attempts >= %(max)s FOR UPDATE SKIP LOCKED
)
UPDATE {{table}} SET status = 'failed', error = {_DIED_ERROR}, owner = NULL, lease_until = NULL,
    updated_at = {_NOW}, due_at = {_NOW}
WHERE message_id IN (SELECT message_id FROM exhausted)
RETURNING message_id, attempts, error
"""

# The first `limit` takeable messages in due_at order, read from the due index; those another taker holds locked
# are passed by. A message that had its attempts is left to the next take's _FAIL_EXHAUSTED, whatever changed it
# since this take's.
_TAKE = f"""
WITH picked AS (
    SELECT message_id FROM {{table}} WHERE {_TAKEABLE} AND attempts < %(max)s
    ORDER BY due_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED
)
UPDATE {{table}} SET status = 'running', owner = %(owner)s, lease_until = {_NOW} + %(lease)s,
    attempts = attempts + 1, error = {_DIED_ERROR}, updated_at = {_NOW}
WHERE message_id IN (SELECT message_id FROM picked)
RETURNING message_id, body, attempts, due_at
"""

# A write by a worker applies only while it still holds the lease it was given.
_HELD = "message_id = %(id)s AND owner = %(owner)s AND status = 'running'"

_RENEW = f"""
UPDATE {{table}} SET lease_until = {_NOW} + %(lease)s
WHERE message_id = ANY(%(ids)s) AND owner = %(owner)s AND status = 'running'
RETURNING message_id
"""

_SETTLE = f"""
UPDATE {{table}} SET status = %(status)s, error = coalesce(%(error)s, error), note = %(note)s,
    due_at = {_NOW} + %(delay)s, attempts = attempts + %(attempts)s, updated_at = {_NOW}, owner = NULL,
    lease_until = NULL
WHERE {_HELD}
"""

_PUT = f"""
INSERT INTO {{table}} (message_id, event, body, status, received_at, updated_at, due_at)
VALUES (%(id)s, %(event)s, %(body)s, 'pending', {_NOW}, {_NOW}, {_NOW})
ON CONFLICT (message_id) DO NOTHING
"""

# Runs `statement` (which changes at most one message) and notifies the channel when it did, in one statement: the
# notification goes out when the change is committed. One row back means one message changed.
_WAKING = "WITH changed AS ({statement} RETURNING 1) SELECT pg_notify(%(channel)s, '') FROM changed"

_COLUMNS = "message_id, event, status, attempts, error, received_at, updated_at, due_at, note"

_GET = f"SELECT {_COLUMNS}, body FROM {{table}} WHERE message_id = %(id)s"

_RECORDS = f"""
SELECT {_COLUMNS} FROM {{table}} WHERE %(status)s::text IS NULL OR status = %(status)s
ORDER BY received_at DESC LIMIT %(limit)s
"""

_REPLAY = f"""
UPDATE {{table}} SET status = 'pending', attempts = 0, due_at = {_NOW}, updated_at = {_NOW}
WHERE message_id = %(id)s AND status != 'running'
"""

_VERSIONS = "CREATE TABLE IF NOT EXISTS {versions} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL)"


class PostgresInbox(SettledByStatus):
    """An `Inbox` in a PostgreSQL table (created on first use). Thread-safe; safe across processes and machines.

    Args:
        conninfo: What psycopg connects with: a ``postgresql://`` URL without ``table``, or ``key=value`` pairs.
        table: ``name`` or ``schema.name``; ``name`` goes where unqualified names go (the ``search_path``).
    """

    def __init__(self, conninfo: str, table: str = DEFAULT_TABLE) -> None:
        found = _TABLE.fullmatch(table)
        if found is None:
            raise InboxURLError(f"bad PostgreSQL inbox table {table!r}: {_TABLE_RULE}")
        schema, name = found.groups()
        self.table = table
        self._conninfo = conninfo
        self._schema = schema
        self._name = name
        self._channel = name  # the same for every spelling of the table; a namesake in another schema only wakes
        qualified = (schema, name) if schema else (name,)
        self._identifiers = {
            "table": sql.Identifier(*qualified),
            "versions": sql.Identifier(*qualified[:-1], f"{name}_versions"),
            **{index: sql.Identifier(f"{name}_{index}") for index in ("due", "attempts", "received", "settled")},
        }
        self._lock = threading.Lock()
        self._idle: list[psycopg.Connection[Any]] = []
        self._pid = os.getpid()
        self._migrated = False
        self._listening = threading.Lock()
        self._listener: psycopg.Connection[Any] | None = None
        self._closings = 0

    @classmethod
    def from_url(cls, url: str) -> PostgresInbox:
        """The inbox a ``postgresql://`` or ``postgres://`` URL names, with its ``?table=`` taken out."""
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        tables = [value for key, value in query if key == "table"]
        if len(tables) > 1 or (tables and not _TABLE.fullmatch(tables[0])):
            raise InboxURLError(f"bad PostgreSQL inbox URL {shown_url(url)!r}: give ?table= once; {_TABLE_RULE}")
        rest = urllib.parse.urlencode([(key, value) for key, value in query if key != "table"])
        # Put together by hand: urllib would write a URL without a host (the local socket) with one slash.
        conninfo = f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{rest}" if rest else "")
        return cls(conninfo, tables[0] if tables else DEFAULT_TABLE)

    def __repr__(self) -> str:
        return f"PostgresInbox({shown_url(self._conninfo)!r}, table={self.table!r})"

    def _sql(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(**self._identifiers)

    def _open(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        except psycopg.OperationalError as error:
            # libpq's message runs over several lines (it never holds the password): one line, as any other error.
            raise psycopg.OperationalError(f"could not connect to the PostgreSQL inbox: {one_line(error)}") from None

    def _connect(self) -> psycopg.Connection[Any]:
        """A new connection; the first one a process opens migrates the table."""
        connection = self._open()
        if not self._migrated:
            try:
                self._migrate(connection)
            except BaseException:
                connection.close()
                raise
            self._migrated = True
        return connection

    def _migrate(self, connection: psycopg.Connection[Any]) -> None:
        """Apply the steps of `MIGRATIONS` the table lacks, under a lock that makes other processes wait.

        A table at this release's version is only read: its users need no right to create anything.
        """
        if self._version(connection) == len(MIGRATIONS):
            return
        with connection.transaction():
            key = f"up42-inbox:{self.table}"
            connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (key,))
            connection.execute(self._sql(_VERSIONS))
            for version in range(self._version(connection) + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[version - 1]:
                    connection.execute(self._sql(statement))
                insert = "INSERT INTO {versions} (version, applied_at) VALUES (%s, now())"
                connection.execute(self._sql(insert), (version,))

    def _version(self, connection: psycopg.Connection[Any]) -> int:
        """The version of the table, 0 before there is one; one newer than this release reads is refused."""
        versions = self._identifiers["versions"].as_string(connection)
        row = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (versions,)).fetchone()
        if not (row and row[0]):
            return 0
        row = connection.execute(self._sql("SELECT coalesce(max(version), 0) FROM {versions}")).fetchone()
        current = int(row[0]) if row else 0
        if current > len(MIGRATIONS):
            raise UP42Error(
                f"the PostgreSQL inbox table {self.table} is at version {current}, made by a newer release of"
                f" this package; this one reads up to version {len(MIGRATIONS)}"
            )
        return current

    @contextlib.contextmanager
    def _connection(self, fresh: bool) -> Iterator[tuple[psycopg.Connection[Any], bool]]:
        """A connection kept from an earlier call unless `fresh`, and whether it was; kept again unless broken."""
        with self._lock:
            # A connection must not cross a fork: the child opens its own.
            if self._pid != os.getpid():
                self._idle, self._pid = [], os.getpid()
            kept = self._idle.pop() if self._idle and not fresh else None
        connection = kept or self._connect()
        try:
            yield connection, kept is not None
        finally:
            if connection.closed or connection.broken:
                connection.close()
            else:
                with self._lock:
                    self._idle.append(connection)

    def _run(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        """`work` on a connection; once more on a new one when a kept one turns out broken."""
        with self._connection(fresh=False) as (connection, kept):
            try:
                return work(connection)
            except psycopg.OperationalError:
                if not (kept and connection.broken):
                    raise
        self._drop_idle()  # the server went away since they were used: they are broken too
        with self._connection(fresh=True) as (connection, _):
            return work(connection)

    def _execute(self, template: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        query = self._sql(template)
        return self._run(lambda connection: _rows(connection.execute(query, params)))

    def _waking(self, statement: str, params: dict[str, Any]) -> bool:
        """Run `statement` and notify the channel when it changed its message; whether it did."""
        rows = self._execute(_WAKING.replace("{statement}", statement), {**params, "channel": self._channel})
        return len(rows) == 1

    def _drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def put(self, message_id: str, event: str, body: bytes) -> bool:
        """Insert the message as pending unless its id is already held; idle workers are woken."""
        return self._waking(_PUT, {"id": message_id, "event": event, "body": body})

    def take(self, owner: str, lease: float, limit: int, max_attempts: int) -> list[Taken]:
        """Fail the messages that had their attempts, then take: one transaction, so one clock reading."""
        params = {"owner": owner, "lease": lease, "limit": limit, "max": max_attempts, "died": _DIED_FORMAT}
        fail, take = self._sql(_FAIL_EXHAUSTED), self._sql(_TAKE)

        def both(connection: psycopg.Connection[Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
            with connection.transaction():
                return _rows(connection.execute(fail, params)), _rows(connection.execute(take, params))

        exhausted, rows = self._run(both)
        for message_id, attempts, error in exhausted:
            report_failed_at_take(str(message_id), int(attempts), error)
        rows.sort(key=lambda row: float(row[3]))
        return [Taken(str(row[0]), bytes(row[1]), int(row[2])) for row in rows]

    def renew(self, taken: Sequence[Taken], owner: str, lease: float) -> list[bool]:
        """Extend each lease `owner` still holds, in one statement."""
        if not taken:
            return []
        ids = [message.message_id for message in taken]
        kept = {str(row[0]) for row in self._execute(_RENEW, {"ids": ids, "owner": owner, "lease": lease})}
        return [message_id in kept for message_id in ids]

    def release(self, taken: Taken, owner: str) -> bool:
        """Back to pending, due now, one attempt fewer, if `owner` still holds it; idle workers are woken."""
        params = self._settle_params(taken, owner, InboxStatus.PENDING, attempts=-1)
        return self._waking(_SETTLE, params)

    def _settle(
        self,
        taken: Taken,
        owner: str,
        status: InboxStatus,
        error: str | None = None,
        delay: float = 0.0,
        note: str | None = None,
    ) -> bool:
        params = self._settle_params(taken, owner, status, error, delay, note)
        return len(self._execute(_SETTLE + " RETURNING 1", params)) == 1

    @staticmethod
    def _settle_params(
        taken: Taken,
        owner: str,
        status: InboxStatus,
        error: str | None = None,
        delay: float = 0.0,
        note: str | None = None,
        attempts: int = 0,
    ) -> dict[str, Any]:
        return {
            "status": status.value,
            "error": error,
            "note": note,
            "delay": delay,
            "attempts": attempts,
            "id": taken.message_id,
            "owner": owner,
        }

    def get(self, message_id: str) -> InboxRecord | None:
        """The message with its body."""
        rows = self._execute(_GET, {"id": message_id})
        return _record(rows[0]) if rows else None

    def records(self, status: InboxStatus | None = None, limit: int | None = None) -> list[InboxRecord]:
        """Newest first, without bodies."""
        rows = self._execute(_RECORDS, {"status": status and status.value, "limit": limit})
        return [_record(row) for row in rows]

    def replay(self, message_id: str) -> InboxStatus | None:
        """Back to pending unless running: the row locked from the read to the write, so no worker acts between."""
        select = self._sql("SELECT status FROM {table} WHERE message_id = %(id)s FOR UPDATE")
        replay = self._sql(_REPLAY)
        params = {"id": message_id, "channel": self._channel}

        def locked(connection: psycopg.Connection[Any]) -> InboxStatus | None:
            with connection.transaction():
                rows = _rows(connection.execute(select, params))
                if not rows:
                    return None
                if connection.execute(replay, params).rowcount:
                    connection.execute("SELECT pg_notify(%(channel)s, '')", params)
                return InboxStatus(rows[0][0])

        return self._run(locked)

    def failed(self) -> list[str]:
        """Every failed message's id, in the order they failed."""
        rows = self._execute("SELECT message_id FROM {table} WHERE status = 'failed' ORDER BY updated_at", {})
        return [str(row[0]) for row in rows]

    def prune(self, age: float) -> int:
        """Delete done messages finished at least `age` seconds ago."""
        query = self._sql(f"DELETE FROM {{table}} WHERE status = 'done' AND updated_at <= {_NOW} - %(age)s")
        return self._run(lambda connection: connection.execute(query, {"age": age}).rowcount)

    def wait_for_put(self, seconds: float) -> None:
        """Return once a message was put, released or replayed, or after `seconds`: ``LISTEN`` on the channel.

        The listening connection stays open between calls, so a notification that comes while no call waits is
        kept for the next one, which then returns at once.
        """
        deadline = time.monotonic() + seconds
        closings = self._closings
        with self._listening:
            listener = self._listener
            try:
                if listener is None:
                    listener = self._listener = self._connect()
                    listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                # In slices, so that a `close` from another thread waits for a slice at most, not the whole wait.
                while closings == self._closings and (left := deadline - time.monotonic()) > 0:
                    with contextlib.closing(listener.notifies(timeout=min(left, WAIT_SLICE), stop_after=1)) as told:
                        if next(told, None) is not None:
                            return
            except psycopg.Error:
                self._listener = None
                if listener is not None:
                    listener.close()
                raise

    def exists(self) -> bool:
        """Whether the table is there; read without creating anything."""
        query = (
            "SELECT 1 FROM pg_catalog.pg_tables WHERE tablename = %s AND schemaname = coalesce(%s, current_schema())"
        )
        with self._open() as connection:
            return bool(connection.execute(query, (self._name, self._schema)).fetchall())

    def close(self) -> None:
        """Close every connection kept; the next call opens a new one. A wait in another thread returns first."""
        self._closings += 1
        self._drop_idle()
        with self._listening:
            if self._listener is not None:
                self._listener.close()
                self._listener = None


# DIED's %d are PostgreSQL format()'s %s: format() knows no %d, and writes a number as text for %s alike.
_DIED_FORMAT = DIED.replace("%d", "%s")


def _rows(cursor: psycopg.Cursor[Any]) -> list[tuple[Any, ...]]:
    """The rows of a statement that returns some, none for one that returns nothing."""
    return cursor.fetchall() if cursor.description is not None else []


def _record(row: Sequence[Any]) -> InboxRecord:
    message_id, event, status, attempts, error, received_at, updated_at, due_at, note, *body = row
    return InboxRecord(
        message_id=str(message_id),
        event=str(event),
        status=InboxStatus(status),
        attempts=int(attempts),
        error=None if error is None else str(error),
        received_at=float(received_at),
        updated_at=float(updated_at),
        due_at=float(due_at),
        note=None if note is None else str(note),
        body=bytes(body[0]) if body else b"",
    )

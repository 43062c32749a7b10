"""The inbox in one SQLite file, shared by the receiver and worker processes of one machine.

WAL lets readers run beside the one writer, the busy timeout makes a writer wait for another process's write
instead of failing, and ``synchronous=FULL`` makes a stored message survive a power cut, not only a crash, before
the receiver answers 2xx. Each change is one statement, or one transaction that takes the write lock first, so it
is atomic across processes.

Every time comes from SQLite's own clock, read inside the statement that judges or stores it, never from the
caller: the processes sharing the file share the host's clock, and nothing a process does to its own idea of
the time (a patched ``time.time``, say) moves a lease, a backoff or the retention.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._inbox import DIED, InboxRecord, InboxStatus, SettledByStatus, Taken, report_failed_at_take

__all__ = ["SQLiteInbox"]

BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS up42_inbox (
    message_id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    body BLOB NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    received_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    due_at REAL NOT NULL,
    owner TEXT,
    lease_until REAL,
    note TEXT
);
CREATE INDEX IF NOT EXISTS up42_inbox_status ON up42_inbox (status, due_at);
CREATE INDEX IF NOT EXISTS up42_inbox_attempts ON up42_inbox (status, attempts);
CREATE INDEX IF NOT EXISTS up42_inbox_received ON up42_inbox (received_at);
"""

# Seconds since the epoch by SQLite's clock; the same value wherever it appears in one statement.
_NOW = "((julianday('now') - 2440587.5) * 86400.0)"

# Due, or running on a lease that ran out (its worker died): what a worker may take.
_TAKEABLE = f"((status = 'pending' AND due_at <= {_NOW}) OR (status = 'running' AND lease_until < {_NOW}))"

# A message whose lease ran out keeps the reason; on the right of SET, owner and attempts are the old values.
_DIED_ERROR = "CASE WHEN status = 'running' THEN printf(:died, owner, attempts, :max) ELSE error END"

# Found by their attempts, so a backlog of due messages is not read to find the few that had theirs.
_FAIL_EXHAUSTED = f"""
UPDATE up42_inbox INDEXED BY up42_inbox_attempts SET status = 'failed', error = {_DIED_ERROR}, owner = NULL,
    lease_until = NULL, updated_at = {_NOW}, due_at = {_NOW}
WHERE {_TAKEABLE} AND attempts >= :max
RETURNING message_id, attempts, error
"""

# The first `limit` due pending messages and the first `limit` lapsed running ones, each read in due_at order from
# the index, then the first `limit` of both: what ordering every takeable message would give, without reading (and
# sorting) the whole backlog on each take.
_TAKE = f"""
UPDATE up42_inbox SET status = 'running', owner = :owner, lease_until = {_NOW} + :lease, attempts = attempts + 1,
    error = {_DIED_ERROR}, updated_at = {_NOW}
WHERE message_id IN (
    SELECT message_id FROM (
        SELECT * FROM (
            SELECT message_id, due_at FROM up42_inbox INDEXED BY up42_inbox_status
            WHERE status = 'pending' AND due_at <= {_NOW} ORDER BY due_at LIMIT :limit
        )
        UNION ALL
        SELECT * FROM (
            SELECT message_id, due_at FROM up42_inbox INDEXED BY up42_inbox_status
            WHERE status = 'running' AND lease_until < {_NOW} ORDER BY due_at LIMIT :limit
        )
    )
    ORDER BY due_at LIMIT :limit
)
RETURNING message_id, body, attempts
"""

# A write by a worker applies only while it still holds the lease it was given.
_HELD = "message_id = :id AND owner = :owner AND status = 'running'"

_SETTLE = f"""
UPDATE up42_inbox SET status = :status, error = coalesce(:error, error), note = :note, due_at = {_NOW} + :delay,
    attempts = attempts + :attempts, updated_at = {_NOW}, owner = NULL, lease_until = NULL
WHERE {_HELD}
"""

_COLUMNS = "message_id, event, status, attempts, error, received_at, updated_at, due_at, note"

_GET = f"SELECT {_COLUMNS}, body FROM up42_inbox WHERE message_id = ?"

_RECORDS = f"""
SELECT {_COLUMNS} FROM up42_inbox WHERE :status IS NULL OR status = :status ORDER BY received_at DESC LIMIT :limit
"""


class SQLiteInbox(SettledByStatus):
    """An `Inbox` in a SQLite file (created with its folder on first use). Thread-safe; safe across processes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def __repr__(self) -> str:
        return f"SQLiteInbox({str(self.path)!r})"

    def _db(self) -> sqlite3.Connection:
        # Opened on first use, and again in a forked child: a connection must not cross a fork.
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.executescript(_SCHEMA)
            _add_note_column(connection)
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _run(self, sql: str, params: dict[str, object] | Sequence[object] = ()) -> list[Any]:
        with self._lock:
            return self._db().execute(sql, params).fetchall()

    def _changed(self, sql: str, params: dict[str, object] | Sequence[object]) -> int:
        """Run one writing statement; how many rows it changed."""
        with self._lock:
            return self._db().execute(sql, params).rowcount

    def put(self, message_id: str, event: str, body: bytes) -> bool:
        """Insert the message as pending unless its id is already held."""
        changed = self._changed(
            "INSERT OR IGNORE INTO up42_inbox (message_id, event, body, status, received_at, updated_at, due_at)"
            f" VALUES (?, ?, ?, 'pending', {_NOW}, {_NOW}, {_NOW})",
            (message_id, event, body),
        )
        return changed == 1

    def take(self, owner: str, lease: float, limit: int, max_attempts: int) -> list[Taken]:
        """Fail the messages that had their attempts, then take: one transaction, the write lock held throughout."""
        params = {"owner": owner, "lease": lease, "limit": limit, "max": max_attempts, "died": DIED}
        with self._lock:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            with db:  # commits, or rolls back on an error
                exhausted = db.execute(_FAIL_EXHAUSTED, params).fetchall()
                rows = db.execute(_TAKE, params).fetchall()
        for message_id, attempts, error in exhausted:
            report_failed_at_take(str(message_id), int(attempts), error)
        return [Taken(str(row[0]), bytes(row[1]), int(row[2])) for row in rows]

    def renew(self, taken: Sequence[Taken], owner: str, lease: float) -> list[bool]:
        """Extend each lease `owner` still holds."""
        kept = []
        with self._lock:
            db = self._db()
            for message in taken:
                cursor = db.execute(
                    f"UPDATE up42_inbox SET lease_until = {_NOW} + :lease WHERE {_HELD}",
                    {"lease": lease, "id": message.message_id, "owner": owner},
                )
                kept.append(cursor.rowcount == 1)
        return kept

    def release(self, taken: Taken, owner: str) -> bool:
        """Back to pending, due now, one attempt fewer, if `owner` still holds it."""
        return self._settle(taken, owner, InboxStatus.PENDING, attempts=-1)

    def _settle(
        self,
        taken: Taken,
        owner: str,
        status: InboxStatus,
        error: str | None = None,
        delay: float = 0.0,
        note: str | None = None,
        attempts: int = 0,
    ) -> bool:
        params: dict[str, object] = {
            "status": status.value,
            "error": error,
            "note": note,
            "delay": delay,
            "attempts": attempts,
            "id": taken.message_id,
            "owner": owner,
        }
        return self._changed(_SETTLE, params) == 1

    def get(self, message_id: str) -> InboxRecord | None:
        """The message with its body."""
        rows = self._run(_GET, (message_id,))
        return _record(rows[0]) if rows else None

    def records(self, status: InboxStatus | None = None, limit: int | None = None) -> list[InboxRecord]:
        """Newest first, without bodies."""
        rows = self._run(_RECORDS, {"status": status and status.value, "limit": limit or -1})
        return [_record(row) for row in rows]

    def replay(self, message_id: str) -> InboxStatus | None:
        """Back to pending unless running; read and written in one transaction, so no worker acts in between."""
        with self._lock:
            db = self._db()
            # IMMEDIATE takes the write lock before the read, so the status returned is the one the update saw.
            db.execute("BEGIN IMMEDIATE")
            with db:  # commits, or rolls back on an error
                rows = db.execute("SELECT status FROM up42_inbox WHERE message_id = ?", (message_id,)).fetchall()
                if not rows:
                    return None
                db.execute(
                    f"UPDATE up42_inbox SET status = 'pending', attempts = 0, due_at = {_NOW}, updated_at = {_NOW}"
                    " WHERE message_id = ? AND status != 'running'",
                    (message_id,),
                )
                return InboxStatus(rows[0][0])

    def failed(self) -> list[str]:
        """Every failed message's id."""
        return [str(row[0]) for row in self._run("SELECT message_id FROM up42_inbox WHERE status = 'failed'")]

    def prune(self, age: float) -> int:
        """Delete done messages finished at least `age` seconds ago."""
        return self._changed(f"DELETE FROM up42_inbox WHERE status = 'done' AND updated_at <= {_NOW} - ?", (age,))

    def exists(self) -> bool:
        """Whether the file holds an inbox; read without creating anything, neither the file, its folder nor a table."""
        if not self.path.is_file():
            return False
        with contextlib.closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'up42_inbox'").fetchall()
        return bool(found)

    def close(self) -> None:
        """Close the connection; the next call opens a new one."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _add_note_column(connection: sqlite3.Connection) -> None:
    """Give a file made before messages had notes its ``note`` column."""
    if any(row[1] == "note" for row in connection.execute("PRAGMA table_info(up42_inbox)")):
        return
    try:
        connection.execute("ALTER TABLE up42_inbox ADD COLUMN note TEXT")
    except sqlite3.OperationalError as error:
        if "duplicate column" not in str(error):  # another process added it first
            raise


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

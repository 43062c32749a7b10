"""The inbox in one SQLite file, shared by the receiver and worker processes of one machine.

WAL lets readers run beside the one writer, the busy timeout makes a writer wait for another process's write
instead of failing, and ``synchronous=FULL`` makes a stored message survive a power cut, not only a crash, before
the receiver answers 2xx. Each change is one statement, so SQLite's write lock makes it atomic across processes.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import InboxRecord, InboxStatus, Taken

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
    lease_until REAL
);
CREATE INDEX IF NOT EXISTS up42_inbox_status ON up42_inbox (status, due_at);
CREATE INDEX IF NOT EXISTS up42_inbox_received ON up42_inbox (received_at);
"""

_TAKE = """
UPDATE up42_inbox SET status = 'running', owner = :owner, lease_until = :until, attempts = attempts + 1,
    updated_at = :now
WHERE message_id IN (
    SELECT message_id FROM up42_inbox
    WHERE (status = 'pending' AND due_at <= :now) OR (status = 'running' AND lease_until < :now)
    ORDER BY due_at LIMIT :limit
)
RETURNING message_id, body, attempts
"""

# A settling write applies only while the caller still holds the lease it was given.
_SETTLE = """
UPDATE up42_inbox SET status = :status, error = coalesce(:error, error), due_at = :due, updated_at = :now,
    owner = NULL, lease_until = NULL
WHERE message_id = :id AND owner = :owner AND status = 'running'
"""

_GET = """
SELECT message_id, event, status, attempts, error, received_at, updated_at, due_at, body
FROM up42_inbox WHERE message_id = ?
"""

_RECORDS = """
SELECT message_id, event, status, attempts, error, received_at, updated_at, due_at
FROM up42_inbox WHERE :status IS NULL OR status = :status ORDER BY received_at DESC LIMIT :limit
"""


class SQLiteInbox:
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
        now = time.time()
        changed = self._changed(
            "INSERT OR IGNORE INTO up42_inbox (message_id, event, body, status, received_at, updated_at, due_at)"
            " VALUES (?, ?, ?, 'pending', ?, ?, ?)",
            (message_id, event, body, now, now, now),
        )
        return changed == 1

    def take(self, owner: str, lease: float, limit: int) -> list[Taken]:
        """One UPDATE ... RETURNING: the rows it changes are this owner's alone."""
        now = time.time()
        rows = self._run(_TAKE, {"owner": owner, "until": now + lease, "now": now, "limit": limit})
        return [Taken(str(row[0]), bytes(row[1]), int(row[2])) for row in rows]

    def renew(self, taken: Sequence[Taken], owner: str, lease: float) -> list[bool]:
        """Extend each lease `owner` still holds."""
        until = time.time() + lease
        kept = []
        with self._lock:
            db = self._db()
            for message in taken:
                cursor = db.execute(
                    "UPDATE up42_inbox SET lease_until = ? WHERE message_id = ? AND owner = ? AND status = 'running'",
                    (until, message.message_id, owner),
                )
                kept.append(cursor.rowcount == 1)
        return kept

    def complete(self, taken: Taken, owner: str) -> bool:
        """Mark done if `owner` still holds it."""
        return self._settle(taken, owner, InboxStatus.DONE, None, 0.0)

    def retry(self, taken: Taken, owner: str, error: str, delay: float) -> bool:
        """Back to pending after `delay` if `owner` still holds it."""
        return self._settle(taken, owner, InboxStatus.PENDING, error, delay)

    def fail(self, taken: Taken, owner: str, error: str) -> bool:
        """Mark failed if `owner` still holds it."""
        return self._settle(taken, owner, InboxStatus.FAILED, error, 0.0)

    def _settle(self, taken: Taken, owner: str, status: InboxStatus, error: str | None, delay: float) -> bool:
        now = time.time()
        params: dict[str, object] = {
            "status": status.value,
            "error": error,
            "due": now + delay,
            "now": now,
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
        now = time.time()
        with self._lock:
            db = self._db()
            # IMMEDIATE takes the write lock before the read, so the status returned is the one the update saw.
            db.execute("BEGIN IMMEDIATE")
            with db:  # commits, or rolls back on an error
                rows = db.execute("SELECT status FROM up42_inbox WHERE message_id = ?", (message_id,)).fetchall()
                if not rows:
                    return None
                db.execute(
                    "UPDATE up42_inbox SET status = 'pending', attempts = 0, due_at = ?, updated_at = ?"
                    " WHERE message_id = ? AND status != 'running'",
                    (now, now, message_id),
                )
                return InboxStatus(rows[0][0])

    def failed(self) -> list[str]:
        """Every failed message's id."""
        return [str(row[0]) for row in self._run("SELECT message_id FROM up42_inbox WHERE status = 'failed'")]

    def prune(self, before: float) -> int:
        """Delete done messages finished before `before`."""
        return self._changed("DELETE FROM up42_inbox WHERE status = 'done' AND updated_at < ?", (before,))

    def close(self) -> None:
        """Close the connection; the next call opens a new one."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


def _record(row: Sequence[Any]) -> InboxRecord:
    message_id, event, status, attempts, error, received_at, updated_at, due_at, *body = row
    return InboxRecord(
        message_id=str(message_id),
        event=str(event),
        status=InboxStatus(status),
        attempts=int(attempts),
        error=None if error is None else str(error),
        received_at=float(received_at),
        updated_at=float(updated_at),
        due_at=float(due_at),
        body=bytes(body[0]) if body else b"",
    )

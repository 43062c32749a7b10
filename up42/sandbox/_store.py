"""The sandbox's state in SQLite: users and their workspaces, webhooks, the delivery log, the signing key.

Every write is committed before the method returns, and the app answers 2xx only after that, so an
acknowledged write survives the process being killed right after. A file database runs in WAL mode with
``synchronous=FULL``: each commit is on disk before it returns. Without a path the database lives in memory.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, workspace_id TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    active INTEGER NOT NULL,
    secret TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhooks_by_workspace ON webhooks (workspace_id, created_at);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id TEXT NOT NULL,
    event TEXT NOT NULL,
    message_id TEXT NOT NULL,
    live_mode INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    sent_at TEXT NOT NULL
);
"""


def timestamp(moment: datetime.datetime | None = None) -> str:
    """RFC 3339 UTC with microseconds and a ``Z``, as UP42 writes its timestamps."""
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclasses.dataclass(frozen=True)
class WebhookFields:
    """The five writable fields of a webhook, already validated."""

    name: str
    url: str
    events: list[str]
    active: bool
    secret: str | None = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class StoredWebhook:
    """A webhook row."""

    id: str
    workspace_id: str
    fields: WebhookFields
    created_at: str
    updated_at: str

    def to_api(self) -> dict[str, Any]:
        """The webhook as the API shows it (camelCase; the secret in clear text, ``""`` when unset, as UP42)."""
        return {
            "id": self.id,
            "name": self.fields.name,
            "url": self.fields.url,
            "events": list(self.fields.events),
            "active": self.fields.active,
            "secret": self.fields.secret or "",
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One delivery attempt: what was sent where, and how the receiver answered (or why it could not)."""

    webhook_id: str
    event: str
    message_id: str
    live_mode: bool
    attempt: int
    status: int | None
    error: str | None
    sent_at: str

    def to_api(self) -> dict[str, Any]:
        """The attempt as ``GET /sandbox/deliveries`` shows it."""
        return {
            "webhookId": self.webhook_id,
            "event": self.event,
            "messageId": self.message_id,
            "liveMode": self.live_mode,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "sentAt": self.sent_at,
        }


class Store:
    """Thread-safe access to the SQLite database; one connection, one lock, one transaction per write."""

    def __init__(self, path: str | Path | None = None) -> None:
        target = ":memory:" if path is None else str(path)
        # The app calls in from a thread pool; the lock serialises every use of the one connection.
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()

    def signing_key(self) -> bytes:
        """The key tokens are signed with; made once per database, so tokens outlive a restart with a file."""
        with self._transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'token_key'").fetchone()
            if row is None:
                row = (secrets.token_hex(32),)
                db.execute("INSERT INTO meta (key, value) VALUES ('token_key', ?)", row)
        return bytes.fromhex(row[0])

    def workspace_of(self, username: str) -> str:
        """The workspace id of ``username``, made on first use and the same ever after."""
        with self._transaction() as db:
            row = db.execute("SELECT workspace_id FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                row = (str(uuid.uuid4()),)
                db.execute("INSERT INTO users (username, workspace_id) VALUES (?, ?)", (username, row[0]))
        return str(row[0])

    def create(self, workspace_id: str, fields: WebhookFields) -> StoredWebhook:
        """Insert a webhook; it is committed when this returns."""
        now = timestamp()
        hook = StoredWebhook(str(uuid.uuid4()), workspace_id, fields, now, now)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO webhooks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (hook.id, workspace_id, *_columns(fields), now, now),
            )
        return hook

    def replace(self, workspace_id: str, webhook_id: str, fields: WebhookFields) -> StoredWebhook | None:
        """Overwrite the writable fields; None when the workspace has no such webhook."""
        now = timestamp()
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE webhooks SET name = ?, url = ?, events = ?, active = ?, secret = ?, updated_at = ?"
                " WHERE workspace_id = ? AND id = ?",
                (*_columns(fields), now, workspace_id, webhook_id),
            ).rowcount
        return self.get(workspace_id, webhook_id) if changed else None

    def delete(self, workspace_id: str, webhook_id: str) -> bool:
        """Delete a webhook; False when the workspace has no such webhook."""
        with self._transaction() as db:
            deleted = db.execute(
                "DELETE FROM webhooks WHERE workspace_id = ? AND id = ?", (workspace_id, webhook_id)
            ).rowcount
        return bool(deleted)

    def get(self, workspace_id: str, webhook_id: str) -> StoredWebhook | None:
        """One webhook of a workspace, or None."""
        rows = self._query("SELECT * FROM webhooks WHERE workspace_id = ? AND id = ?", (workspace_id, webhook_id))
        return _webhook(rows[0]) if rows else None

    def webhooks(self, workspace_id: str) -> list[StoredWebhook]:
        """Every webhook of a workspace, oldest first."""
        rows = self._query("SELECT * FROM webhooks WHERE workspace_id = ? ORDER BY created_at, id", (workspace_id,))
        return [_webhook(row) for row in rows]

    def subscribed(self, event: str) -> list[StoredWebhook]:
        """Every active webhook, of any workspace, subscribed to ``event``."""
        rows = self._query("SELECT * FROM webhooks WHERE active = 1 ORDER BY created_at, id")
        return [hook for hook in map(_webhook, rows) if event in hook.fields.events]

    def record(self, attempt: Attempt) -> None:
        """Append a delivery attempt to the log."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO deliveries (webhook_id, event, message_id, live_mode, attempt, status, error, sent_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt.webhook_id,
                    attempt.event,
                    attempt.message_id,
                    int(attempt.live_mode),
                    attempt.attempt,
                    attempt.status,
                    attempt.error,
                    attempt.sent_at,
                ),
            )

    def attempts(self, webhook_id: str | None = None) -> list[Attempt]:
        """The delivery log, oldest first, optionally for one webhook."""
        sql = "SELECT webhook_id, event, message_id, live_mode, attempt, status, error, sent_at FROM deliveries"
        rows = (
            self._query(f"{sql} ORDER BY seq")
            if webhook_id is None
            else self._query(f"{sql} WHERE webhook_id = ? ORDER BY seq", (webhook_id,))
        )
        return [Attempt(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6], row[7]) for row in rows]


def _columns(fields: WebhookFields) -> tuple[Any, ...]:
    return (fields.name, fields.url, json.dumps(fields.events), int(fields.active), fields.secret)


def _webhook(row: tuple[Any, ...]) -> StoredWebhook:
    # The columns in the order of CREATE TABLE webhooks.
    fields = WebhookFields(name=row[2], url=row[3], events=json.loads(row[4]), active=bool(row[5]), secret=row[6])
    return StoredWebhook(id=row[0], workspace_id=row[1], fields=fields, created_at=row[7], updated_at=row[8])

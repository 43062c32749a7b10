"""The sandbox's state in SQLite: users and their workspaces, webhooks, deliveries and their attempts, the key.

A delivery is one message to one webhook; it is written (``pending``) before its first attempt is made, so a
crash while sending loses nothing, and it ends ``delivered`` or ``failed``. Each attempt is kept with the request
exactly as it was sent (URL and every header) and how the receiver answered: its status, and what `Answer` keeps
of its body.

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
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from up42._messages import timestamp

from ._answers import Answer

# What an attempt keeps of the receiver's answer (`Answer`); all NULL without one.
_ANSWER_COLUMNS = ("answer_type TEXT", "answer_body TEXT", "answer_size INTEGER", "answer_truncated INTEGER")

_SCHEMA = f"""
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
    id TEXT NOT NULL UNIQUE,
    webhook_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    event TEXT NOT NULL,
    message_id TEXT NOT NULL,
    live_mode INTEGER NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,
    reason TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS deliveries_by_webhook ON deliveries (webhook_id, seq);
CREATE INDEX IF NOT EXISTS deliveries_by_state ON deliveries (state, seq);
CREATE INDEX IF NOT EXISTS deliveries_by_event ON deliveries (event, seq);
CREATE TABLE IF NOT EXISTS attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    url TEXT NOT NULL,
    headers TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL,
    {", ".join(_ANSWER_COLUMNS)}
);
CREATE INDEX IF NOT EXISTS attempts_by_delivery ON attempts (delivery_id, seq);
"""


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


# A delivery is pending until an attempt succeeds (delivered) or the attempts run out or its webhook goes (failed).
DELIVERY_STATES = ("pending", "delivered", "failed")


@dataclasses.dataclass(frozen=True)
class Attempt:
    """One attempt of a delivery: the request exactly as sent, and how the receiver answered (or why it could not).

    ``webhook_id``, ``event``, ``message_id`` and ``live_mode`` are the delivery's, repeated for the flat log.
    ``answer`` is None when there was no answer, and for attempts recorded before answers were kept.
    """

    delivery_id: str
    webhook_id: str
    event: str
    message_id: str
    live_mode: bool
    attempt: int
    url: str
    headers: dict[str, str]
    sent_at: str
    status: int | None
    error: str | None
    duration_ms: int
    answer: Answer | None = None

    def to_api(self) -> dict[str, Any]:
        """The attempt as the flat log ``GET /sandbox/attempts`` shows it."""
        return {
            "deliveryId": self.delivery_id,
            "webhookId": self.webhook_id,
            "event": self.event,
            "messageId": self.message_id,
            "liveMode": self.live_mode,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "sentAt": self.sent_at,
            "durationMs": self.duration_ms,
        }

    def to_detail(self) -> dict[str, Any]:
        """The attempt as a delivery's detail lists it."""
        return {
            "attempt": self.attempt,
            "sentAt": self.sent_at,
            "url": self.url,
            "status": self.status,
            "error": self.error,
            "durationMs": self.duration_ms,
            "answer": None if self.answer is None else self.answer.to_api(),
        }


@dataclasses.dataclass(frozen=True)
class Delivery:
    """One message to one webhook, with the attempts made so far (oldest first).

    ``attempt_count`` counts the attempts started, including one still in flight. ``reason`` says why a delivery
    ended ``failed`` without an attempt saying so (its webhook was deleted or deactivated).
    """

    id: str
    webhook_id: str
    workspace_id: str
    event: str
    message_id: str
    live_mode: bool
    body: str
    state: str
    attempt_count: int
    next_attempt_at: str | None
    reason: str | None
    created_at: str
    attempts: tuple[Attempt, ...] = ()

    @property
    def latest(self) -> Attempt | None:
        """The latest attempt recorded, if any."""
        return self.attempts[-1] if self.attempts else None

    def to_api(self) -> dict[str, Any]:
        """The delivery as ``GET /sandbox/deliveries`` lists it; the latest attempt's status, error and time."""
        latest = self.latest
        return {
            "id": self.id,
            "webhookId": self.webhook_id,
            "event": self.event,
            "messageId": self.message_id,
            "liveMode": self.live_mode,
            "state": self.state,
            "attempt": self.attempt_count,
            "status": None if latest is None else latest.status,
            "error": self.reason or (None if latest is None else latest.error),
            "sentAt": None if latest is None else latest.sent_at,
            "createdAt": self.created_at,
            "nextAttemptAt": self.next_attempt_at if self.state == "pending" else None,
        }

    def to_detail(self) -> dict[str, Any]:
        """The row plus the latest request exactly as sent (None before the first is recorded) and every attempt."""
        latest = self.latest
        request = None if latest is None else {"url": latest.url, "headers": dict(latest.headers), "body": self.body}
        return {
            **self.to_api(),
            "request": request,
            "attempts": [attempt.to_detail() for attempt in self.attempts],
        }


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of the delivery log: its deliveries, oldest first, and where the page of older ones starts."""

    deliveries: list[Delivery]
    older: str | None  # the ``before`` of the next page (the oldest delivery here); None when this is the last


_DELETED = "retries stopped: the webhook was deleted"
_DEACTIVATED = "retries stopped: the webhook was deactivated; activate it and resend the delivery"


def stop_reason(hook: StoredWebhook | None) -> str | None:
    """Why retries to ``hook`` must end (deleted or inactive), or None when they may go on."""
    if hook is None:
        return _DELETED
    return None if hook.fields.active else _DEACTIVATED


class Store:
    """Thread-safe access to the SQLite database; one connection, one lock, one transaction per write."""

    def __init__(self, path: str | Path | None = None) -> None:
        """Open (or make) the database at ``path``, in memory without one.

        Raises:
            OSError: The file cannot be opened or made (its folder is missing or not writable, it is locked).
            ValueError: The file is not a SQLite database.
        """
        target = ":memory:" if path is None else str(path)
        # The app calls in from a thread pool; the lock serialises every use of the one connection.
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            raise OSError(f"cannot open the database {target}: {error}") from None
        try:
            self._prepare(file=path is not None)
        except sqlite3.Error as error:
            self._db.close()
            if isinstance(error, sqlite3.OperationalError):  # the file could not be read or written
                raise OSError(f"cannot open the database {target}: {error}") from None
            raise ValueError(f"{target} is not a sandbox database: {error}") from None

    def _prepare(self, *, file: bool) -> None:
        with self._lock:
            if file:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=5000")
            _migrate(self._db)
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
        """Overwrite the writable fields; None when the workspace has no such webhook.

        Deactivating a webhook ends its pending deliveries as failed.
        """
        now = timestamp()
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE webhooks SET name = ?, url = ?, events = ?, active = ?, secret = ?, updated_at = ?"
                " WHERE workspace_id = ? AND id = ?",
                (*_columns(fields), now, workspace_id, webhook_id),
            ).rowcount
            if changed and not fields.active:
                _stop(db, "webhook_id", webhook_id, _DEACTIVATED)
        return self.get(workspace_id, webhook_id) if changed else None

    def delete(self, workspace_id: str, webhook_id: str) -> bool:
        """Delete a webhook and end its pending deliveries; False when the workspace has no such webhook."""
        with self._transaction() as db:
            deleted = db.execute(
                "DELETE FROM webhooks WHERE workspace_id = ? AND id = ?", (workspace_id, webhook_id)
            ).rowcount
            if deleted:
                _stop(db, "webhook_id", webhook_id, _DELETED)
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

    def all_webhooks(self) -> list[StoredWebhook]:
        """Every webhook of every workspace, oldest first."""
        return [_webhook(row) for row in self._query("SELECT * FROM webhooks ORDER BY created_at, id")]

    def webhook(self, webhook_id: str) -> StoredWebhook | None:
        """A webhook of any workspace, or None."""
        rows = self._query("SELECT * FROM webhooks WHERE id = ?", (webhook_id,))
        return _webhook(rows[0]) if rows else None

    def open_deliveries(
        self, hooks: Sequence[StoredWebhook], payload: dict[str, Any], body: str, lease_until: str
    ) -> list[Delivery]:
        """Store one pending delivery of ``payload`` per webhook, its first attempt leased until ``lease_until``.

        Written before that attempt is made, so a crash while sending leaves a pending row that a restart resumes
        once the lease has passed.
        """
        now = timestamp()
        made = [
            Delivery(
                id=f"dlv_{secrets.token_hex(8)}",
                webhook_id=hook.id,
                workspace_id=hook.workspace_id,
                event=payload["event"],
                message_id=payload["messageId"],
                live_mode=payload["liveMode"],
                body=body,
                state="pending",
                attempt_count=1,
                next_attempt_at=lease_until,
                reason=None,
                created_at=now,
            )
            for hook in hooks
        ]
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO deliveries (id, webhook_id, workspace_id, event, message_id, live_mode, body, state,"
                " attempts, next_attempt_at, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        *(d.id, d.webhook_id, d.workspace_id, d.event, d.message_id, int(d.live_mode), d.body),
                        *(d.state, d.attempt_count, d.next_attempt_at, d.reason, d.created_at),
                    )
                    for d in made
                ],
            )
        return made

    def claim(self, delivery_id: str, lease_until: str) -> int | None:
        """Start the next attempt of a delivery: its number, or None for an unknown id.

        A pending delivery is leased until ``lease_until``, so it is not due again while the attempt is in flight.
        """
        with self._transaction() as db:
            row = db.execute(
                "UPDATE deliveries SET attempts = attempts + 1,"
                " next_attempt_at = CASE state WHEN 'pending' THEN ? ELSE next_attempt_at END"
                " WHERE id = ? RETURNING attempts",
                (lease_until, delivery_id),
            ).fetchone()
        return None if row is None else int(row[0])

    def finish(self, attempt: Attempt, state: str, next_attempt_at: str | None) -> None:
        """Record an attempt and the delivery's state after it (``next_attempt_at`` when still pending).

        A delivery stopped while the attempt was in flight (its webhook deleted or deactivated) stays failed, with
        its reason, when the attempt would have left it pending: no retry follows.
        """
        with self._transaction() as db:
            db.execute(
                "INSERT INTO attempts (delivery_id, attempt, url, headers, sent_at, status, error, duration_ms,"
                " answer_type, answer_body, answer_size, answer_truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt.delivery_id,
                    attempt.attempt,
                    attempt.url,
                    json.dumps(attempt.headers),
                    attempt.sent_at,
                    attempt.status,
                    attempt.error,
                    attempt.duration_ms,
                    *_answer_columns(attempt.answer),
                ),
            )
            db.execute(
                "UPDATE deliveries SET state = ?, next_attempt_at = ?, reason = NULL"
                " WHERE id = ? AND NOT (? = 'pending' AND state = 'failed')",
                (state, next_attempt_at, attempt.delivery_id, state),
            )

    def stop(self, delivery_id: str, reason: str) -> None:
        """End a delivery whose claimed attempt is not made: that attempt is not counted, and a pending one fails.

        ``reason`` says why it failed, unless it already had (its webhook was deleted or deactivated meanwhile).
        """
        with self._transaction() as db:
            db.execute("UPDATE deliveries SET attempts = attempts - 1 WHERE id = ?", (delivery_id,))
            _stop(db, "id", delivery_id, reason)

    def claim_due(self, now: str, lease_until: str, busy: Collection[str]) -> list[Delivery]:
        """Start the next attempt of every pending delivery due at ``now``, leasing each until ``lease_until``.

        Deliveries whose id is in ``busy`` (an attempt in flight) are left alone. Returns them oldest first, without
        their attempts; ``attempt_count`` is the number of the attempt started.
        """
        returning = f"RETURNING {_DELIVERY_COLUMNS}, seq"
        sql = f"UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ? {_DUE} {returning}"  # noqa: S608
        with self._transaction() as db:
            rows = db.execute(sql, (lease_until, now, json.dumps(list(busy)))).fetchall()
        return [_delivery(row) for row in sorted(rows, key=lambda row: row[-1])]

    def next_due(self, busy: Collection[str]) -> str | None:
        """When the earliest pending delivery not in ``busy`` is due, or None when there is none."""
        sql = f"SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND {_IDLE}"  # noqa: S608
        rows = self._query(sql, (json.dumps(list(busy)),))
        return None if rows[0][0] is None else str(rows[0][0])

    def deliveries(
        self,
        *,
        webhook_id: str | None = None,
        event: str | None = None,
        state: str | None = None,
        since: datetime.datetime | None = None,
        before: str | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        """Deliveries with their attempts, oldest first, filtered; ``since`` compares with the creation time.

        ``before`` keeps those made before the delivery with that id, ``limit`` the newest ``limit`` of them.

        Raises:
            LookupError: No delivery has the id ``before``.
        """
        found = self._newest(limit, webhook_id=webhook_id, event=event, state=state, since=since, before=before)
        return self._with_attempts(found[::-1])

    def page(
        self,
        size: int,
        *,
        webhook_id: str | None = None,
        event: str | None = None,
        state: str | None = None,
        since: datetime.datetime | None = None,
        before: str | None = None,
    ) -> Page:
        """The newest ``size`` deliveries before ``before`` (of all, without it), filtered as `deliveries` filters.

        A page reads its own rows and one more, however long the log: every filter but ``since`` has an index in
        the order of the page.

        Raises:
            LookupError: No delivery has the id ``before``.
        """
        # One more than the page tells whether older ones remain, without counting them.
        found = self._newest(size + 1, webhook_id=webhook_id, event=event, state=state, since=since, before=before)
        shown = self._with_attempts(found[:size][::-1])
        return Page(shown, shown[0].id if len(found) > size else None)

    def _newest(
        self,
        limit: int | None,
        *,
        webhook_id: str | None,
        event: str | None,
        state: str | None,
        since: datetime.datetime | None,
        before: str | None,
    ) -> list[tuple[Any, ...]]:
        """The rows of the newest ``limit`` deliveries (all without) that the filters keep, newest first."""
        # With a webhook named, its index finds the rows and the other filters are checked on them: a webhook has
        # fewer deliveries than an event or a state, and "+" keeps SQLite, which has no statistics, from using those.
        other = "" if webhook_id is None else "+"
        conditions = {
            "webhook_id = ?": webhook_id,
            f"{other}event = ?": event,
            f"{other}state = ?": state,
            "created_at >= ?": None if since is None else timestamp(since),
            "seq < ?": None if before is None else self._seq(before),
        }
        clauses = [clause for clause, value in conditions.items() if value is not None]
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        newest = f" LIMIT {int(limit)}" if limit is not None else ""
        # Newest first is the order of the primary key and of each filter's index: the rows come in that order, so
        # a LIMIT stops reading at once and nothing is sorted.
        return self._query(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries{where} ORDER BY seq DESC{newest}",  # noqa: S608 - fixed SQL fragments only
            [value for value in conditions.values() if value is not None],
        )

    def _seq(self, delivery_id: str) -> int:
        rows = self._query("SELECT seq FROM deliveries WHERE id = ?", (delivery_id,))
        if not rows:
            raise LookupError(f"no delivery {delivery_id!r}")
        return int(rows[0][0])

    def delivery(self, delivery_id: str) -> Delivery | None:
        """One delivery with its attempts, or None."""
        sql = f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE id = ?"  # noqa: S608 - fixed SQL fragments only
        rows = self._query(sql, (delivery_id,))
        return self._with_attempts(rows)[0] if rows else None

    def _with_attempts(self, rows: list[tuple[Any, ...]]) -> list[Delivery]:
        """The deliveries of ``rows`` (`_DELIVERY_COLUMNS`), each with its attempts."""
        by_id: dict[str, list[Attempt]] = {row[0]: [] for row in rows}
        ids = list(by_id)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            for attempt in self._attempts(f"WHERE a.delivery_id IN ({marks})", chunk):
                by_id[attempt.delivery_id].append(attempt)
        return [_delivery(row, tuple(by_id[row[0]])) for row in rows]

    def attempts(self, webhook_id: str | None = None) -> list[Attempt]:
        """Every attempt of every delivery in the order they were made, optionally for one webhook."""
        if webhook_id is None:
            return self._attempts("", ())
        return self._attempts("WHERE d.webhook_id = ?", (webhook_id,))

    def _attempts(self, where: str, params: Sequence[Any]) -> list[Attempt]:
        rows = self._query(f"{_ATTEMPT_SELECT} {where} ORDER BY a.seq", params)
        return [
            Attempt(
                *(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], json.loads(r[7]), r[8], r[9], r[10], r[11]),
                answer=None if r[14] is None else Answer(r[12], r[13], r[14], bool(r[15])),
            )
            for r in rows
        ]


# Bound parameters per IN (...) query, well under SQLite's limit.
_CHUNK = 500

# The ids to leave alone, bound as one JSON array: any number of them, in one parameter.
_IDLE = "id NOT IN (SELECT value FROM json_each(?))"
_DUE = f"WHERE state = 'pending' AND next_attempt_at <= ? AND {_IDLE}"

_ATTEMPT_SELECT = (
    "SELECT a.delivery_id, d.webhook_id, d.event, d.message_id, d.live_mode, a.attempt, a.url, a.headers,"
    " a.sent_at, a.status, a.error, a.duration_ms, a.answer_type, a.answer_body, a.answer_size, a.answer_truncated"
    " FROM attempts a JOIN deliveries d ON d.id = a.delivery_id"
)

_DELIVERY_COLUMNS = (
    "id, webhook_id, workspace_id, event, message_id, live_mode, body, state, attempts, next_attempt_at, reason,"
    " created_at"
)


def _delivery(row: tuple[Any, ...], attempts: tuple[Attempt, ...] = ()) -> Delivery:
    # The columns in the order of _DELIVERY_COLUMNS (a trailing seq, when selected, is ignored).
    return Delivery(
        id=row[0],
        webhook_id=row[1],
        workspace_id=row[2],
        event=row[3],
        message_id=row[4],
        live_mode=bool(row[5]),
        body=row[6],
        state=row[7],
        attempt_count=row[8],
        next_attempt_at=row[9],
        reason=row[10],
        created_at=row[11],
        attempts=attempts,
    )


def _stop(db: sqlite3.Connection, column: str, value: str, reason: str) -> None:
    # column is "id" or "webhook_id", never input.
    where = f"WHERE {column} = ? AND state = 'pending'"
    sql = f"UPDATE deliveries SET state = 'failed', next_attempt_at = NULL, reason = ? {where}"  # noqa: S608
    db.execute(sql, (reason, value))


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a database made by an earlier version to today's tables: each step checks for the columns it adds.

    The flat attempt log of the first versions is moved aside; attempts recorded before answers were kept gain
    empty answer columns.
    """
    columns = {row[1] for row in db.execute("PRAGMA table_info(deliveries)")}
    if columns and "id" not in columns:
        # Kept, not converted: the old log never stored the request, so it cannot become deliveries.
        db.execute("ALTER TABLE deliveries RENAME TO deliveries_v1")
    columns = {row[1] for row in db.execute("PRAGMA table_info(attempts)")}
    if columns:
        for column in _ANSWER_COLUMNS:
            if column.split()[0] not in columns:
                db.execute(f"ALTER TABLE attempts ADD COLUMN {column}")


def _answer_columns(answer: Answer | None) -> tuple[Any, ...]:
    if answer is None:
        return (None, None, None, None)
    return (answer.content_type, answer.body, answer.size, int(answer.truncated))


def _columns(fields: WebhookFields) -> tuple[Any, ...]:
    return (fields.name, fields.url, json.dumps(fields.events), int(fields.active), fields.secret)


def _webhook(row: tuple[Any, ...]) -> StoredWebhook:
    # The columns in the order of CREATE TABLE webhooks.
    fields = WebhookFields(name=row[2], url=row[3], events=json.loads(row[4]), active=bool(row[5]), secret=row[6])
    return StoredWebhook(id=row[0], workspace_id=row[1], fields=fields, created_at=row[7], updated_at=row[8])

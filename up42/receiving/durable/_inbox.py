"""The inbox: where a `Receiver` stores each verified delivery before it answers 2xx, and where workers take them.

A message moves through four states::

    put ──► pending ──take──► running ──complete──► done ──(retention)──► pruned
             ▲ ▲ ▲              │ │ │
             │ │ └─retry(delay)─┘ │ └──fail──► failed
             │ └────release───────┘              ▲
             │                     take, when pending or lapsed with its attempts used up
             └── replay (failed or done)

``running`` carries a lease: a worker renews it while its handlers run, and once it runs out (the worker died)
``take`` hands the message to another worker. ``take`` counts an attempt each time it hands a message out, and
fails a message instead once it has had ``max_attempts``, so a message whose handler kills its worker every time
ends failed. ``release`` gives a message back when its worker stops, without counting that attempt. Every write
is atomic across the processes sharing the inbox, so of two workers taking at the same moment exactly one gets a
message. No caller passes in a time: leases, backoffs and retention are judged by the clock the inbox reads. With
Redis that is the server's (``TIME``), so workers on machines whose clocks disagree still agree. With SQLite it is
the clock of the host the statement runs on (``julianday('now')``): every process sharing the file runs on that
one host, as WAL requires, so they all read one clock. With PostgreSQL it is the database server's (``now()``).

Three backends implement `Inbox`: `open_inbox` picks one by URL scheme (``sqlite:///``, ``redis://`` or
``postgresql://``). One that can tell idle workers of a new message at once is also `WakesWorkers`.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
import logging
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from ...errors import InvalidArgumentError, UP42Error

__all__ = [
    "DEFAULT_RETENTION",
    "Inbox",
    "InboxNotFoundError",
    "InboxRecord",
    "InboxStatus",
    "InboxURLError",
    "Taken",
    "WakesWorkers",
]

logger = logging.getLogger("up42")

DEFAULT_RETENTION = 7 * 24 * 60 * 60
"""Seconds a done message stays in the inbox (for `up42 inbox list` and replays) before it is pruned."""

DIED = "the worker %s died while running this message (attempt %d of %d): its lease ran out"
"""The error a message keeps when its lease ran out: a format that Python, SQLite's printf and Lua all fill."""


class InboxURLError(InvalidArgumentError):
    """An inbox URL that names no supported backend, or lacks the path or host it needs."""


class InboxNotFoundError(UP42Error):
    """There is no inbox at the URL, and it was to be opened only if it exists: ``open_inbox(url, create=False)``."""


class InboxStatus(enum.StrEnum):
    """Where a message is in its life."""

    PENDING = "pending"
    """Stored, waiting for a worker (or for its retry's backoff to pass)."""
    RUNNING = "running"
    """A worker holds its lease and runs the handlers."""
    DONE = "done"
    """Every handler returned."""
    FAILED = "failed"
    """A handler raised on every one of the allowed attempts; the last error is kept."""


@dataclasses.dataclass(frozen=True)
class InboxRecord:
    """One message as the inbox holds it.

    Attributes:
        message_id: The messageId UP42 gave it; the inbox holds each once.
        event: The event name, e.g. ``order.status``.
        status: Where it is in its life.
        attempts: How many times a worker took it (a worker that died mid-run counts).
        error: The last handler error (its traceback), or None.
        received_at: When a receiver stored it, in seconds since the epoch.
        updated_at: When its status last changed, in seconds since the epoch.
        due_at: When a pending message may be taken next (a retry waits for its backoff).
        note: What the worker that settled it noted, e.g. that no handler listens for its event; or None.
        body: The raw body as verified; empty when the record was listed rather than fetched.
    """

    message_id: str
    event: str
    status: InboxStatus
    attempts: int
    error: str | None
    received_at: float
    updated_at: float
    due_at: float
    note: str | None = None
    body: bytes = dataclasses.field(default=b"", repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready values (the body as text, when it was fetched)."""
        shown = dataclasses.asdict(self)
        shown["status"] = self.status.value
        shown["body"] = self.body.decode("utf-8", "replace") if self.body else None
        return shown


@dataclasses.dataclass(frozen=True)
class Taken:
    """A message a worker holds: what its handlers need, and the backend's handle on the lease."""

    message_id: str
    body: bytes
    attempts: int
    token: str = ""
    """The backend's own reference (the stream entry for Redis); opaque to the worker."""


class Inbox(Protocol):
    """What a receiver and a worker need from a backend. Every method is atomic across processes."""

    def put(self, message_id: str, event: str, body: bytes) -> bool:
        """Store a verified delivery as pending; False when a message with this id is already held (nothing written)."""
        ...

    def take(self, owner: str, lease: float, limit: int, max_attempts: int) -> list[Taken]:
        """Lease up to `limit` messages to `owner`: pending ones that are due, and running ones whose lease ran out.

        Each one taken counts an attempt. A running message whose lease ran out keeps a `DIED` error; once a
        message has had `max_attempts`, it is failed here instead of being taken again.
        """
        ...

    def renew(self, taken: Sequence[Taken], owner: str, lease: float) -> list[bool]:
        """Extend `owner`'s leases to `lease` seconds from now; False for each one `owner` no longer holds."""
        ...

    def complete(self, taken: Taken, owner: str, note: str | None = None) -> bool:
        """Mark done, keeping `note`; False (nothing written) when `owner` no longer holds it."""
        ...

    def release(self, taken: Taken, owner: str) -> bool:
        """Back to pending, due now, that attempt not counted; False when `owner` no longer holds it."""
        ...

    def retry(self, taken: Taken, owner: str, error: str, delay: float) -> bool:
        """Back to pending, due in `delay` seconds, keeping `error`; False when `owner` no longer holds it."""
        ...

    def fail(self, taken: Taken, owner: str, error: str) -> bool:
        """Mark failed, keeping `error`; False when `owner` no longer holds it."""
        ...

    def get(self, message_id: str) -> InboxRecord | None:
        """The message with its body, or None when the inbox does not hold it."""
        ...

    def records(self, status: InboxStatus | None = None, limit: int | None = None) -> list[InboxRecord]:
        """The newest messages first (bodies left out), only those in `status` when given."""
        ...

    def replay(self, message_id: str) -> InboxStatus | None:
        """Put a done, failed or waiting message back to pending, due now, attempts from zero.

        Returns the status it had (a running message is left alone), or None when the inbox does not hold it.
        """
        ...

    def failed(self) -> list[str]:
        """The ids of every failed message."""
        ...

    def prune(self, age: float) -> int:
        """Delete done messages finished at least `age` seconds ago by the inbox's clock; return how many."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class SettledByStatus(abc.ABC):
    """`complete`, `retry` and `fail` for an inbox whose one settling write sets a held message's status."""

    @abc.abstractmethod
    def _settle(
        self,
        taken: Taken,
        owner: str,
        status: InboxStatus,
        error: str | None = None,
        delay: float = 0.0,
        note: str | None = None,
    ) -> bool:
        """Set the status (with its error, due `delay` s from now, and note) if `owner` still holds the message."""

    def complete(self, taken: Taken, owner: str, note: str | None = None) -> bool:
        """Mark done if `owner` still holds it."""
        return self._settle(taken, owner, InboxStatus.DONE, note=note)

    def retry(self, taken: Taken, owner: str, error: str, delay: float) -> bool:
        """Back to pending after `delay` if `owner` still holds it."""
        return self._settle(taken, owner, InboxStatus.PENDING, error, delay)

    def fail(self, taken: Taken, owner: str, error: str) -> bool:
        """Mark failed if `owner` still holds it."""
        return self._settle(taken, owner, InboxStatus.FAILED, error)


@runtime_checkable
class WakesWorkers(Protocol):
    """An `Inbox` that tells an idle worker of a new message at once (PostgreSQL's ``LISTEN``/``NOTIFY``).

    A worker that found nothing to take waits here instead of sleeping its whole poll interval. Other inboxes are
    polled alone.
    """

    def wait_for_put(self, seconds: float) -> None:
        """Return once a message may have become due, or after `seconds` at most."""
        ...


def report_failed_at_take(message_id: str, attempts: int, error: str | None) -> None:
    """Log a message that `take` failed because it had had its attempts."""
    last = error.strip().splitlines()[-1] if error and error.strip() else "no error kept"
    logger.error("message %s failed after %d attempt(s): %s", message_id, attempts, last)

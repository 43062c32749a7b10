"""The stores behind de-duplication and the inbox, one module per store and technology.

`_memory` (de-duplication in one process), `_redis_dedupe`, `_redis_inbox` and `_postgres_inbox` (shared by
many machines), `_sqlite_inbox` (one machine); `_redis_client` closes a redis-py client alike on every release. A
backend imports its client library itself, so an extra that is not installed fails only when its URL is used.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from ...._urls import shown_url
from .._inbox import Inbox, InboxNotFoundError, InboxURLError

if TYPE_CHECKING:
    from ._postgres_inbox import PostgresInbox
    from ._redis_inbox import RedisInbox
    from ._sqlite_inbox import SQLiteInbox

__all__ = ["open_inbox"]


def open_inbox(url: str, *, create: bool = True) -> Inbox:
    """The inbox a URL names; with ``create=False``, only one that a receiver or a worker has already used.

    - ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``: a file shared by the processes of one
      machine.
    - ``redis://host:port/db`` (``rediss://`` for TLS): Redis Streams, shared by any number of machines. Needs the
      ``redis`` extra.
    - ``postgresql://user:password@host:port/dbname`` (or ``postgres://``), with ``?table=name`` or
      ``?table=schema.name`` for another table than ``up42_inbox``: a table shared by any number of machines.
      Other query parameters go to libpq (``sslmode=require``, ...). Needs the ``postgres`` extra.

    An inbox is created on its first use (the SQLite file and its folder, the Redis keys, the PostgreSQL table).
    With ``create=False``, for a look at what an inbox holds, it is checked at once that there is one, and nothing
    is created.

    Raises:
        InboxURLError: Another scheme, or a URL without the path or host its backend needs.
        InboxNotFoundError: With ``create=False``, there is no inbox at the URL.
    """
    if not isinstance(url, str):
        raise InboxURLError(f"the inbox must be a URL string such as 'sqlite:///inbox.db', not {type(url).__name__}")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "sqlite":
        # SQLAlchemy's spelling: three slashes and a relative path, four for an absolute one.
        if parts.netloc or not parts.path.startswith("/") or parts.path == "/":
            raise InboxURLError(
                f"bad SQLite inbox URL {shown_url(url)!r}: write sqlite:///relative/path.db or "
                "sqlite:////absolute/path.db"
            )
        from ._sqlite_inbox import SQLiteInbox

        return _opened(SQLiteInbox(parts.path[1:]), url, create)
    if parts.scheme in ("redis", "rediss"):
        if not (_port_is_a_number(parts) and parts.hostname):
            raise InboxURLError(f"bad Redis inbox URL {shown_url(url)!r}: write redis://host:port/db")
        from ._redis_inbox import RedisInbox

        return _opened(RedisInbox.from_url(url), url, create)
    if parts.scheme in ("postgresql", "postgres"):
        if not _port_is_a_number(parts):
            raise InboxURLError(
                f"bad PostgreSQL inbox URL {shown_url(url)!r}: write postgresql://user:password@host:port/dbname"
            )
        from ._postgres_inbox import PostgresInbox

        return _opened(PostgresInbox.from_url(url), url, create)
    raise InboxURLError(
        f"unsupported inbox URL {shown_url(url)!r}: use sqlite:///path.db (one machine), redis://host:port/db or"
        " postgresql://user:password@host:port/dbname (many)"
    )


def _port_is_a_number(parts: urllib.parse.SplitResult) -> bool:
    """Whether the URL's port, if any, is a number; a password with an unescaped '/', '?' or '#' makes it not."""
    try:
        parts.port  # noqa: B018 - raises ValueError quoting a port that is no number: a piece of a password?
    except ValueError:
        return False
    return True


def _opened(inbox: SQLiteInbox | RedisInbox | PostgresInbox, url: str, create: bool) -> Inbox:
    """``inbox``; unless ``create``, once it is checked to exist (closed when it does not, or the check fails)."""
    if create:
        return inbox
    try:
        found = inbox.exists()
    except BaseException:
        inbox.close()
        raise
    if not found:
        inbox.close()
        raise InboxNotFoundError(f"no inbox at {shown_url(url)}: no receiver or worker has used it yet")
    return inbox

"""The stores behind de-duplication and the inbox, one module per store and technology.

`_memory` (de-duplication in one process), `_redis_dedupe` and `_redis_inbox` (shared by many machines),
`_sqlite_inbox` (one machine). A backend imports its client library itself, so an extra that is not installed
fails only when its URL is used.
"""

from __future__ import annotations

import urllib.parse

from ...._urls import shown_url
from .._inbox import Inbox, InboxURLError

__all__ = ["open_inbox"]


def open_inbox(url: str) -> Inbox:
    """The inbox a URL names.

    - ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``: a file shared by the processes of one
      machine.
    - ``redis://host:port/db`` (``rediss://`` for TLS): Redis Streams, shared by any number of machines. Needs the
      ``redis`` extra.

    Raises:
        InboxURLError: Another scheme, or a URL without the path or host its backend needs.
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

        return SQLiteInbox(parts.path[1:])
    if parts.scheme in ("redis", "rediss"):
        try:
            parts.port  # noqa: B018 - raises ValueError quoting a port that is no number: a piece of a password?
            usable = bool(parts.hostname)
        except ValueError:
            usable = False
        if not usable:
            raise InboxURLError(f"bad Redis inbox URL {shown_url(url)!r}: write redis://host:port/db")
        from ._redis_inbox import RedisInbox

        return RedisInbox.from_url(url)
    raise InboxURLError(
        f"unsupported inbox URL {shown_url(url)!r}: use sqlite:///path.db (one machine) or redis://host:port/db (many)"
    )

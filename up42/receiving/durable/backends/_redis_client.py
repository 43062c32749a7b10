"""Closing a redis-py client alike on every redis-py release the Redis backends accept."""

from __future__ import annotations

from typing import Any

__all__ = ["close_client"]


def close_client(client: Any) -> None:
    """Close the client and every connection in its pool, whichever thread opened it.

    ``Redis.close()`` before redis-py 5 only gives the client's own connection back to the pool: the sockets that
    other threads opened stay open until the garbage collector finds them and warns about them, in whatever code
    runs at that moment. A client without a pool (a stand-in with only ``close``) is just closed.
    """
    client.close()
    pool = getattr(client, "connection_pool", None)
    if pool is not None:
        pool.disconnect()

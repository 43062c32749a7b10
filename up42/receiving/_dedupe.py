"""Remembering handled messages by `messageId`, so a redelivered message is handled once.

A store *claims* a message id before its handlers run and *releases* it if they fail, so the sender's retry is
handled again while a concurrent duplicate (the same message arriving at two receivers) is not.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from ..errors import InvalidArgumentError

__all__ = ["DEFAULT_TTL", "DedupeStore", "InMemoryDedupeStore", "RedisDedupeStore"]

DEFAULT_TTL = 24 * 60 * 60
"""How long a handled message id is remembered, in seconds. UP42 does not publish how long it retries."""


class DedupeStore(Protocol):
    """Where a `Receiver` remembers message ids. Implement these two methods to use another backend."""

    def claim(self, message_id: str) -> bool:
        """Record the id; return False when it was already recorded (and has not expired)."""
        ...

    def release(self, message_id: str) -> None:
        """Forget the id, so a redelivery of that message is handled again."""
        ...


def _positive(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < float("inf"):
        raise InvalidArgumentError(f"{name} must be a positive number")


class InMemoryDedupeStore:
    """Message ids held in this process for `ttl` seconds, at most `max_entries` of them (oldest dropped first).

    Enough for a single receiver process; several processes behind a load balancer need a shared store such as
    `RedisDedupeStore`. Thread-safe.
    """

    def __init__(
        self, *, ttl: float = DEFAULT_TTL, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        _positive(ttl, "ttl")
        _positive(max_entries, "max_entries")
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, message_id: str) -> bool:
        """Record the id; return False when it is already held."""
        with self._lock:
            now = self._clock()
            # Entries are kept in insertion order and share one TTL, so the expired ones are at the front.
            while self._expiry and next(iter(self._expiry.values())) <= now:
                self._expiry.popitem(last=False)
            if message_id in self._expiry:
                return False
            self._expiry[message_id] = now + self._ttl
            if len(self._expiry) > self._max_entries:
                self._expiry.popitem(last=False)
            return True

    def release(self, message_id: str) -> None:
        """Forget the id."""
        with self._lock:
            self._expiry.pop(message_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)


class RedisClient(Protocol):
    """The two calls `RedisDedupeStore` makes; `redis.Redis` provides them."""

    def set(self, name: str, value: bytes, *, ex: int, nx: bool) -> Any:
        """SET name value EX ex NX."""
        ...

    def delete(self, *names: str) -> Any:
        """DEL names."""
        ...

    def close(self) -> None:
        """Release the client's connections."""
        ...


class RedisDedupeStore:
    """Message ids held in Redis, shared by every receiver process that uses the same server and prefix.

    A claim is one ``SET key 1 NX EX ttl``, atomic on the server, so of two processes receiving the same message
    at the same moment exactly one handles it. Needs the ``redis`` extra (``pip install 'up42-webhooks[redis]'``).

    Examples:
        >>> store = RedisDedupeStore.from_url("redis://localhost:6379/0")  # doctest: +SKIP
        >>> receiver = Receiver(secret, dedupe=store)  # doctest: +SKIP
    """

    def __init__(self, client: RedisClient, *, ttl: int = DEFAULT_TTL, prefix: str = "up42:webhook-message:") -> None:
        """Use an existing client, e.g. ``redis.Redis(host=..., port=...)``."""
        _positive(ttl, "ttl")
        if isinstance(ttl, float):
            raise InvalidArgumentError("ttl must be a whole number of seconds for Redis")
        self._client = client
        self._ttl = ttl
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, ttl: int = DEFAULT_TTL, prefix: str = "up42:webhook-message:") -> RedisDedupeStore:
        """Connect with ``redis.Redis.from_url`` (``redis://host:port/db``, ``rediss://`` for TLS)."""
        try:
            # Imported here so that receiving without Redis does not need the package.
            import redis
        except ImportError as error:
            raise ImportError("RedisDedupeStore needs the redis package: pip install 'up42-webhooks[redis]'") from error
        return cls(redis.Redis.from_url(url), ttl=ttl, prefix=prefix)

    def claim(self, message_id: str) -> bool:
        """Record the id; return False when another claim holds it."""
        return bool(self._client.set(self._prefix + message_id, b"1", ex=self._ttl, nx=True))

    def release(self, message_id: str) -> None:
        """Forget the id."""
        self._client.delete(self._prefix + message_id)

    def close(self) -> None:
        """Close the Redis client's connections."""
        self._client.close()

"""Remembering messages by `messageId`, so a redelivered message is handled once and a lost one is handled again.

A `Receiver` asks its store to *claim* a message id before the handlers run. The store answers with a
`ClaimState`:

- ``claimed``: the id was free (never seen, released, or its holder's lease ran out). It is now held *in progress*
  by the caller's random ``owner`` token for ``lease`` seconds.
- ``in_progress``: another holder's lease is alive; the receiver answers 503 with ``Retry-After``, so the sender
  tries again later instead of taking the message as delivered.
- ``done``: the message was handled; the receiver acknowledges the delivery as a duplicate.

While its handlers run, the holder *renews* the lease (every third of it). Then it either *completes* the claim,
which marks the id done and remembers it for the store's ``ttl``, or *releases* it (a handler failed, or the run
was cancelled or interrupted), which frees the id for the sender's retry. A holder that dies without either
(a process killed with SIGKILL, a lost machine) stops renewing, and the id is free once the lease runs out.

To use another backend, implement the four methods of `DedupeStore`. Each must be atomic across every process
that shares the store: `claim` takes a free or expired id in one step, and `renew` and `release` act only while
the given owner still holds the id. A store may also expose ``ttl`` (seconds a done id is remembered); the
receiver then refuses a store that would forget sooner than its ``max_age``. A store that lacks any of the four
methods is refused too, with an `InvalidArgumentError` that names the missing ones.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from .._checks import check_positive
from ..errors import InvalidArgumentError

__all__ = ["DEFAULT_LEASE", "DEFAULT_TTL", "ClaimState", "DedupeStore", "InMemoryDedupeStore", "RedisDedupeStore"]

DEFAULT_TTL = 24 * 60 * 60 + 5 * 60
"""How long a handled message id is remembered, in seconds: `verify`'s default ``max_age`` plus its ``tolerance``.

A message whose timestamp lies ``tolerance`` ahead stays acceptable for ``max_age + tolerance``; remembering it
that long makes every replay inside the window a duplicate. UP42 does not publish how long it retries.
"""

DEFAULT_LEASE = 30
"""Seconds a claim stays in progress without renewal: how long a message waits after its holder died."""

STORE_METHODS = ("claim", "renew", "complete", "release")
"""The methods of the `DedupeStore` protocol, as `Receiver` checks them."""


class ClaimState(enum.StrEnum):
    """What `DedupeStore.claim` found. A store may return the plain strings too."""

    CLAIMED = "claimed"
    """The id was free; the caller now holds it in progress."""
    IN_PROGRESS = "in_progress"
    """Another holder's lease on the id is alive."""
    DONE = "done"
    """The message was handled and is still remembered."""


class DedupeStore(Protocol):
    """Where a `Receiver` keeps its claims on message ids; see this module's docstring for the contract."""

    def claim(self, message_id: str, owner: str, lease: float) -> ClaimState | str:
        """Hold the id for `owner` for `lease` seconds when it is free or its lease ran out; say what was found."""
        ...

    def renew(self, message_id: str, owner: str, lease: float) -> bool:
        """Extend the lease to `lease` seconds from now; False when `owner` no longer holds the id in progress."""
        ...

    def complete(self, message_id: str) -> None:
        """Mark the id done and remember it for the store's TTL, whoever holds it."""
        ...

    def release(self, message_id: str, owner: str) -> None:
        """Free the id, so a redelivery is handled again; nothing when `owner` no longer holds it in progress."""
        ...


class InMemoryDedupeStore:
    """Claims held in this process: done ids for `ttl` seconds, at most `max_entries` ids (oldest dropped first).

    Enough for a single receiver process; several processes behind a load balancer need a shared store such as
    `RedisDedupeStore`. A message dropped to keep within `max_entries` is forgotten early: a replay of it would
    be handled again. Thread-safe.
    """

    def __init__(
        self, *, ttl: float = DEFAULT_TTL, max_entries: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        check_positive(ttl, "ttl")
        check_positive(max_entries, "max_entries")
        self._ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        # message id -> (owner while in progress, None once done; the time it expires)
        self._entries: OrderedDict[str, tuple[str | None, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def ttl(self) -> float:
        """Seconds a done message id is remembered."""
        return self._ttl

    def claim(self, message_id: str, owner: str, lease: float) -> ClaimState:
        """Hold the id for `owner` unless a live claim or a done mark holds it."""
        with self._lock:
            now = self._clock()
            self._forget_expired(now)
            entry = self._entries.get(message_id)
            if entry is not None and entry[1] > now:
                return ClaimState.IN_PROGRESS if entry[0] is not None else ClaimState.DONE
            self._put(message_id, owner, now + lease)
            return ClaimState.CLAIMED

    def renew(self, message_id: str, owner: str, lease: float) -> bool:
        """Extend `owner`'s live claim."""
        with self._lock:
            now = self._clock()
            entry = self._entries.get(message_id)
            if entry is None or entry[0] != owner or entry[1] <= now:
                return False
            self._entries[message_id] = (owner, now + lease)
            return True

    def complete(self, message_id: str) -> None:
        """Remember the id as done for the TTL."""
        with self._lock:
            self._put(message_id, None, self._clock() + self._ttl)

    def release(self, message_id: str, owner: str) -> None:
        """Forget the id if `owner` still holds it in progress."""
        with self._lock:
            entry = self._entries.get(message_id)
            if entry is not None and entry[0] == owner:
                del self._entries[message_id]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _put(self, message_id: str, owner: str | None, expiry: float) -> None:
        self._entries[message_id] = (owner, expiry)
        self._entries.move_to_end(message_id)
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def _forget_expired(self, now: float) -> None:
        # Entries are kept in the order they were last written. Leases are shorter than the TTL, so an expired
        # entry can sit behind a live one; lookups compare the expiry anyway, and it is dropped once it is in front.
        while self._entries and next(iter(self._entries.values()))[1] <= now:
            self._entries.popitem(last=False)


class RedisClient(Protocol):
    """The calls `RedisDedupeStore` makes; `redis.Redis` provides them."""

    def set(self, name: str, value: bytes, *, px: int) -> Any:
        """SET name value PX px."""
        ...

    def eval(self, script: str, numkeys: int, *keys_and_args: str | bytes | int) -> Any:
        """EVAL script numkeys keys... args..."""
        ...

    def close(self) -> None:
        """Release the client's connections."""
        ...


# A claim value is b"claimed:" + the owner token while in progress, and b"done" once handled.
_DONE = b"done"
_CLAIMED = b"claimed:"

# Each script runs atomically on the server, so no other client acts between its read and its write.
_CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


class RedisDedupeStore:
    """Claims held in Redis, shared by every receiver process that uses the same server and prefix.

    A claim is one key: ``SET key claimed:<owner> NX PX <lease>`` takes it atomically on the server, so of two
    processes receiving the same message at the same moment exactly one handles it; the key expires with the
    lease when its holder dies. Completing sets it to ``done`` with the TTL. Renewing and releasing are small Lua
    scripts that act only while the key still holds the caller's owner token. Needs the ``redis`` extra
    (``pip install 'up42-webhooks[redis]'``) and a server that runs Lua scripts (``EVAL``).

    Examples:
        >>> store = RedisDedupeStore.from_url("redis://localhost:6379/0")  # doctest: +SKIP
        >>> receiver = Receiver(secret, dedupe=store)  # doctest: +SKIP
    """

    def __init__(self, client: RedisClient, *, ttl: int = DEFAULT_TTL, prefix: str = "up42:webhook-message:") -> None:
        """Use an existing client, e.g. ``redis.Redis(host=..., port=...)``."""
        check_positive(ttl, "ttl")
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

    @property
    def ttl(self) -> int:
        """Seconds a done message id is remembered."""
        return self._ttl

    def claim(self, message_id: str, owner: str, lease: float) -> ClaimState:
        """Hold the id for `owner` unless a live claim or a done mark holds it."""
        found = self._client.eval(_CLAIM, 1, self._prefix + message_id, _CLAIMED + owner.encode(), _milliseconds(lease))
        if found is None:
            return ClaimState.CLAIMED
        return ClaimState.DONE if found == _DONE else ClaimState.IN_PROGRESS

    def renew(self, message_id: str, owner: str, lease: float) -> bool:
        """Extend `owner`'s live claim."""
        key = self._prefix + message_id
        return bool(self._client.eval(_RENEW, 1, key, _CLAIMED + owner.encode(), _milliseconds(lease)))

    def complete(self, message_id: str) -> None:
        """Remember the id as done for the TTL."""
        self._client.set(self._prefix + message_id, _DONE, px=self._ttl * 1000)

    def release(self, message_id: str, owner: str) -> None:
        """Delete the key if `owner` still holds it in progress."""
        self._client.eval(_RELEASE, 1, self._prefix + message_id, _CLAIMED + owner.encode())

    def close(self) -> None:
        """Close the Redis client's connections."""
        self._client.close()

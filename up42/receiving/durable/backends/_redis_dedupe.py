"""De-duplication in Redis, shared by every receiver process that uses the same server and key prefix."""

from __future__ import annotations

from typing import Any, Protocol

from ...._checks import check_positive
from ...._extras import needs_extra
from ....errors import InvalidArgumentError
from .._dedupe import DEFAULT_TTL, ClaimState
from ._redis_client import close_client


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
        # Imported here so that receiving without Redis does not need the package.
        with needs_extra("redis"):
            import redis
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
        """Close the Redis client's connections, those of every thread that used it."""
        close_client(self._client)

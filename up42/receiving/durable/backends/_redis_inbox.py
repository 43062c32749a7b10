"""The inbox on Redis Streams, shared by receivers and workers on any number of machines.

Keys, under a prefix (``up42:inbox:`` by default):

- ``m:<messageId>``, a hash: the message (event, body) and its state (status, attempts, error, note, times, and
  the stream entry that currently carries it).
- ``stream``, a stream with one consumer group, ``workers``: one entry per message waiting for or held by a
  worker. ``XREADGROUP`` hands each new entry to one worker; the group's pending list remembers who holds it and
  since when. ``XAUTOCLAIM`` gives an entry whose holder stayed silent longer than the lease (it died) to another
  worker, and the holder keeps its lease alive with ``XCLAIM ... JUSTID``, which resets the entry's idle time.
  Settling ``XACK``s and ``XDEL``s the entry, so the stream holds only unsettled work.
- ``delayed``, a sorted set of retries by due time, moved back into the stream once due (Streams have no delay).
- ``all``, ``done`` and ``failed``, sorted sets by time, for listing, pruning and replaying.

Each change that reads before it writes is a Lua script, which Redis runs atomically. Every time is the Redis
server's own (``TIME``, and the idle times ``XAUTOCLAIM`` judges), never a worker's, so workers whose clocks
disagree still agree on leases, backoffs and retention. A script touches keys derived from the prefix, so the inbox
wants one Redis server (or one Cluster hash slot), not a spread Cluster. It needs Redis 6.2 or later, for
``XAUTOCLAIM``; a take from an older server raises a `redis.ResponseError` that says so.
How much an acknowledged message survives is Redis's persistence setting: with ``appendonly yes`` and
``appendfsync always`` a stored message survives a crash of the server too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...._extras import needs_extra

with needs_extra("redis"):
    import redis

from .._inbox import DIED, InboxRecord, InboxStatus, Taken, report_failed_at_take
from ._redis_client import close_client

__all__ = ["RedisInbox"]

GROUP = "workers"
PROMOTE_BATCH = 100

# What every script starts with: ``now``, seconds since the epoch by the Redis server's clock. A script that reads
# TIME and then writes must be replicated by its effects, not run again on the replicas; that is Redis 7's only mode
# and the default since 5, and replicate_commands asks for it where a server was configured otherwise.
_CLOCK = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
"""

# KEYS: hash, stream, all. ARGV: id, event, body.
_PUT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local entry = redis.call('XADD', KEYS[2], '*', 'id', ARGV[1])
redis.call('HSET', KEYS[1], 'event', ARGV[2], 'body', ARGV[3], 'status', 'pending', 'attempts', 0,
    'received_at', now, 'updated_at', now, 'due_at', now, 'entry', entry)
redis.call('ZADD', KEYS[3], now, ARGV[1])
return 1
"""

# KEYS: delayed, stream. ARGV: prefix, batch.
_PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ARGV[2])
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local entry = redis.call('XADD', KEYS[2], '*', 'id', id)
  redis.call('HSET', ARGV[1] .. 'm:' .. id, 'entry', entry)
end
return #due
"""

# KEYS: hash, stream, failed. ARGV: entry, owner, group, max attempts, the DIED format, id.
# An entry that no longer carries its message (settled, replayed since, or pruned) is dropped, not run. A message
# still marked running was taken over from a worker whose lease ran out: it keeps why. One that had its attempts
# is failed instead of run again.
_START = """
local state = redis.call('HMGET', KEYS[1], 'entry', 'body', 'status', 'owner', 'attempts')
if state[1] ~= ARGV[1] then
  redis.call('XACK', KEYS[2], ARGV[3], ARGV[1])
  redis.call('XDEL', KEYS[2], ARGV[1])
  return false
end
local attempts = tonumber(state[5])
if state[3] == 'running' then
  redis.call('HSET', KEYS[1], 'error', string.format(ARGV[5], state[4] or '?', attempts, tonumber(ARGV[4])))
end
if attempts >= tonumber(ARGV[4]) then
  redis.call('XACK', KEYS[2], ARGV[3], ARGV[1])
  redis.call('XDEL', KEYS[2], ARGV[1])
  redis.call('HSET', KEYS[1], 'status', 'failed', 'updated_at', now, 'due_at', now, 'entry', '')
  redis.call('HDEL', KEYS[1], 'owner')
  redis.call('ZADD', KEYS[3], now, ARGV[6])
  return {'failed', redis.call('HGET', KEYS[1], 'error') or '', attempts}
end
redis.call('HSET', KEYS[1], 'status', 'running', 'owner', ARGV[2], 'updated_at', now)
return {'running', state[2], redis.call('HINCRBY', KEYS[1], 'attempts', 1)}
"""

# KEYS: stream. ARGV: group, owner, entries... Renews only the entries the group's pending list gives to owner.
_RENEW = """
local kept = {}
for i = 3, #ARGV do
  local held = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #held == 1 and held[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept[#kept + 1] = 1
  else
    kept[#kept + 1] = 0
  end
end
return kept
"""

# KEYS: stream, hash, index (done, delayed or failed). ARGV: group, owner, entry, status, delay, error, note, id,
# change of attempts. Applies only while owner still holds the entry.
_SETTLE = """
local held = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #held == 0 or held[1][2] ~= ARGV[2] then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
local due = now + tonumber(ARGV[5])
redis.call('HSET', KEYS[2], 'status', ARGV[4], 'updated_at', now, 'due_at', due, 'entry', '')
redis.call('HDEL', KEYS[2], 'owner')
redis.call('HINCRBY', KEYS[2], 'attempts', ARGV[9])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[2], 'error', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[2], 'note', ARGV[7]) else redis.call('HDEL', KEYS[2], 'note') end
redis.call('ZADD', KEYS[3], due, ARGV[8])
return 1
"""

# KEYS: hash, stream, done, failed, delayed. ARGV: id.
# Running messages are left to their worker; a pending one already in the stream needs nothing.
_REPLAY = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if status == 'running' or (status == 'pending' and not redis.call('ZSCORE', KEYS[5], ARGV[1])) then
  return status
end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
local entry = redis.call('XADD', KEYS[2], '*', 'id', ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'pending', 'attempts', 0, 'due_at', now, 'updated_at', now, 'entry', entry)
return status
"""

# KEYS: done, all. ARGV: age, prefix, batch.
_PRUNE = """
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'LIMIT', 0, ARGV[3])
for _, id in ipairs(old) do
  redis.call('DEL', ARGV[2] .. 'm:' .. id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return #old
"""

_FIELDS = ("event", "status", "attempts", "error", "received_at", "updated_at", "due_at", "note")


class RedisInbox:
    """An `Inbox` on Redis Streams; see this module's docstring for the keys and commands."""

    def __init__(self, client: redis.Redis, *, prefix: str = "up42:inbox:") -> None:
        """Use an existing client, e.g. ``redis.Redis(host=..., port=...)``."""
        # Any: redis-py types every reply as the union of all replies, which says nothing about these commands.
        self._client: Any = client
        self._prefix = prefix
        self._stream = prefix + "stream"
        self._group_ready = False
        self._scripts = {
            name: client.register_script(_CLOCK + source)
            for name, source in {
                "put": _PUT,
                "promote": _PROMOTE,
                "start": _START,
                "renew": _RENEW,
                "settle": _SETTLE,
                "replay": _REPLAY,
                "prune": _PRUNE,
            }.items()
        }

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "up42:inbox:") -> RedisInbox:
        """Connect with ``redis.Redis.from_url``; short timeouts, so a receiver answers 503 soon when Redis is gone."""
        return cls(redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10), prefix=prefix)

    def __repr__(self) -> str:
        return f"RedisInbox(prefix={self._prefix!r})"

    def _key(self, name: str) -> str:
        return self._prefix + name

    def _message(self, message_id: str) -> str:
        return self._prefix + "m:" + message_id

    def _script(self, name: str, keys: Sequence[str], args: Sequence[str | bytes | int | float]) -> Any:
        return self._scripts[name](keys=list(keys), args=list(args))

    def put(self, message_id: str, event: str, body: bytes) -> bool:
        """Store the hash and append a stream entry, unless the id is held."""
        keys = (self._message(message_id), self._stream, self._key("all"))
        return bool(self._script("put", keys, (message_id, event, body)))

    def take(self, owner: str, lease: float, limit: int, max_attempts: int) -> list[Taken]:
        """Move due retries into the stream, take over entries idle past the lease, then read new ones."""
        self._ensure_group()
        try:
            return self._take(owner, lease, limit, max_attempts)
        except redis.ResponseError as error:
            # The group is gone (a Redis restarted without persistence): make it again on the next take.
            if "NOGROUP" in str(error):
                self._group_ready = False
            # Quoted 'so' by Redis 7 and `so` by Redis 6.0.
            if "unknown command" in str(error) and "XAUTOCLAIM" in str(error).upper():
                raise redis.ResponseError(
                    "the Redis inbox needs Redis 6.2 or later (XAUTOCLAIM); this server does not know XAUTOCLAIM"
                ) from error
            raise

    def _take(self, owner: str, lease: float, limit: int, max_attempts: int) -> list[Taken]:
        self._script("promote", (self._key("delayed"), self._stream), (self._prefix, PROMOTE_BATCH))
        lease_ms = max(1, round(lease * 1000))
        reply = self._client.xautoclaim(self._stream, GROUP, owner, lease_ms, "0-0", count=limit)
        entries: list[tuple[bytes, dict[bytes, bytes]]] = list(reply[1])
        if len(entries) < limit:
            streams = self._client.xreadgroup(GROUP, owner, {self._stream: ">"}, count=limit - len(entries))
            for _, fresh in streams or ():
                entries.extend(fresh)
        taken = []
        for entry, fields in entries:
            message_id = fields[b"id"].decode()
            keys = (self._message(message_id), self._stream, self._key("failed"))
            started = self._script("start", keys, (entry, owner, GROUP, max_attempts, DIED, message_id))
            if not started:
                continue
            state, value, attempts = started
            if state == b"failed":
                report_failed_at_take(message_id, int(attempts), value.decode())
            else:
                taken.append(Taken(message_id, bytes(value), int(attempts), entry.decode()))
        return taken

    def renew(self, taken: Sequence[Taken], owner: str, lease: float) -> list[bool]:
        """Reset the idle time of each entry `owner` still holds (XCLAIM JUSTID)."""
        if not taken:
            return []
        kept = self._script("renew", (self._stream,), (GROUP, owner, *(message.token for message in taken)))
        return [bool(flag) for flag in kept]

    def complete(self, taken: Taken, owner: str, note: str | None = None) -> bool:
        """Acknowledge the entry and mark the message done."""
        return self._settle(taken, owner, InboxStatus.DONE, "done", note=note or "")

    def retry(self, taken: Taken, owner: str, error: str, delay: float) -> bool:
        """Acknowledge the entry and park the message in ``delayed`` until its backoff passes."""
        return self._settle(taken, owner, InboxStatus.PENDING, "delayed", error, delay)

    def fail(self, taken: Taken, owner: str, error: str) -> bool:
        """Acknowledge the entry and mark the message failed."""
        return self._settle(taken, owner, InboxStatus.FAILED, "failed", error)

    def release(self, taken: Taken, owner: str) -> bool:
        """Acknowledge the entry and park the message in ``delayed``, due now (the next take moves it back)."""
        return self._settle(taken, owner, InboxStatus.PENDING, "delayed", attempts=-1)

    def _settle(
        self,
        taken: Taken,
        owner: str,
        status: InboxStatus,
        index: str,
        error: str = "",
        delay: float = 0.0,
        note: str = "",
        attempts: int = 0,
    ) -> bool:
        keys = (self._stream, self._message(taken.message_id), self._key(index))
        args = (GROUP, owner, taken.token, status.value, repr(delay), error, note, taken.message_id, attempts)
        return bool(self._script("settle", keys, args))

    def get(self, message_id: str) -> InboxRecord | None:
        """The hash with its body."""
        values = self._client.hmget(self._message(message_id), [*_FIELDS, "body"])
        return _record(message_id, values) if values[0] is not None else None

    def records(self, status: InboxStatus | None = None, limit: int | None = None) -> list[InboxRecord]:
        """Newest first (by ``all``), bodies left out."""
        ids = [raw.decode() for raw in self._client.zrevrange(self._key("all"), 0, -1)]
        found: list[InboxRecord] = []
        # In pages, so a large inbox is read in a few round trips and a limit stops early.
        for start in range(0, len(ids), 500):
            page = ids[start : start + 500]
            pipeline = self._client.pipeline(transaction=False)
            for message_id in page:
                pipeline.hmget(self._message(message_id), list(_FIELDS))
            for message_id, values in zip(page, pipeline.execute(), strict=True):
                if values[0] is None:
                    continue  # pruned between the two reads
                record = _record(message_id, values)
                if status is None or record.status is status:
                    found.append(record)
                    if limit is not None and len(found) >= limit:
                        return found
        return found

    def replay(self, message_id: str) -> InboxStatus | None:
        """Back to pending with a new stream entry, unless running."""
        self._ensure_group()
        keys = (
            self._message(message_id),
            self._stream,
            self._key("done"),
            self._key("failed"),
            self._key("delayed"),
        )
        status = self._script("replay", keys, (message_id,))
        return InboxStatus(status.decode()) if status else None

    def failed(self) -> list[str]:
        """Every failed message's id."""
        return [raw.decode() for raw in self._client.zrange(self._key("failed"), 0, -1)]

    def prune(self, age: float) -> int:
        """Delete done messages settled at least `age` seconds ago, in batches."""
        total = 0
        while True:
            removed = int(self._script("prune", (self._key("done"), self._key("all")), (repr(age), self._prefix, 1000)))
            total += removed
            if removed < 1000:
                return total

    def exists(self) -> bool:
        """Whether a receiver or a worker has used the inbox: its stream (kept once made) or its index is there."""
        return bool(self._client.exists(self._stream, self._key("all")))

    def close(self) -> None:
        """Close the client's connections, those of every thread that used it."""
        close_client(self._client)

    def _ensure_group(self) -> None:
        # From the stream's start ("0"), so entries added before any worker existed are delivered too.
        if self._group_ready:
            return
        try:
            self._client.xgroup_create(self._stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True


def _record(message_id: str, values: Sequence[Any]) -> InboxRecord:
    event, status, attempts, error, received_at, updated_at, due_at, note, *body = values
    return InboxRecord(
        message_id=message_id,
        event=event.decode(),
        status=InboxStatus(status.decode()),
        attempts=int(attempts),
        error=error.decode() if error else None,
        received_at=float(received_at),
        updated_at=float(updated_at),
        due_at=float(due_at),
        note=note.decode() if note else None,
        body=bytes(body[0]) if body and body[0] else b"",
    )

"""De-duplication held in this process: the default store of a `Receiver` without an inbox."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from ...._checks import check_positive
from .._dedupe import DEFAULT_TTL, ClaimState


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

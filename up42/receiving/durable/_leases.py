"""`Renewer`: keeps the leases a holder has on messages alive, from one daemon thread, whatever the holder.

A receiver holds claims in its de-duplication store while its handlers run; a worker holds leases on the messages
of its inbox. Both are renewed here, every third of a lease, so that one failed round is survived. A thread, not a
task of an event loop: `Receiver.handle` runs without a loop, and a coroutine handler that blocks a worker's loop
must not lose its lease meanwhile. The thread runs while anything is held and is started again by the next `hold`
(in a forked child too, which inherits no thread).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Generic, TypeVar

__all__ = ["Renewer"]

S = TypeVar("S")
T = TypeVar("T")


def _always(held: Sequence[object]) -> bool:
    return True


class Renewer(Generic[S, T]):
    """Renews the leases held in `store` every third of `lease`, from a daemon thread that runs while any is held.

    Args:
        store: Where the leases are; the holder reaches it here too.
        lease: Seconds a lease lasts without renewal.
        renew: Given the store, the held items and the lease, renews them and returns those whose lease was lost.
            When the store fails it logs and returns none of them: the next round tries again.
        lost: Told of each lost lease, after it is no longer held.
        key: Names an item's lease (``id`` when each item is one): holding a second item under the same key
            replaces the first.
    """

    def __init__(
        self,
        store: S,
        lease: float,
        renew: Callable[[S, Sequence[T], float], Iterable[T]],
        lost: Callable[[T], None],
        key: Callable[[T], Hashable],
    ) -> None:
        self.store = store
        self.lease = lease
        self._renew = renew
        self._lost = lost
        self._key = key
        self._held: dict[Hashable, T] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, item: T) -> None:
        """Renew the lease of `item` until it is dropped or lost."""
        with self._lock:
            self._held[self._key(item)] = item
            # After a fork the child has no renewing thread, though the parent's Thread object says otherwise.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="up42-lease-renewer", daemon=True)
                self._thread.start()

    def drop(self, item: T) -> bool:
        """Stop renewing `item`; False when it was no longer held (dropped, lost or replaced before)."""
        with self._lock:
            return self._drop(item)

    def drop_all(self, when: Callable[[Sequence[T]], bool] = _always) -> list[T]:
        """Stop renewing every item, if `when` holds of them all (checked under the same lock); the items dropped."""
        with self._lock:
            held = list(self._held.values())
            if not when(held):
                return []
            self._held.clear()
        return held

    def _drop(self, item: T) -> bool:
        key = self._key(item)
        if self._held.get(key) is not item:
            return False
        del self._held[key]
        return True

    def _run(self) -> None:
        while True:
            time.sleep(self.lease / 3)
            with self._lock:
                held = list(self._held.values())
                if not held:
                    self._thread = None
                    return
            lost = list(self._renew(self.store, held, self.lease))
            with self._lock:
                # An item dropped since the list was taken is not lost: its holder let go of it.
                lost = [item for item in lost if self._drop(item)]
            for item in lost:
                self._lost(item)

"""A receiver's side of a claim: keep its lease alive while the handlers run, then complete or release it once.

Whatever ends a run (the handlers returning or raising, a cancellation, an interrupt) settles the claim, so a
message is never left held by a holder that is still alive. A sync handler that `handle_async` runs in a worker
thread cannot be stopped by a cancellation; its claim is settled only when that thread returns, so a redelivery
never runs beside it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator

from ._dedupe import DedupeStore

__all__ = ["NO_CLAIM", "Claim", "HeldClaim", "Renewer"]

logger = logging.getLogger("up42")


class Renewer:
    """Renews the leases a receiver holds, every third of a lease, from one daemon thread that runs while any is."""

    def __init__(self, store: DedupeStore, lease: float) -> None:
        self.store = store
        self.lease = lease
        self._held: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, message_id: str, owner: str) -> None:
        """Keep this claim alive until `drop`."""
        with self._lock:
            self._held.add((message_id, owner))
            # After a fork the child has no renewing thread, though the parent's Thread object says otherwise.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="up42-claim-renewer", daemon=True)
                self._thread.start()

    def drop(self, message_id: str, owner: str) -> None:
        """Stop renewing this claim."""
        with self._lock:
            self._held.discard((message_id, owner))

    def _run(self) -> None:
        while True:
            time.sleep(self.lease / 3)
            with self._lock:
                held = list(self._held)
                if not held:
                    self._thread = None
                    return
            for message_id, owner in held:
                self._renew(message_id, owner)

    def _renew(self, message_id: str, owner: str) -> None:
        try:
            kept = self.store.renew(message_id, owner, self.lease)
        except Exception:
            # The next round tries again; two failures in a row let the lease run out.
            logger.exception("could not renew the claim on message %s", message_id)
            return
        with self._lock:
            # A claim settled since the list was taken is not renewed and needs no warning.
            lost = not kept and (message_id, owner) in self._held
            if lost:
                self._held.discard((message_id, owner))
        if lost:
            logger.warning(
                "the claim on message %s ran out while its handlers ran; another receiver may handle it too",
                message_id,
            )


class Claim:
    """No claim at all: what a receiver without de-duplication holds. Renewing and settling it do nothing."""

    def keep_alive(self) -> None:
        """Renew the lease until the claim is settled."""

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[None]:
        """Wrap a handler run in a worker thread, so that the claim outlives it."""
        yield

    def settle(self, handled: bool) -> None:
        """Complete the claim when `handled`, else release it."""


NO_CLAIM = Claim()


class HeldClaim(Claim):
    """A claim this receiver holds on a message, renewed until it is settled."""

    def __init__(self, renewer: Renewer, message_id: str, owner: str) -> None:
        self._renewer = renewer
        self._message_id = message_id
        self._owner = owner
        self._lock = threading.Lock()
        self._threads = 0
        self._deferred = False

    def keep_alive(self) -> None:
        """Renew the lease until the claim is settled.

        Called by the run that settles the claim, not where the claim is made: a claim whose run was cancelled
        before it began is never renewed, only released.
        """
        self._renewer.hold(self._message_id, self._owner)

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[None]:
        """Wrap a handler run in a worker thread: a settle asked for meanwhile waits until it returns."""
        with self._lock:
            self._threads += 1
        try:
            yield
        finally:
            with self._lock:
                self._threads -= 1
                deferred = self._deferred and not self._threads
            if deferred:
                # The run was cancelled while this thread went on, so the handlers did not all succeed.
                self._settle(handled=False)

    def settle(self, handled: bool) -> None:
        """Complete the claim when `handled`, else release it; later if a handler's thread still runs."""
        with self._lock:
            if self._threads:
                self._deferred = True
                return
        self._settle(handled)

    def _settle(self, handled: bool) -> None:
        self._renewer.drop(self._message_id, self._owner)
        try:
            if handled:
                self._renewer.store.complete(self._message_id)
            else:
                self._renewer.store.release(self._message_id, self._owner)
        except Exception:
            # Never lost either way: an unreleased claim frees itself when its lease runs out, and an uncompleted
            # one lets a late redelivery run the handlers again.
            logger.exception(
                "could not %s the claim on message %s; it is freed when its lease runs out",
                "complete" if handled else "release",
                self._message_id,
            )

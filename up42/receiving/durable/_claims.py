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
from collections.abc import Iterator, Sequence

from ._dedupe import DedupeStore
from ._leases import Renewer

__all__ = ["NO_CLAIM", "Claim", "HeldClaim", "claim_renewer"]

logger = logging.getLogger("up42")


def claim_renewer(store: DedupeStore, lease: float) -> Renewer[DedupeStore, HeldClaim]:
    """The renewer of a receiver's claims in `store`, each lasting `lease` seconds without renewal."""
    return Renewer(store, lease, _renew, _lost, key=id)


def _renew(store: DedupeStore, held: Sequence[HeldClaim], lease: float) -> Iterator[HeldClaim]:
    """Renew each claim; the claims lost."""
    for claim in held:
        try:
            kept = store.renew(claim.message_id, claim.owner, lease)
        except Exception:
            # The next round tries again; two failures in a row let the lease run out.
            logger.exception("could not renew the claim on message %s", claim.message_id)
            continue
        if not kept:
            yield claim


def _lost(claim: HeldClaim) -> None:
    logger.warning(
        "the claim on message %s ran out while its handlers ran; another receiver may handle it too",
        claim.message_id,
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

    def __init__(self, renewer: Renewer[DedupeStore, HeldClaim], message_id: str, owner: str) -> None:
        self._renewer = renewer
        self.message_id = message_id
        self.owner = owner
        self._lock = threading.Lock()
        self._threads = 0
        self._deferred = False

    def keep_alive(self) -> None:
        """Renew the lease until the claim is settled.

        Called by the run that settles the claim, not where the claim is made: a claim whose run was cancelled
        before it began is never renewed, only released.
        """
        self._renewer.hold(self)

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
        self._renewer.drop(self)
        try:
            if handled:
                self._renewer.store.complete(self.message_id)
            else:
                self._renewer.store.release(self.message_id, self.owner)
        except Exception:
            # Never lost either way: an unreleased claim frees itself when its lease runs out, and an uncompleted
            # one lets a late redelivery run the handlers again.
            logger.exception(
                "could not %s the claim on message %s; it is freed when its lease runs out",
                "complete" if handled else "release",
                self.message_id,
            )

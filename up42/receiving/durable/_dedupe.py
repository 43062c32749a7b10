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
from typing import Protocol

__all__ = ["DEFAULT_LEASE", "DEFAULT_TTL", "ClaimState", "DedupeStore"]

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

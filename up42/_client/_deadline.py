"""The deadline of one SDK call: when it must be over, and which call is in progress. No I/O."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from contextvars import ContextVar

import httpx

from ..errors import APITimeoutError


class Deadline:
    """When the SDK call in progress must be over. No I/O."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; zero or less once the deadline has passed."""
        return self._at - time.monotonic()

    def expired(self, what: str, attempts: int) -> APITimeoutError:
        """The error of a call whose deadline passed while ``what`` was in flight."""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        return APITimeoutError(
            f"{what} did not complete within the call's deadline of {self.seconds:g} s{tries}", attempts=attempts
        )

    def check(self, what: str, attempts: int) -> None:
        """Raise `expired` once the deadline has passed."""
        if self.remaining() <= 0:
            raise self.expired(what, attempts)

    def bounded(self, timeout: float | None, passed: Callable[[], Exception]) -> float:
        """``timeout`` (None: none), or the seconds left when fewer; raises ``passed()`` once none are left."""
        left = self.remaining()
        if left <= 0:
            raise passed()
        return left if timeout is None else min(timeout, left)

    def capped(self, timeout: httpx.Timeout, longest: float, what: str, attempts: int) -> httpx.Timeout:
        """Each phase's timeout, no longer than the time left; ``longest``: the longest phase (inf: one unbounded).

        Raises `expired` (naming ``what`` and its ``attempts``) when no time is left.
        """
        if self.remaining() >= longest > 0:
            return timeout  # nothing to shorten, the usual case: no new object for every attempt
        passed = functools.partial(self.expired, what, attempts)
        return httpx.Timeout(
            connect=self.bounded(timeout.connect, passed),
            read=self.bounded(timeout.read, passed),
            write=self.bounded(timeout.write, passed),
            pool=self.bounded(timeout.pool, passed),
        )


# The deadline of the SDK call running in this thread or task; every request it makes shares it.
current_deadline: ContextVar[Deadline | None] = ContextVar("up42_deadline", default=None)

"""When to send a request again, and after how long. No I/O: the transports ask and then sleep themselves.

The policy:
- 429 is retried for every method: the server refused the request without processing it. ``Retry-After`` (seconds
  or an HTTP date) is honoured up to ``retry_after_max``; a longer wait is not slept through but raised at once.
- 408, 5xx, timeouts and broken connections are retried only for idempotent calls (GET, PUT, DELETE, and the token
  request), since a POST that reached the server may have created a webhook or sent test deliveries already.
- Any call is retried when the request provably never left: the connection could not be opened, or no pooled
  connection became free. A failed TLS handshake is not: a certificate that is not trusted, or a server that
  does not speak TLS, fails the same way every time.
- Waits grow exponentially with full jitter (uniform between 0 and ``min(backoff_max, backoff_base * 2**n)``).
- A wait that would outlast the call's deadline (the ``budget`` left) is not slept through: the failure at hand
  is raised at once, as when the retries run out.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time
from collections.abc import Awaitable, Callable

import httpx

from .._backoff import backoff
from .._checks import is_number, is_whole
from ..errors import InvalidArgumentError
from ._responses import Answer, retry_after
from ._unreachable import tls_failure

logger = logging.getLogger("up42")


async def _asyncio_sleep(seconds: float) -> None:
    # asyncio is imported where it is used: up front it is about a quarter of what `import up42` adds to httpx.
    import asyncio

    await asyncio.sleep(seconds)


# The transports look these up at call time, so tests can replace them.
sleep: Callable[[float], None] = time.sleep
asleep: Callable[[float], Awaitable[None]] = _asyncio_sleep

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Failures that happen before a single byte of the request is sent.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclasses.dataclass(frozen=True)
class RetryRules:
    """How often and how long to retry; ``max_retries=0`` disables retries."""

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0
    rand: Callable[[], float] = dataclasses.field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not is_whole(self.max_retries) or self.max_retries < 0:
            raise InvalidArgumentError(f"max_retries must be an integer >= 0, got {self.max_retries!r}")
        for name in ("backoff_base", "backoff_max", "retry_after_max"):
            value = getattr(self, name)
            if not is_number(value) or value < 0:
                raise InvalidArgumentError(f"{name} must be a number of seconds >= 0, got {value!r}")

    def start(self, method: str, path: str, *, idempotent: bool | None = None) -> Attempts:
        """Begin counting the attempts of one call."""
        safe = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent
        return Attempts(self, method, path, safe)

    def backoff(self, retry: int) -> float:
        """The jittered wait before retry number ``retry`` (0-based)."""
        return self.rand() * backoff(retry, first=self.backoff_base, cap=self.backoff_max)


class Attempts:
    """The attempts of one call: says after each outcome whether to try again, and how long to wait first."""

    __slots__ = ("_idempotent", "_method", "_path", "_policy", "count")

    def __init__(self, policy: RetryRules, method: str, path: str, idempotent: bool) -> None:
        self._policy = policy
        self._method = method
        self._path = path
        self._idempotent = idempotent
        self.count = 1

    def after_response(self, response: Answer, *, budget: float | None = None) -> float | None:
        """The wait before the next attempt, or None to keep this response; ``budget``: seconds left, if bounded."""
        status = response.status_code
        if status != 429 and not ((status >= 500 or status == 408) and self._idempotent):
            return None
        hint = retry_after(response.header("retry-after"))
        if hint is not None and hint > self._policy.retry_after_max:
            return None
        return self._next(f"HTTP {status}", hint, budget)

    def after_error(self, error: httpx.HTTPError, *, budget: float | None = None) -> float | None:
        """The wait before the next attempt, or None to raise this error; ``budget``: seconds left, if bounded."""
        if not (isinstance(error, NEVER_SENT) or (self._idempotent and isinstance(error, httpx.TransportError))):
            return None
        if tls_failure(error):  # a certificate refused or a server without TLS: the next handshake fails alike
            return None
        return self._next(type(error).__name__, None, budget)

    def _next(self, reason: str, hint: float | None, budget: float | None) -> float | None:
        if self.count > self._policy.max_retries:
            return None
        delay = hint if hint is not None else self._policy.backoff(self.count - 1)
        if budget is not None and delay >= budget:
            logger.debug(
                "not retrying %s %s: waiting %.2f s would pass the deadline (%s)",
                self._method.upper(),
                self._path,
                delay,
                reason,
            )
            return None
        self.count += 1
        logger.debug(
            "retrying %s %s in %.2f s (attempt %d of %d): %s",
            self._method.upper(),
            self._path,
            delay,
            self.count,
            self._policy.max_retries + 1,
            reason,
        )
        return delay

"""Fault injection for testing client code: added latency, a request rate limit, and random 503s.

All three are off by default. They apply to the token, userinfo and API paths alike and never to the sandbox's
own ``/sandbox/`` paths and its dashboard, so a test can always read the delivery log. Faults strike before the
request is processed: a 429 or 503 has changed nothing.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import math
import random
import time
from collections.abc import Callable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from up42._contract import envelope

# The sandbox's own tools: its API and its dashboard.
TOOL_PREFIXES = ("/sandbox/", "/dashboard")


@dataclasses.dataclass(frozen=True)
class Faults:
    """What to inject.

    Attributes:
        fail_rate: The fraction of requests (0 to 1) answered 503 before anything is processed.
        rate_limit: More than this many requests within one second are answered 429 with ``Retry-After``.
        latency: Milliseconds added before every request is handled.
    """

    fail_rate: float = 0.0
    rate_limit: int | None = None
    latency: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError(f"fail_rate must be between 0 and 1, got {self.fail_rate}")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError(f"rate_limit must be at least 1 request per second, got {self.rate_limit}")
        if self.latency < 0:
            raise ValueError(f"latency must not be negative, got {self.latency}")


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(envelope(code, message), status_code=status, headers=headers)


class FaultInjection:
    """ASGI middleware applying `Faults` in front of the app."""

    def __init__(
        self,
        app: ASGIApp,
        faults: Faults,
        *,
        chance: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._app = app
        self._faults = faults
        self._chance = chance
        self._clock = clock
        self._recent: collections.deque[float] = collections.deque()

    def _over_limit(self, limit: int) -> float | None:
        """Seconds until a request would be allowed again, or None if this one is within the limit."""
        now = self._clock()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= limit:
            return 1.0 - (now - self._recent[0])
        self._recent.append(now)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["path"].startswith(TOOL_PREFIXES):
            await self._app(scope, receive, send)
            return
        faults = self._faults
        if faults.latency:
            await asyncio.sleep(faults.latency / 1000)
        if faults.rate_limit is not None:
            wait = self._over_limit(faults.rate_limit)
            if wait is not None:
                retry_after = str(max(1, math.ceil(wait)))
                message = f"more than {faults.rate_limit} requests per second; retry after {retry_after} s"
                await _error(429, "TOO_MANY_REQUESTS", message, {"Retry-After": retry_after})(scope, receive, send)
                return
        if faults.fail_rate and self._chance() < faults.fail_rate:
            message = "the sandbox injected this failure (--fail-rate); nothing was processed"
            await _error(503, "SERVICE_UNAVAILABLE", message)(scope, receive, send)
            return
        await self._app(scope, receive, send)

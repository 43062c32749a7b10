"""The one place that sends requests: bearer auth, timeouts, limits, User-Agent, retries and error mapping.

Requests are built and responses parsed by the generated code (`up42_api`); this module only moves them over
the wire and turns transport failures into SDK errors. The sync and async transports differ only in the I/O.

Each transport sends through one httpx client, for the auth host and the API host alike: one the SDK made (see
`_http`), or the user's own ``http_client``. Everything the SDK needs travels with each request (absolute URL,
auth, User-Agent, timeouts, no redirects), so a user's client keeps its own settings for everything else
(proxies, certificates, event hooks, its transport) and is never closed by the SDK.

Two limits hold for every call, whatever the server does:
- The deadline: one SDK call (``get_webhooks()``, ``hook.update(...)``, including its token and workspace
  lookups, every attempt and the waits between retries) ends within ``deadline`` seconds. httpx's timeouts bound
  each connect, write and read, so a server trickling a byte at a time would otherwise hold a call for ever.
  The async transport runs the call under ``asyncio.timeout``. The sync one cannot interrupt a blocking read, so
  it shortens every phase's timeout to the time left when an attempt starts and checks the clock as each piece
  of the body arrives: it ends at the deadline, or at the latest when the read in progress times out.
- The size cap: a body longer than ``max_response_size`` bytes (after decompression) is refused while it
  arrives, so memory never holds more than the cap.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, Generic

import httpx

from . import _retry
from ._auth import (
    AsyncBearerAuth,
    AsyncTokens,
    BearerAuth,
    Grant,
    StaticBearer,
    Tokens,
    grant_from,
    refused,
    token_call,
    userinfo_call,
    workspace_from,
)
from ._config import USER_AGENT, Credentials, Hosts
from ._http import H, Wire, as_httpx_error
from ._responses import Call, Reply, read, too_large
from ._retry import Attempts, RetryPolicy
from .errors import APIConnectionError, APIError, APITimeoutError, InvalidArgumentError

logger = logging.getLogger("up42")

DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_RESPONSE_SIZE = 32 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Limits:
    """How long one SDK call may take (None: no deadline) and how many bytes a response body may have."""

    deadline: float | None = DEFAULT_DEADLINE
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE

    def __post_init__(self) -> None:
        deadline = self.deadline
        if deadline is not None and (
            isinstance(deadline, bool) or not isinstance(deadline, int | float) or deadline <= 0
        ):
            raise InvalidArgumentError(f"deadline must be a positive number of seconds or None, got {deadline!r}")
        size = self.max_response_size
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise InvalidArgumentError(f"max_response_size must be a positive number of bytes, got {size!r}")


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

    def capped(self, timeout: httpx.Timeout) -> httpx.Timeout:
        """Each phase's timeout, no longer than the time left."""
        left = max(self.remaining(), 0.0)

        def cap(seconds: float | None) -> float:
            return left if seconds is None else min(seconds, left)

        return httpx.Timeout(
            connect=cap(timeout.connect), read=cap(timeout.read), write=cap(timeout.write), pool=cap(timeout.pool)
        )


# The deadline of the SDK call running in this thread or task; every request it makes shares it.
_current_deadline: ContextVar[Deadline | None] = ContextVar("up42_deadline", default=None)


def connection_error(error: httpx.HTTPError, origin: str, request: dict[str, Any], attempts: int) -> APIConnectionError:
    """Map an httpx transport failure to the SDK's error, naming the request but nothing secret."""
    what = _describe(origin, request)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"{what} timed out ({type(error).__name__}){tries}", attempts=attempts)
    detail = str(error) or type(error).__name__
    return APIConnectionError(f"{what} failed{tries}: {type(error).__name__}: {detail}", attempts=attempts)


def _describe(origin: str, request: dict[str, Any]) -> str:
    return f"{str(request['method']).upper()} {origin}{request['url']}"


class _Body:
    """A response body as it arrives, held to the size cap and (sync) the deadline. No I/O."""

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self._response = response
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large(response, limit)

    def add(self, chunk: bytes) -> None:
        """Keep one decoded piece, or refuse the body once it outgrows the cap."""
        self._size += len(chunk)
        if self._size > self._limit:
            raise too_large(self._response, self._limit)
        self._chunks.append(chunk)

    def finish(self) -> httpx.Response:
        """The response with its whole body, readable as if httpx had read it."""
        # What httpx.Response.read() does once the stream is consumed.
        self._response._content = b"".join(self._chunks)
        return self._response


class _Watched(httpx.SyncByteStream):
    """A sync response's raw stream that checks the deadline as each piece arrives.

    The check sits below decompression: a compressed stream can go on for ever without yielding a decoded byte.
    """

    def __init__(self, stream: httpx.SyncByteStream, deadline: Deadline, what: str, attempts: int) -> None:
        self._stream = stream
        self._deadline = deadline
        self._what = what
        self._attempts = attempts

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            self._deadline.check(self._what, self._attempts)
            yield chunk

    def close(self) -> None:
        self._stream.close()


def _log(request: dict[str, Any], started: float, outcome: str) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.perf_counter() - started) * 1000
        logger.debug("%s %s -> %s in %.1f ms", str(request["method"]).upper(), request["url"], outcome, elapsed)


class _Base(Generic[H]):
    def __init__(
        self, hosts: Hosts, credentials: Credentials, policy: RetryPolicy, limits: Limits, wire: Wire[H]
    ) -> None:
        self.hosts = hosts
        self._credentials = credentials
        self._policy = policy
        self._limits = limits
        self._wire: Wire[H] = wire
        self._workspace_id: str | None = None
        self._bearer: httpx.Auth | None = None  # set by the subclass: the token flow of API requests

    @contextlib.contextmanager
    def call(self) -> Iterator[Deadline | None]:
        """Run one SDK call: every request inside shares its deadline (or an enclosing call's, when nested)."""
        current = _current_deadline.get()
        if current is not None or self._limits.deadline is None:
            yield current
            return
        deadline = Deadline(self._limits.deadline)
        token = _current_deadline.set(deadline)
        try:
            yield deadline
        finally:
            _current_deadline.reset(token)

    def _attempts(self, call: Call, request: dict[str, Any]) -> Attempts:
        return self._policy.start(str(request["method"]), str(request["url"]), idempotent=call.idempotent)

    def _origin(self, call: Call) -> str:
        return self.hosts.auth if call.on_auth_host else self.hosts.api

    def _auth(self, call: Call) -> httpx.Auth | None:
        """The token request carries none (its credentials are in the form); a user's client's auth never applies."""
        if call.bearer is not None:
            return StaticBearer(call.bearer)
        return None if call.on_auth_host else self._bearer

    def _prepare(
        self, origin: str, request: dict[str, Any], deadline: Deadline | None, attempts: Attempts
    ) -> httpx.Request:
        """The request of the next attempt, its timeouts no longer than the time left."""
        timeout = self._wire.timeout
        if deadline is not None:
            deadline.check(_describe(origin, request), attempts.count)
            timeout = deadline.capped(timeout)
        headers = {**request.get("headers", {}), "User-Agent": USER_AGENT}
        built: httpx.Request = self._wire.http.build_request(
            **{**request, "url": origin + request["url"], "headers": headers}, timeout=timeout
        )
        return built

    def _body(self, response: httpx.Response, deadline: Deadline | None, what: str, attempts: Attempts) -> _Body:
        # Only a sync stream is watched: an async call runs under asyncio.timeout, which interrupts any read.
        if deadline is not None and isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _Watched(response.stream, deadline, what, attempts.count)
        return _Body(response, self._limits.max_response_size)

    @staticmethod
    def _settle(
        call: Call,
        origin: str,
        request: dict[str, Any],
        attempts: Attempts,
        outcome: httpx.Response | httpx.HTTPError,
        started: float,
        deadline: Deadline | None,
    ) -> Reply | float:
        """The reply, or the seconds to wait before the next attempt; raises when the call has failed for good."""
        # A retry whose wait would outlast the deadline is not made: the failure at hand is raised instead.
        budget = None if deadline is None else deadline.remaining()
        if isinstance(outcome, httpx.Response):
            _log(request, started, str(outcome.status_code))
            delay = attempts.after_response(outcome, budget=budget)
            return read(call, outcome, attempts=attempts.count) if delay is None else delay
        _log(request, started, type(outcome).__name__)
        delay = attempts.after_error(outcome, budget=budget)
        if delay is not None:
            return delay
        if deadline is not None and isinstance(outcome, httpx.TimeoutException) and deadline.remaining() <= 0:
            # The timeouts were shortened to the time left, so this one is the deadline's.
            raise deadline.expired(_describe(origin, request), attempts.count) from outcome
        raise connection_error(outcome, origin, request, attempts.count) from outcome

    def _token_refused(self, error: APIError) -> APIError:
        return refused(error, self._credentials)


class Transport(_Base[httpx.Client]):
    """Sends calls with an `httpx.Client`."""

    def __init__(
        self, hosts: Hosts, credentials: Credentials, *, policy: RetryPolicy, limits: Limits, wire: Wire[httpx.Client]
    ) -> None:
        super().__init__(hosts, credentials, policy, limits, wire)
        self._tokens = Tokens(self._fetch_token)
        self._bearer = BearerAuth(self._tokens)
        self._workspace_lock = threading.Lock()

    def send(self, call: Call) -> Reply:
        """Send ``call``, retrying as the policy allows, and return the parsed reply or raise an `UP42Error`."""
        origin = self._origin(call)
        request = call.request()
        attempts = self._attempts(call, request)
        with self.call() as deadline:
            while True:
                started = time.perf_counter()
                try:
                    outcome: httpx.Response | httpx.HTTPError = self._exchange(
                        origin, call, request, deadline, attempts
                    )
                except httpx.HTTPError as error:
                    outcome = error
                settled = self._settle(call, origin, request, attempts, outcome, started, deadline)
                if isinstance(settled, Reply):
                    return settled
                _retry.sleep(settled)

    def _exchange(
        self, origin: str, call: Call, request: dict[str, Any], deadline: Deadline | None, attempts: Attempts
    ) -> httpx.Response:
        """One attempt: the request out, the whole response in."""
        request_out = self._prepare(origin, request, deadline, attempts)
        response = self._wire.http.send(request_out, auth=self._auth(call), follow_redirects=False, stream=True)
        try:
            body = self._body(response, deadline, _describe(origin, request), attempts)
            for chunk in response.iter_bytes():
                body.add(chunk)
            return body.finish()
        finally:
            response.close()

    def workspace_id(self) -> str:
        """The workspace of the authenticated user, looked up once."""
        if self._workspace_id is None:
            with self._workspace_lock:
                if self._workspace_id is None:
                    self._workspace_id = workspace_from(self.send(userinfo_call(self._tokens.get())))
        return self._workspace_id

    def _fetch_token(self) -> Grant:
        try:
            return grant_from(self.send(token_call(self._credentials)))
        except APIError as error:
            raise self._token_refused(error) from None

    def close(self) -> None:
        """Close the connection pool, if the SDK made it."""
        if self._wire.owned:
            self._wire.http.close()


class AsyncTransport(_Base[httpx.AsyncClient]):
    """Sends calls with an `httpx.AsyncClient`."""

    def __init__(
        self,
        hosts: Hosts,
        credentials: Credentials,
        *,
        policy: RetryPolicy,
        limits: Limits,
        wire: Wire[httpx.AsyncClient],
    ) -> None:
        super().__init__(hosts, credentials, policy, limits, wire)
        self._tokens = AsyncTokens(self._fetch_token)
        self._bearer = AsyncBearerAuth(self._tokens)
        import asyncio  # only the async client needs it (see _retry)

        self._workspace_lock = asyncio.Lock()

    async def send(self, call: Call) -> Reply:
        """Send ``call``, retrying as the policy allows, and return the parsed reply or raise an `UP42Error`."""
        import asyncio  # only the async client needs it (see _retry)

        origin = self._origin(call)
        request = call.request()
        attempts = self._attempts(call, request)
        with self.call() as deadline:
            try:
                async with asyncio.timeout(None if deadline is None else deadline.remaining()):
                    while True:
                        started = time.perf_counter()
                        try:
                            outcome: httpx.Response | httpx.HTTPError = await self._exchange(
                                origin, call, request, deadline, attempts
                            )
                        except Exception as error:
                            # Another backend's failures (aiohttp's) are read as httpx's; anything else goes up.
                            failure = as_httpx_error(error)
                            if failure is None:
                                raise
                            outcome = failure
                        settled = self._settle(call, origin, request, attempts, outcome, started, deadline)
                        if isinstance(settled, Reply):
                            return settled
                        await _retry.asleep(settled)
            except TimeoutError:
                # Only asyncio.timeout raises the built-in TimeoutError here: the backends' timeouts arrive as httpx's.
                if deadline is None:
                    raise
                raise deadline.expired(_describe(origin, request), attempts.count) from None

    async def _exchange(
        self, origin: str, call: Call, request: dict[str, Any], deadline: Deadline | None, attempts: Attempts
    ) -> httpx.Response:
        """One attempt: the request out, the whole response in."""
        request_out = self._prepare(origin, request, deadline, attempts)
        response = await self._wire.http.send(request_out, auth=self._auth(call), follow_redirects=False, stream=True)
        try:
            body = self._body(response, deadline, _describe(origin, request), attempts)
            async for chunk in response.aiter_bytes():
                body.add(chunk)
            return body.finish()
        finally:
            await response.aclose()

    async def workspace_id(self) -> str:
        """The workspace of the authenticated user, looked up once."""
        if self._workspace_id is None:
            async with self._workspace_lock:
                if self._workspace_id is None:
                    self._workspace_id = workspace_from(await self.send(userinfo_call(await self._tokens.get())))
        return self._workspace_id

    async def _fetch_token(self) -> Grant:
        try:
            return grant_from(await self.send(token_call(self._credentials)))
        except APIError as error:
            raise self._token_refused(error) from None

    async def aclose(self) -> None:
        """Close the connection pool, if the SDK made it."""
        if self._wire.owned:
            await self._wire.http.aclose()

"""The one place that sends requests: httpx clients, bearer auth, timeouts, limits, User-Agent and error mapping.

Requests are built and responses parsed by the generated code (`up42_api`); this module only moves them over
the wire and turns transport failures into SDK errors. The sync and async transports differ only in the I/O.

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
from typing import Any

import httpx
from httpx._client import USE_CLIENT_DEFAULT, UseClientDefault

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


def _client_options(timeout: httpx.Timeout) -> dict[str, Any]:
    return {
        "headers": {"User-Agent": USER_AGENT},
        "timeout": timeout,
        "follow_redirects": False,
    }


def _auth_for(call: Call) -> httpx.Auth | UseClientDefault:
    return StaticBearer(call.bearer) if call.bearer is not None else USE_CLIENT_DEFAULT


def connection_error(
    error: httpx.HTTPError, origin: httpx.URL, request: dict[str, Any], attempts: int
) -> APIConnectionError:
    """Map an httpx transport failure to the SDK's error, naming the request but nothing secret."""
    what = _describe(origin, request)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"{what} timed out ({type(error).__name__}){tries}", attempts=attempts)
    detail = str(error) or type(error).__name__
    return APIConnectionError(f"{what} failed{tries}: {type(error).__name__}: {detail}", attempts=attempts)


def _describe(origin: httpx.URL, request: dict[str, Any]) -> str:
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


class _Base:
    def __init__(self, hosts: Hosts, credentials: Credentials, policy: RetryPolicy, limits: Limits) -> None:
        self.hosts = hosts
        self._credentials = credentials
        self._policy = policy
        self._limits = limits
        self._workspace_id: str | None = None

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

    @staticmethod
    def _prepare(
        http: httpx.Client | httpx.AsyncClient,
        request: dict[str, Any],
        deadline: Deadline | None,
        attempts: Attempts,
    ) -> httpx.Request:
        """The request of the next attempt, its timeouts no longer than the time left."""
        if deadline is None:
            return http.build_request(**request)
        deadline.check(_describe(http.base_url, request), attempts.count)
        return http.build_request(**request, timeout=deadline.capped(http.timeout))

    def _body(self, response: httpx.Response, deadline: Deadline | None, what: str, attempts: Attempts) -> _Body:
        # Only a sync stream is watched: an async call runs under asyncio.timeout, which interrupts any read.
        if deadline is not None and isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _Watched(response.stream, deadline, what, attempts.count)
        return _Body(response, self._limits.max_response_size)

    @staticmethod
    def _settle(
        call: Call,
        origin: httpx.URL,
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


class Transport(_Base):
    """Sends calls with a pair of `httpx.Client` (auth host, API host)."""

    def __init__(
        self, hosts: Hosts, credentials: Credentials, *, timeout: httpx.Timeout, policy: RetryPolicy, limits: Limits
    ) -> None:
        super().__init__(hosts, credentials, policy, limits)
        options = _client_options(timeout)
        self._tokens = Tokens(self._fetch_token)
        self._auth_http = httpx.Client(base_url=hosts.auth, **options)
        self._api_http = httpx.Client(base_url=hosts.api, auth=BearerAuth(self._tokens), **options)
        self._workspace_lock = threading.Lock()

    def send(self, call: Call) -> Reply:
        """Send ``call``, retrying as the policy allows, and return the parsed reply or raise an `UP42Error`."""
        http = self._auth_http if call.on_auth_host else self._api_http
        request = call.request()
        attempts = self._attempts(call, request)
        with self.call() as deadline:
            while True:
                started = time.perf_counter()
                try:
                    outcome: httpx.Response | httpx.HTTPError = self._exchange(http, call, request, deadline, attempts)
                except httpx.HTTPError as error:
                    outcome = error
                settled = self._settle(call, http.base_url, request, attempts, outcome, started, deadline)
                if isinstance(settled, Reply):
                    return settled
                _retry.sleep(settled)

    def _exchange(
        self,
        http: httpx.Client,
        call: Call,
        request: dict[str, Any],
        deadline: Deadline | None,
        attempts: Attempts,
    ) -> httpx.Response:
        """One attempt: the request out, the whole response in."""
        response = http.send(self._prepare(http, request, deadline, attempts), auth=_auth_for(call), stream=True)
        try:
            body = self._body(response, deadline, _describe(http.base_url, request), attempts)
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
        """Close both connection pools."""
        self._api_http.close()
        self._auth_http.close()


class AsyncTransport(_Base):
    """Sends calls with a pair of `httpx.AsyncClient` (auth host, API host)."""

    def __init__(
        self, hosts: Hosts, credentials: Credentials, *, timeout: httpx.Timeout, policy: RetryPolicy, limits: Limits
    ) -> None:
        super().__init__(hosts, credentials, policy, limits)
        options = _client_options(timeout)
        self._tokens = AsyncTokens(self._fetch_token)
        self._auth_http = httpx.AsyncClient(base_url=hosts.auth, **options)
        self._api_http = httpx.AsyncClient(base_url=hosts.api, auth=AsyncBearerAuth(self._tokens), **options)
        import asyncio  # only the async client needs it (see _retry)

        self._workspace_lock = asyncio.Lock()

    async def send(self, call: Call) -> Reply:
        """Send ``call``, retrying as the policy allows, and return the parsed reply or raise an `UP42Error`."""
        import asyncio  # only the async client needs it (see _retry)

        http = self._auth_http if call.on_auth_host else self._api_http
        request = call.request()
        attempts = self._attempts(call, request)
        with self.call() as deadline:
            try:
                async with asyncio.timeout(None if deadline is None else deadline.remaining()):
                    while True:
                        started = time.perf_counter()
                        try:
                            outcome: httpx.Response | httpx.HTTPError = await self._exchange(
                                http, call, request, deadline, attempts
                            )
                        except httpx.HTTPError as error:
                            outcome = error
                        settled = self._settle(call, http.base_url, request, attempts, outcome, started, deadline)
                        if isinstance(settled, Reply):
                            return settled
                        await _retry.asleep(settled)
            except TimeoutError:
                # Only asyncio.timeout raises the built-in TimeoutError here: httpx raises its own timeouts.
                if deadline is None:
                    raise
                raise deadline.expired(_describe(http.base_url, request), attempts.count) from None

    async def _exchange(
        self,
        http: httpx.AsyncClient,
        call: Call,
        request: dict[str, Any],
        deadline: Deadline | None,
        attempts: Attempts,
    ) -> httpx.Response:
        """One attempt: the request out, the whole response in."""
        request_out = self._prepare(http, request, deadline, attempts)
        response = await http.send(request_out, auth=_auth_for(call), stream=True)
        try:
            body = self._body(response, deadline, _describe(http.base_url, request), attempts)
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
        """Close both connection pools."""
        await self._api_http.aclose()
        await self._auth_http.aclose()

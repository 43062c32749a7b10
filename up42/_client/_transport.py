"""The one place that sends requests: bearer auth, timeouts, limits, User-Agent, retries and error mapping.

Each SDK call is a plan (see `_operations`): `run` carries out its steps, sending each `Call` and looking up the
workspace id, within the call's deadline, which `run` alone opens. Requests are built and responses parsed by the
generated code (`up42_api`); this module only moves them over the wire and turns transport failures into SDK
errors. The sync and async transports differ only in the I/O.

Each transport sends through one sender, for the auth host and the API host alike (see `_http`): `Transport`
through one on an httpx client, `AsyncTransport` through one on an httpx client or on aiohttp. The SDK's own or the
user's ``http_client``: everything the SDK needs travels with each request (absolute URL, bearer token,
User-Agent, the codings it decodes, timeouts, no redirects), so a user's client keeps its own settings for
everything else (proxies, certificates, event hooks, its transport) and is never closed by the SDK. The request
body is encoded here, once per call, so both backends send the same bytes; the bearer token is added, and renewed
once after a 401, here too.

Two limits hold for every call, whatever the server does:
- The deadline: one SDK call (``get_webhooks()``, ``hook.update(...)``, including its token and workspace
  lookups, every attempt and the waits between retries) ends within ``deadline`` seconds. httpx's timeouts bound
  each connect, write and read, so a server trickling a byte at a time would otherwise hold a call for ever.
  The async transport cancels the call when its alarm rings (see `_alarms`). The sync one cannot interrupt a
  blocking read: on the connections of a client it made, no connect, read or write waits longer than the time
  left (see `_sockets`; a name lookup is the system resolver's), so it ends at the deadline, headers and body
  alike. On a user's ``http_client`` it shortens every phase's timeout to the time left when an attempt starts
  and checks the clock as each piece of the body arrives: it ends at the deadline, or at the latest when the read
  in progress times out.
- The size cap: a body is refused as soon as the bytes received, or what any of its content codings decodes
  to, outgrow ``max_response_size`` (see `_encodings`): memory never holds much more than the cap.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import threading
import time
import urllib.parse
from collections.abc import Coroutine
from contextvars import Token
from typing import Any, Generic, Protocol, TypeVar

import httpx

from .._checks import is_number, is_whole
from .._masking import Secrets
from ..errors import APIConnectionError, APIError, APITimeoutError, InvalidArgumentError
from . import _retry
from ._auth import AsyncTokenSource, Grant, TokenSource, grant_from, refused, token_call, userinfo_call, workspace_from
from ._config import USER_AGENT, Credentials, Hosts
from ._deadline import Deadline, current_deadline
from ._encodings import accept_encoding
from ._http import AsyncSender, SyncHttpxSender, Wire, as_httpx_error
from ._operations import Plan, Running
from ._responses import Answer, Call, Reply, read
from ._retry import Attempts, RetryRules
from ._unreachable import reason, unreachable

logger = logging.getLogger("up42")

DEFAULT_DEADLINE = 120.0
DEFAULT_MAX_RESPONSE_SIZE = 32 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class CallLimits:
    """How long one SDK call may take (None: no deadline) and how many bytes a response body may have."""

    deadline: float | None = DEFAULT_DEADLINE
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE

    def __post_init__(self) -> None:
        deadline = self.deadline
        if deadline is not None and (not is_number(deadline) or not deadline > 0):  # NaN too
            raise InvalidArgumentError(f"deadline must be a positive number of seconds or None, got {deadline!r}")
        size = self.max_response_size
        if not is_whole(size) or size <= 0:
            raise InvalidArgumentError(f"max_response_size must be a positive number of bytes, got {size!r}")


def connection_error(
    error: httpx.HTTPError, method: str, url: str, attempts: int, secrets: Secrets
) -> APIConnectionError:
    """Map an httpx transport failure to the SDK's error: the place or the request, and why, but nothing secret.

    When no connection could be made, the place is named, whichever request it was for; any other failure names
    the request. The reason is in words (see `_unreachable`).
    """
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"{method} {url} timed out ({type(error).__name__}){tries}", attempts=attempts)
    if isinstance(error, httpx.ConnectError):
        counted = f" ({tries.strip()})" if tries else ""
        return APIConnectionError(secrets.text(unreachable(url, error)) + counted, attempts=attempts)
    # A protocol error can quote what the server sent.
    detail = secrets.text(reason(error, url))
    return APIConnectionError(f"{method} {url} failed{tries}: {type(error).__name__}: {detail}", attempts=attempts)


@dataclasses.dataclass(slots=True)  # not frozen, like Call: one per SDK call
class _Outgoing:
    """A call's request as every attempt sends it, built once: method, absolute URL, headers and body bytes."""

    method: str
    url: str
    path: str  # as the generated code gave it, for the debug log
    headers: dict[str, str]
    content: bytes | None

    @property
    def what(self) -> str:
        """The request as errors name it: method and URL, nothing secret."""
        return f"{self.method} {self.url}"

    def headers_with(self, token: str | None) -> dict[str, str]:
        """The headers of one attempt: with the bearer token, when the call carries one."""
        return self.headers if token is None else {**self.headers, "Authorization": f"Bearer {token}"}


def _outgoing(origin: str, request: dict[str, Any]) -> _Outgoing:
    """Encode the generated code's request (a JSON or form body at most) as httpx would, for either backend."""
    headers = {**request.get("headers", {}), "User-Agent": USER_AGENT, "Accept-Encoding": accept_encoding()}
    content = None
    if "json" in request:
        text = json.dumps(request["json"], ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        content = text.encode()
        headers.setdefault("Content-Type", "application/json")
    elif "data" in request:
        content = urllib.parse.urlencode(request["data"], doseq=True).encode()
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return _Outgoing(str(request["method"]).upper(), origin + request["url"], request["url"], headers, content)


class _CallScope:
    """The deadline of one SDK call, current while it runs (see `_Base._scope`).

    A class rather than a generator-based context manager: every call enters one, a thousand at a time.
    """

    __slots__ = ("_seconds", "_token")

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._token: Token[Deadline | None] | None = None

    def __enter__(self) -> Deadline:
        deadline = Deadline(self._seconds)
        self._token = current_deadline.set(deadline)
        return deadline

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            current_deadline.reset(self._token)


class _Joined:
    """The scope of a request made inside a call already running (it joins that call's deadline), or of a call
    without a deadline: it sets nothing."""

    __slots__ = ()

    def __enter__(self) -> Deadline | None:
        return current_deadline.get()

    def __exit__(self, *exc_info: object) -> None:
        pass


_JOINED = _Joined()


def _log(out: _Outgoing, started: float, outcome: str) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.perf_counter() - started) * 1000
        logger.debug("%s %s -> %s in %.1f ms", out.method, out.path, outcome, elapsed)


R = TypeVar("R")
# What a sender's exchange gives: the answer (sync) or a coroutine of it (async).
E = TypeVar("E", covariant=True)


class Exchanger(Protocol[E]):
    """A sender as both transports use it (`SyncHttpxSender`, an `AsyncSender`): one attempt out, its answer in."""

    def exchange(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None, timeout: httpx.Timeout, limit: int
    ) -> E:
        """Send the request and read the whole answer, held to the size cap ``limit``."""
        ...


class _Base(Generic[E]):
    def __init__(
        self,
        hosts: Hosts,
        credentials: Credentials,
        policy: RetryRules,
        limits: CallLimits,
        wire: Wire[Any],
        sender: Exchanger[E],
    ) -> None:
        self.hosts = hosts
        self._credentials = credentials
        self._policy = policy
        self._limits = limits
        self._wire: Wire[Any] = wire
        self._sender = sender
        self._workspace_id: str | None = None
        # Masked in every error: the password, and the tokens and secrets this client sends.
        self._secrets = Secrets(credentials.password)
        phases = (wire.timeout.connect, wire.timeout.read, wire.timeout.write, wire.timeout.pool)
        # Worked out once: each attempt compares the time left with it alone.
        self._longest_phase = math.inf if None in phases else max(p for p in phases if p is not None)

    def _scope(self) -> _CallScope | _Joined:
        """The deadline of one SDK call: every request inside shares it (or an enclosing call's, when nested).

        Opened by `run` alone, so no operation can give its requests a deadline each.
        """
        seconds = self._limits.deadline
        if seconds is None or current_deadline.get() is not None:
            return _JOINED
        return _CallScope(seconds)

    def _start(self, call: Call) -> tuple[_Outgoing, Attempts]:
        """The request every attempt of ``call`` sends, and the count of its attempts."""
        request = call.request()
        # Most calls send no body: an absent one is not looked at (add_sent's Mapping check is an ABC's).
        for body in ("json", "data"):
            if body in request:
                self._secrets.add_sent(request[body])
        out = _outgoing(self.hosts.auth if call.on_auth_host else self.hosts.api, request)
        return out, self._policy.start(out.method, str(request["url"]), idempotent=call.idempotent)

    @staticmethod
    def _renews(call: Call) -> bool:
        """Whether ``call`` carries the client's own token, renewed once when the API answers 401.

        The token request carries none (its credentials are in the form), the userinfo lookup a fixed one.
        """
        return call.bearer is None and not call.on_auth_host

    def _timeout(self, out: _Outgoing, deadline: Deadline | None, attempts: Attempts) -> httpx.Timeout:
        """The timeouts of the next attempt, no longer than the time left."""
        if deadline is None:
            return self._wire.timeout
        return deadline.capped(self._wire.timeout, self._longest_phase, out.what, attempts.count)

    def _settle(
        self,
        call: Call,
        out: _Outgoing,
        attempts: Attempts,
        outcome: Answer | httpx.HTTPError,
        started: float,
        deadline: Deadline | None,
    ) -> Reply | float:
        """The reply, or the seconds to wait before the next attempt; raises when the call has failed for good."""
        # A retry whose wait would outlast the deadline is not made: the failure at hand is raised instead.
        budget = None if deadline is None else deadline.remaining()
        if isinstance(outcome, Answer):
            _log(out, started, str(outcome.status_code))
            delay = attempts.after_response(outcome, budget=budget)
            return read(call, outcome, self._secrets, attempts=attempts.count) if delay is None else delay
        _log(out, started, type(outcome).__name__)
        delay = attempts.after_error(outcome, budget=budget)
        if delay is not None:
            return delay
        if deadline is not None and isinstance(outcome, httpx.TimeoutException) and deadline.remaining() <= 0:
            # The timeouts were shortened to the time left, so this one is the deadline's.
            raise deadline.expired(out.what, attempts.count) from outcome
        # A protocol error, and the errors chained to it, can quote what the server sent: only the masked message
        # is kept. A timeout quotes nothing and stays the cause.
        cause = outcome if isinstance(outcome, httpx.TimeoutException) else None
        raise connection_error(outcome, out.method, out.url, attempts.count, self._secrets) from cause

    def _send_once(self, out: _Outgoing, token: str | None, deadline: Deadline | None, attempts: Attempts) -> E:
        """The request out, the whole answer in: the sender's own result (for the async one, its coroutine itself,
        one layer less per call)."""
        timeout = self._timeout(out, deadline, attempts)
        return self._sender.exchange(
            out.method, out.url, out.headers_with(token), out.content, timeout, self._limits.max_response_size
        )

    def _token_refused(self, error: APIError) -> APIError:
        return refused(error, self._credentials)

    def _granted(self, grant: Grant) -> Grant:
        """A new token, remembered to be masked in errors from now on."""
        self._secrets.add_token(grant.access_token)
        return grant


class Transport(_Base[Answer]):
    """Runs plans, sending their calls through a `SyncHttpxSender` on an `httpx.Client`."""

    _sender: SyncHttpxSender

    def __init__(
        self,
        hosts: Hosts,
        credentials: Credentials,
        *,
        policy: RetryRules,
        limits: CallLimits,
        wire: Wire[httpx.Client],
    ) -> None:
        super().__init__(hosts, credentials, policy, limits, wire, SyncHttpxSender(wire.sender, watched=not wire.owned))
        self._tokens = TokenSource(self._fetch_token)
        self._workspace_lock = threading.Lock()

    def run(self, plan: Plan[R]) -> R:
        """Run one SDK call: each step of ``plan`` in turn, all within the call's deadline; its result, or an
        `UP42Error`."""
        with self._scope():
            running = Running(plan)
            while (step := running.step) is not None:
                running.answer(self.send(step) if isinstance(step, Call) else self.workspace_id())
            return running.result

    def send(self, call: Call) -> Reply:
        """Send ``call``, retrying as the policy allows, and return the parsed reply or raise an `UP42Error`."""
        out, attempts = self._start(call)
        deadline = current_deadline.get()
        while True:
            started = time.perf_counter()
            try:
                outcome: Answer | httpx.HTTPError = self._exchange(call, out, deadline, attempts)
            except httpx.HTTPError as error:
                outcome = error
            settled = self._settle(call, out, attempts, outcome, started, deadline)
            if isinstance(settled, Reply):
                return settled
            _retry.sleep(settled)

    def _exchange(self, call: Call, out: _Outgoing, deadline: Deadline | None, attempts: Attempts) -> Answer:
        """One attempt, sent again once with a renewed token when the API refuses the client's token."""
        if not self._renews(call):
            return self._send_once(out, call.bearer, deadline, attempts)
        token = self._tokens.get()
        answer = self._send_once(out, token, deadline, attempts)
        if answer.status_code == 401:
            answer = self._send_once(out, self._tokens.refresh(token), deadline, attempts)
        return answer

    def workspace_id(self) -> str:
        """The workspace of the authenticated user, looked up once."""
        if self._workspace_id is None:
            with self._workspace_lock:
                if self._workspace_id is None:
                    self._workspace_id = workspace_from(self.send(userinfo_call(self._tokens.get())))
        return self._workspace_id

    def _fetch_token(self) -> Grant:
        try:
            return self._granted(grant_from(self.send(token_call(self._credentials))))
        except APIError as error:
            raise self._token_refused(error) from None

    def close(self) -> None:
        """Close the connection pool, if the SDK made it."""
        if self._wire.owned:
            self._sender.close()


class AsyncTransport(_Base[Coroutine[Any, Any, Answer]]):
    """Runs plans, sending their calls through an `AsyncSender` (see `_http`)."""

    _sender: AsyncSender

    def __init__(
        self,
        hosts: Hosts,
        credentials: Credentials,
        *,
        policy: RetryRules,
        limits: CallLimits,
        wire: Wire[AsyncSender],
    ) -> None:
        super().__init__(hosts, credentials, policy, limits, wire, wire.sender)
        self._tokens = AsyncTokenSource(self._fetch_token)
        # Both import asyncio, which only the async client needs (see _retry).
        import asyncio

        from ._alarms import Alarms

        self._workspace_lock = asyncio.Lock()
        self._alarms = Alarms()

    async def run(self, plan: Plan[R]) -> R:
        """Run one SDK call: each step of ``plan`` in turn, all within the call's deadline; its result, or an
        `UP42Error`."""
        with self._scope():
            running = Running(plan)
            while (step := running.step) is not None:
                running.answer(await (self.send(step) if isinstance(step, Call) else self.workspace_id()))
            return running.result

    async def send(self, call: Call) -> Reply:
        """Send ``call``, retrying as the policy allows, and return the parsed reply or raise an `UP42Error`."""
        out, attempts = self._start(call)
        deadline = current_deadline.get()
        # The attempts, and the token renewal after a 401, run here rather than in coroutines of their own: every
        # coroutine in the chain is passed through each time a call resumes, and under fan-out the garbage collector
        # walks the chains of all calls in flight.
        renews = self._renews(call)
        alarm = None if deadline is None else self._alarms.set(deadline.remaining())
        try:
            while True:
                started = time.perf_counter()
                try:
                    token = (self._tokens.cached() or await self._tokens.get()) if renews else call.bearer
                    answer = await self._send_once(out, token, deadline, attempts)
                    if renews and token is not None and answer.status_code == 401:
                        answer = await self._send_once(out, await self._tokens.refresh(token), deadline, attempts)
                    outcome: Answer | httpx.HTTPError = answer
                except Exception as error:
                    # Another backend's failures (aiohttp's) are read as httpx's; anything else goes up.
                    failure = as_httpx_error(error)
                    if failure is None:
                        raise
                    outcome = failure
                settled = self._settle(call, out, attempts, outcome, started, deadline)
                if isinstance(settled, Reply):
                    return settled
                await _retry.asleep(settled)
        except BaseException as error:
            if alarm is not None and deadline is not None and alarm.ended(error):
                raise deadline.expired(out.what, attempts.count) from None
            raise
        finally:
            if alarm is not None:
                self._alarms.clear(alarm)

    async def workspace_id(self) -> str:
        """The workspace of the authenticated user, looked up once."""
        if self._workspace_id is None:
            async with self._workspace_lock:
                if self._workspace_id is None:
                    self._workspace_id = workspace_from(await self.send(userinfo_call(await self._tokens.get())))
        return self._workspace_id

    async def _fetch_token(self) -> Grant:
        try:
            return self._granted(grant_from(await self.send(token_call(self._credentials))))
        except APIError as error:
            raise self._token_refused(error) from None

    async def aclose(self) -> None:
        """Close the connection pool, if the SDK made it."""
        if self._wire.owned:
            await self._sender.aclose()

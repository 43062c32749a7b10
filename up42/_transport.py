"""The one place that sends requests: httpx clients, bearer auth, timeouts, User-Agent and error mapping.

Requests are built and responses parsed by the generated code (`up42_api`); this module only moves them over
the wire and turns transport failures into SDK errors. The sync and async transports differ only in the I/O.
"""

from __future__ import annotations

import logging
import threading
import time
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
from ._responses import Call, Reply, read
from ._retry import Attempts, RetryPolicy
from .errors import APIConnectionError, APIError, APITimeoutError

logger = logging.getLogger("up42")


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
    what = f"{str(request['method']).upper()} {origin}{request['url']}"
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(f"{what} timed out ({type(error).__name__}){tries}", attempts=attempts)
    detail = str(error) or type(error).__name__
    return APIConnectionError(f"{what} failed{tries}: {type(error).__name__}: {detail}", attempts=attempts)


def _log(request: dict[str, Any], started: float, outcome: str) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        elapsed = (time.perf_counter() - started) * 1000
        logger.debug("%s %s -> %s in %.1f ms", str(request["method"]).upper(), request["url"], outcome, elapsed)


class _Base:
    def __init__(self, hosts: Hosts, credentials: Credentials, policy: RetryPolicy) -> None:
        self.hosts = hosts
        self._credentials = credentials
        self._policy = policy
        self._workspace_id: str | None = None

    def _attempts(self, call: Call, request: dict[str, Any]) -> Attempts:
        return self._policy.start(str(request["method"]), str(request["url"]), idempotent=call.idempotent)

    @staticmethod
    def _settle(
        call: Call,
        origin: httpx.URL,
        request: dict[str, Any],
        attempts: Attempts,
        outcome: httpx.Response | httpx.HTTPError,
        started: float,
    ) -> Reply | float:
        """The reply, or the seconds to wait before the next attempt; raises when the call has failed for good."""
        if isinstance(outcome, httpx.Response):
            _log(request, started, str(outcome.status_code))
            delay = attempts.after_response(outcome)
            return read(call, outcome, attempts=attempts.count) if delay is None else delay
        _log(request, started, type(outcome).__name__)
        delay = attempts.after_error(outcome)
        if delay is None:
            raise connection_error(outcome, origin, request, attempts.count) from outcome
        return delay

    def _token_refused(self, error: APIError) -> APIError:
        return refused(error, self._credentials)


class Transport(_Base):
    """Sends calls with a pair of `httpx.Client` (auth host, API host)."""

    def __init__(self, hosts: Hosts, credentials: Credentials, *, timeout: httpx.Timeout, policy: RetryPolicy) -> None:
        super().__init__(hosts, credentials, policy)
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
        while True:
            started = time.perf_counter()
            try:
                outcome: httpx.Response | httpx.HTTPError = http.request(**request, auth=_auth_for(call))
            except httpx.HTTPError as error:
                outcome = error
            settled = self._settle(call, http.base_url, request, attempts, outcome, started)
            if isinstance(settled, Reply):
                return settled
            _retry.sleep(settled)

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

    def __init__(self, hosts: Hosts, credentials: Credentials, *, timeout: httpx.Timeout, policy: RetryPolicy) -> None:
        super().__init__(hosts, credentials, policy)
        options = _client_options(timeout)
        self._tokens = AsyncTokens(self._fetch_token)
        self._auth_http = httpx.AsyncClient(base_url=hosts.auth, **options)
        self._api_http = httpx.AsyncClient(base_url=hosts.api, auth=AsyncBearerAuth(self._tokens), **options)
        import asyncio  # only the async client needs it (see _retry)

        self._workspace_lock = asyncio.Lock()

    async def send(self, call: Call) -> Reply:
        """Send ``call``, retrying as the policy allows, and return the parsed reply or raise an `UP42Error`."""
        http = self._auth_http if call.on_auth_host else self._api_http
        request = call.request()
        attempts = self._attempts(call, request)
        while True:
            started = time.perf_counter()
            try:
                outcome: httpx.Response | httpx.HTTPError = await http.request(**request, auth=_auth_for(call))
            except httpx.HTTPError as error:
                outcome = error
            settled = self._settle(call, http.base_url, request, attempts, outcome, started)
            if isinstance(settled, Reply):
                return settled
            await _retry.asleep(settled)

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

"""Access tokens: the password grant, the workspace lookup, caching and refresh.

A token is fetched lazily, reused until shortly before it expires, and fetched anew once when the API answers
401 (the transports send the bearer header and make that one retry). Concurrent callers share one fetch (a lock
per client), so a burst of calls as a token expires makes one token request, not one per caller.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Final

from up42_api.api.auth import create_token, get_userinfo
from up42_api.models import TokenRequest, TokenResponse, Userinfo

from .._text import lone_surrogate
from ..errors import APIError, AuthenticationError, ResponseParseError
from ._config import Credentials
from ._responses import DECODE_ERRORS, Answer, Call, Reply
from ._unreachable import origin

CLIENT_ID: Final = "up42-sdk"

# Refresh this long before expiry, so a token never runs out between the check and the server's check.
MAX_EXPIRY_MARGIN = 30.0


@dataclasses.dataclass(frozen=True)
class Grant:
    """An access token and its lifetime in seconds."""

    access_token: str = dataclasses.field(repr=False)
    expires_in: float


def token_call(credentials: Credentials) -> Call:
    """The password-grant request for ``credentials``."""
    form = TokenRequest(
        grant_type="password",
        username=credentials.username,
        password=credentials.password,
        client_id=CLIENT_ID,
        scope="openid",
    )
    # Asking twice for a token is harmless, so this POST may be retried like a GET.
    return Call(create_token, {"body": form}, on_auth_host=True, idempotent=True, foreign=not_up42)


# No token endpoint at that path: an UP42 answers none of these there.
_NO_ENDPOINT = frozenset({404, 405, 501})


def not_up42(answer: Answer) -> str | None:
    """Why an answer at the token endpoint cannot be UP42's, in words; None when it may be.

    UP42's token endpoint answers a JSON object, a token or an OAuth error, at every status. A redirect is left to
    be reported as it is, and so is a 5xx page, which a gateway in front of UP42 may send.
    """
    status = answer.status_code
    if 300 <= status < 400 or (status >= 500 and status not in _NO_ENDPOINT):
        return None
    try:
        body = answer.json()
    except DECODE_ERRORS:
        body = None
    if status not in _NO_ENDPOINT and isinstance(body, dict):
        return None
    kind = (answer.header("content-type") or "").split(";")[0].strip().lower()
    if not answer.content:
        what = "an empty body"
    elif kind in ("text/html", "application/xhtml+xml"):
        what = "an HTML page"
    elif body is not None:
        what = "a JSON body"
    else:
        what = f"a {kind} body" if kind else "a body without a content type"
    return f"{origin(answer.url)} is not an UP42 API: its token endpoint answered with {what}"


def grant_from(reply: Reply) -> Grant:
    """Read the token response."""
    token = reply.expect(TokenResponse)
    return Grant(access_token=token.access_token, expires_in=float(token.expires_in))


def refused(error: APIError, credentials: Credentials) -> APIError:
    """Reword a refusal at the token endpoint so the user learns that the credentials were the problem.

    A refusal is an OAuth error, which always carries its code (RFC 6749, section 5.2); an answer without one is
    not a refusal of the credentials (see `not_up42`).
    """
    if error.status not in (400, 401) or error.code is None:
        return error
    return AuthenticationError(
        error.status,
        f"UP42 refused the credentials of {credentials.username!r}: {error.message}",
        code=error.code,
        method=error.method,
        path=error.path,
        headers=error.headers,
        attempts=error.attempts,
    )


def userinfo_call(access_token: str) -> Call:
    """The userinfo request, which names the workspace the token belongs to."""
    return Call(get_userinfo, on_auth_host=True, bearer=access_token)


def workspace_from(reply: Reply) -> str:
    """Read the workspace id (the ``sub`` claim) from the userinfo response."""
    sub = reply.expect(Userinfo).sub
    if not sub:
        raise ResponseParseError("the userinfo response has an empty 'sub' claim", status=200)
    # It goes into every API path; a JSON escape can smuggle in a lone surrogate that no URL can carry.
    if lone_surrogate(sub) is not None:
        raise ResponseParseError("the userinfo response has a 'sub' claim that is not valid text", status=200)
    return sub


class TokenState:
    """The current token and when to stop using it; no I/O, no locking."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0

    def valid(self) -> str | None:
        """The cached token while it is still fresh, else None."""
        if self._token is not None and self._clock() < self._renew_at:
            return self._token
        return None

    def newer_than(self, stale: str) -> str | None:
        """The cached token if another caller already replaced ``stale`` with a fresh one, else None."""
        token = self.valid()
        return token if token != stale else None

    def store(self, grant: Grant) -> str:
        """Remember a new token; short-lived tokens (a sandbox's) get a proportionally short margin."""
        margin = min(MAX_EXPIRY_MARGIN, grant.expires_in * 0.1)
        self._token = grant.access_token
        self._renew_at = self._clock() + grant.expires_in - margin
        return grant.access_token


class TokenSource:
    """Thread-safe token source for the sync client."""

    def __init__(self, fetch: Callable[[], Grant], clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._state = TokenState(clock)
        self._lock = threading.Lock()

    def get(self) -> str:
        """A fresh token, fetched if needed."""
        token = self._state.valid()
        if token is not None:
            return token
        with self._lock:
            return self._state.valid() or self._state.store(self._fetch())

    def refresh(self, stale: str) -> str:
        """A token other than ``stale``, which the server refused."""
        with self._lock:
            return self._state.newer_than(stale) or self._state.store(self._fetch())


class AsyncTokenSource:
    """Task-safe token source for the async client."""

    def __init__(self, fetch: Callable[[], Awaitable[Grant]], clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._state = TokenState(clock)
        import asyncio  # only the async client needs it (see _retry)

        self._lock = asyncio.Lock()

    def cached(self) -> str | None:
        """The token while it is fresh, without waiting; None when it must be fetched."""
        return self._state.valid()

    async def get(self) -> str:
        """A fresh token, fetched if needed."""
        token = self._state.valid()
        if token is not None:
            return token
        async with self._lock:
            return self._state.valid() or self._state.store(await self._fetch())

    async def refresh(self, stale: str) -> str:
        """A token other than ``stale``, which the server refused."""
        async with self._lock:
            return self._state.newer_than(stale) or self._state.store(await self._fetch())

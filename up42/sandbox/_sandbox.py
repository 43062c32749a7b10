"""`Sandbox`: the local UP42 as one object to start, use and stop."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from .._messages import unencodable
from .._server import Server, bind
from ._app import Settings, create_app
from ._delivery import RetryPolicy
from ._faults import Faults
from ._store import Store

DEFAULT_USERNAME = "sandbox@example.com"
DEFAULT_PASSWORD = "sandbox-password"  # noqa: S105 - the sandbox's documented default, not a real password
DEFAULT_TOKEN_TTL = 300


class Sandbox:
    """A local UP42: the token, userinfo and webhook endpoints, signed deliveries and fault injection.

    The socket is bound when the object is made, so `url` is known before the server runs (``port=0`` picks a
    free port). State lives in SQLite: in memory by default, in the file ``db`` when given, where it survives a
    restart and every acknowledged write survives a crash.

    Examples:
        >>> with Sandbox() as sandbox:  # doctest: +SKIP
        ...     client = up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url)

    Args:
        host: The address to listen on (loopback by default). On loopback, requests addressed to any other
            name (a DNS-rebinding page's) are refused; on another address, such as ``0.0.0.0``, they are not.
        port: The port; 0 picks a free one.
        db: A SQLite file for the state; None keeps it in memory.
        username: The account that may log in.
        password: Its password.
        token_ttl: Lifetime of an access token in seconds.
        faults: Fault injection (latency, rate limit, random 503s); none by default.
        retry: How failed live deliveries are retried.
        users: Further accounts (username to password), each with its own workspace.

    Raises:
        OSError: The address cannot be bound, or the ``db`` file cannot be opened (its folder is missing, say).
        ValueError: A setting is out of range, a credential is empty or not valid text, or the ``db`` file is not
            a SQLite database.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | os.PathLike[str] | None = None,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        faults: Faults | None = None,
        retry: RetryPolicy | None = None,
        users: Mapping[str, str] | None = None,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {port}")
        if token_ttl < 1:
            raise ValueError(f"token_ttl must be at least 1 second, got {token_ttl}")
        if not username or not password:
            raise ValueError("username and password must not be empty")
        accounts = {**(users or {}), username: password}
        # Never echoed: they are credentials. No login could match them, and comparing would fail.
        if unencodable(accounts) is not None:
            raise ValueError("usernames and passwords must be valid text: UTF-8 cannot encode a lone surrogate")
        self.username = username
        self.password = password
        sock = bind(host, port)  # first, so a busy port leaves no database open
        try:
            self._store = Store(None if db is None else Path(db))
        except BaseException:
            sock.close()  # nothing will serve on it
            raise
        settings = Settings(
            users=accounts,
            port=sock.getsockname()[1],
            token_ttl=token_ttl,
            faults=faults or Faults(),
            retry=retry or RetryPolicy(),
            host=host,
        )
        self._server = Server(create_app(self._store, settings), sock)

    @property
    def url(self) -> str:
        """The base URL of the API and auth endpoints, e.g. ``http://127.0.0.1:8042``."""
        return self._server.url

    @property
    def env(self) -> dict[str, str]:
        """The environment variables that point the SDK and the ``up42`` command at this sandbox."""
        return {"UP42_BASE_URL": self.url, "UP42_USERNAME": self.username, "UP42_PASSWORD": self.password}

    def start(self) -> Self:
        """Serve in a background thread; returns once requests are accepted."""
        self._server.start()
        return self

    def serve(self) -> None:
        """Serve in the foreground until SIGINT or SIGTERM, then release the database."""
        try:
            self._server.run()
        finally:
            self._store.close()

    def stop(self) -> None:
        """Stop a sandbox started with `start` and release the database."""
        self._server.stop()
        self._store.close()

    def deliveries(self, webhook_id: str | None = None) -> list[dict[str, Any]]:
        """Every delivery attempt, oldest first, as ``GET /sandbox/attempts`` shows them (one dict per attempt).

        Each has ``deliveryId``, ``webhookId``, ``event``, ``messageId``, ``liveMode``, ``attempt``, ``status``
        (the receiver's HTTP status, or None), ``error`` (None when delivered), ``sentAt`` and ``durationMs``.
        ``GET /sandbox/deliveries`` lists the deliveries themselves, one per message and webhook.
        """
        return [attempt.to_api() for attempt in self._store.attempts(webhook_id)]

    def trigger(
        self, event: str, body: Mapping[str, Any] | None = None, *, webhook_id: str | None = None
    ) -> dict[str, Any]:
        """Simulate a platform event: one live message to every active subscribed webhook (or to ``webhook_id``).

        Without ``body`` a realistic one is sent; a given body must fit the event's delivery schema.

        Returns:
            ``{"event", "messageId", "deliveries": [...]}`` with each delivery's id, state and first attempt;
            failed ones are retried.

        Raises:
            ValueError: The sandbox refused the event (with its message): an unknown event, a body that breaks the
                schema, an unknown, inactive or unsubscribed webhook.
        """
        payload: dict[str, Any] = {"event": event}
        if body is not None:
            payload["body"] = dict(body)
        if webhook_id is not None:
            payload["webhookId"] = webhook_id
        response = httpx.post(f"{self.url}/sandbox/events", json=payload, timeout=60, trust_env=False)
        if response.is_client_error:
            raise ValueError(response.json()["error"]["message"])
        data: dict[str, Any] = response.raise_for_status().json()["data"]
        return data

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r}, username={self.username!r})"

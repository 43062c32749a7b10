"""`Sandbox`: the local UP42 as one object to start, use and stop."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

from .._contract import Spec
from .._messages import unencodable
from .._server import Server, bind
from ._app import Settings, create_app
from ._delivery import RetryPolicy
from ._faults import Faults
from ._scripts import Scripts
from ._store import Store

DEFAULT_USERNAME = "sandbox@example.com"
DEFAULT_PASSWORD = "sandbox-password"  # noqa: S105 - the sandbox's documented default, not a real password
DEFAULT_TOKEN_TTL = 300


class Sandbox:
    """A local UP42: the token, userinfo and webhook endpoints, signed deliveries and fault injection.

    The socket is bound when the object is made, so `url` is known before the server runs (``port=0`` picks a
    free port). State lives in SQLite: in memory by default, in the file ``db`` when given, where it survives a
    restart and every acknowledged write survives a crash. `script` makes the next calls of an operation answer
    as a test needs (a 422 on create, a 503 on get).

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
        self._scripts = Scripts(Spec.shipped())
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
        self._server = Server(create_app(self._store, settings, self._scripts), sock)

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

    def script(
        self,
        operation_id: str,
        status: int,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        delay: float = 0,
    ) -> dict[str, Any]:
        """Answer the next ``times`` calls of an operation with ``status``, ``body`` and ``headers``, after ``delay``.

        A call is matched to its operation of UP42's spec by method and path, the token and userinfo calls
        (``createToken``, ``getUserinfo``) included. Several scripts of one operation answer in the order they
        were added. A scripted answer stands in for UP42's: it is given whatever the token, before the route runs,
        so the call changes nothing (a scripted ``deleteWebhook`` leaves the webhook there). Scripts come after the
        sandbox's Host and cross-site checks and before its `Faults`: a scripted call is neither delayed, limited
        nor failed by them, nor counted towards the rate limit. ``POST /sandbox/scripts`` does the same over HTTP.

        The answer is held to the spec here, not when it is sent. A status the operation does not document, or a
        body or header that breaks the spec (a violation: a wrong type, a required property missing) is refused;
        a body that only drifts from it (a property or an enum value the spec does not list, as a newer UP42 may
        send) is accepted.

        Examples:
            >>> sandbox.script("createWebhook", 422)  # doctest: +SKIP
            >>> sandbox.script("getWebhook", 503, times=2)  # doctest: +SKIP
            >>> sandbox.script("listWebhooks", 429, headers={"Retry-After": "1"})  # doctest: +SKIP

        Args:
            operation_id: The operation's ``operationId``, such as ``getWebhook``.
            status: A status the spec documents for the operation (a documented ``5XX`` allows 500 to 599).
            body: The body, a JSON value. None gives the spec's error body for ``status`` with a fitting code (the
                ``{"data": null, "error": {...}}`` envelope, an OAuth2 error for ``createToken`` and
                ``getUserinfo``), and no body where the spec documents none (204 of ``deleteWebhook``); a success
                that has a body needs one given.
            headers: Extra headers of the answer, names and values as strings.
            times: How many calls it answers, at least 1.
            delay: Seconds each answer waits before it is sent.

        Returns:
            The script, as `scripts` lists it: ``id``, ``operationId``, ``status``, ``body`` (the one sent),
            ``headers``, ``times`` and ``delay``.

        Raises:
            ValueError: The script was refused, and the message names why: an unknown operation (listing those of
                the spec), a status it does not document (listing those it does), the place in the body or the
                header the spec does not allow (``body.data.url``), headers that are not strings to strings,
                ``times`` below 1, a ``delay`` that is negative or over an hour.
        """
        return self._scripts.add(operation_id, status, body, headers, times, delay).to_api()

    def scripts(self) -> list[dict[str, Any]]:
        """The scripts still to answer, in the order they were added, with the calls each has left (``times``).

        ``assert sandbox.scripts() == []`` proves every script was used.
        """
        return [script.to_api() for script in self._scripts.pending()]

    def clear_scripts(self) -> list[dict[str, Any]]:
        """Drop every pending script, so that calls reach the sandbox's own handlers again; returns those dropped."""
        return [script.to_api() for script in self._scripts.clear()]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r}, username={self.username!r})"

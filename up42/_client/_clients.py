"""`Client` and `AsyncClient`: explicit clients that hold their own credentials, hosts and connections."""

from __future__ import annotations

import abc
import os
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, Literal, Self, TypedDict, TypeVar, Unpack, overload

import httpx
from up42_api.api.webhooks import create_webhook, get_webhook, list_webhook_events, list_webhooks
from up42_api.models import WebhookInput

from .._checks import is_number
from ..errors import InvalidArgumentError
from . import _deprecations as deprecations
from . import _http
from . import _operations as ops
from ._config import DEFAULT_TIMEOUT, resolve
from ._http import DEFAULT_MAX_CONNECTIONS, AsyncSender, Backend, H, Wire
from ._retry import RetryRules
from ._transport import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_SIZE, AsyncTransport, CallLimits, Transport
from ._webhooks import AsyncWebhook, Webhook

__all__ = ["AsyncClient", "Client"]

TimeoutTypes = float | httpx.Timeout | None
T = TypeVar("T", Transport, AsyncTransport)


class RetryOptions(TypedDict, total=False):
    """Keyword arguments that tune retries (see the guide "Errors, retries and timeouts")."""

    max_retries: int
    backoff_base: float
    backoff_max: float
    retry_after_max: float


def _timeout(value: object) -> httpx.Timeout:
    if isinstance(value, httpx.Timeout):
        return value
    if value is None or (is_number(value) and value > 0):
        return httpx.Timeout(value)
    raise InvalidArgumentError(f"timeout must be a positive number of seconds, an httpx.Timeout or None, got {value!r}")


# Arguments of up42-py's authenticate that no longer exist, and what replaced them.
_REMOVED = {
    "project_id": "project credentials were retired by UP42; pass username and password",
    "project_api_key": "project credentials were retired by UP42; pass username and password",
    "env": "pass base_url (or region) instead",
}


def _retry_options(options: RetryOptions) -> RetryOptions:
    # **retry catches every other keyword, so a typo or an argument of the old SDK must be refused by name here.
    for name in options:
        if name not in RetryOptions.__annotations__:
            hint = _REMOVED.get(name, f"the retry options are {', '.join(RetryOptions.__annotations__)}")
            raise InvalidArgumentError(f"unexpected keyword argument {name!r}: {hint}")
    return options


class _Settings:
    """What both clients resolve from their arguments, before any connection exists."""

    def __init__(
        self,
        username: str | None,
        password: str | None,
        cfg_file: str | os.PathLike[str] | None,
        region: str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        limits: CallLimits,
        retry: RetryOptions,
    ) -> None:
        self.hosts, self.credentials = resolve(username, password, cfg_file, region, base_url)
        self.timeout = _timeout(timeout)
        self.limits = limits
        self.policy = RetryRules(**_retry_options(retry))

    def describe(self, cls: type) -> str:
        return f"{cls.__name__}(base_url={self.hosts.api!r}, username={self.credentials.username!r})"


class _Connection(Generic[T, H]):
    """What both clients share: resolving the arguments and owning one transport."""

    _transport_class: Callable[..., T]

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        cfg_file: str | os.PathLike[str] | None = None,
        region: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: H | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        **retry: Unpack[RetryOptions],
    ) -> None:
        limits = CallLimits(deadline=deadline, max_response_size=max_response_size)
        self._settings = _Settings(username, password, cfg_file, region, base_url, timeout, limits, retry)
        self._transport: T = type(self)._transport_class(
            self._settings.hosts,
            self._settings.credentials,
            policy=self._settings.policy,
            limits=self._settings.limits,
            wire=self._wire(http_client, max_connections, self._settings.timeout),
        )

    @abc.abstractmethod
    def _wire(self, http_client: object, max_connections: object, timeout: httpx.Timeout) -> Wire[Any]:
        """What the transport sends with: Client's holds an httpx.Client, AsyncClient's an async sender."""

    @property
    def base_url(self) -> str:
        """The origin of the API this client talks to (a region's API host, or the base URL it was given)."""
        return self._settings.hosts.api

    @property
    def username(self) -> str:
        """The account this client acts for."""
        return self._settings.credentials.username

    def __repr__(self) -> str:
        return self._settings.describe(type(self))


class Client(_Connection[Transport, httpx.Client]):
    """A connection to UP42 with its own credentials; the module-level functions use a default one.

    Credentials come from ``username`` and ``password``, else from ``cfg_file`` (a JSON file holding both), else
    from ``UP42_USERNAME`` and ``UP42_PASSWORD``, else from the login stored by ``up42 login``. The hosts come
    from ``base_url`` (API and auth under one origin, e.g. a local sandbox) or ``region`` (``"eu"`` or ``"sa"``),
    else ``UP42_BASE_URL`` or ``UP42_REGION``, else the stored login's place when its credentials are used, else
    the ``eu`` region.

    Nothing is sent until the first call (or `authenticate`). Use it as a context manager, or call `close`, to
    release its connections.

    Args:
        username: The UP42 account (an email address).
        password: Its password.
        cfg_file: A JSON file holding ``username`` and ``password``, read when they are not passed.
        region: UP42's region, ``"eu"`` or ``"sa"``: beats ``UP42_BASE_URL``; without it, ``"eu"`` (or the stored
            login's place).
        base_url: One origin that serves both the API and the auth paths (the sandbox, a proxy).
        timeout: Seconds for each phase of a request (connect, send, each read, a pooled connection), an
            ``httpx.Timeout`` per phase, or None for none (default: 10 s to connect, 30 s for the rest).
        deadline: Seconds one call may take in all: every request it makes, every retry and every wait between
            them (default 120; None for no deadline). When it passes, the call raises `APITimeoutError`.
        max_response_size: The most bytes a response body may have (default 32 MiB), as received and as each
            layer of its compression decodes; a longer one is refused while it arrives, with `ResponseParseError`.
        http_client: Your own configured ``httpx.Client`` (proxies, certificates, event hooks, a mock transport).
            The SDK adds its auth, User-Agent, timeouts and retries to each request, and never closes it.
        max_connections: How many connections the SDK's own pool opens at most, all kept alive between calls
            (default 100, for fan-out over threads).
        **retry: Tune the retries: ``max_retries`` (default 3, 0 disables them), ``backoff_base`` (0.5 s),
            ``backoff_max`` (8 s) and ``retry_after_max`` (60 s, the longest ``Retry-After`` waited for).

    Examples:
        >>> with up42.Client("me@example.com", "...") as client:  # doctest: +SKIP
        ...     hooks = client.get_webhooks()

    Raises:
        NotAuthenticatedError: No credentials were found.
        InvalidArgumentError: An unknown region, a malformed base URL or an unreadable cfg_file.
    """

    _transport_class = Transport

    def _wire(self, http_client: object, max_connections: object, timeout: httpx.Timeout) -> Wire[httpx.Client]:
        return _http.sync_wire(http_client, max_connections, timeout)

    def authenticate(self) -> None:
        """Fetch a token and the workspace id now, so wrong credentials fail here rather than on first use.

        Raises:
            AuthenticationError: UP42 refused the credentials.
        """
        self._transport.run(ops.workspace_id())

    @property
    def workspace_id(self) -> str:
        """The id of the authenticated user's workspace (fetched on first use)."""
        return self._transport.run(ops.workspace_id())

    @deprecations.sends(list_webhook_events)
    def get_webhook_events(self) -> list[dict[str, Any]]:
        """List the event types a webhook can subscribe to.

        Returns:
            The API's dicts, e.g. ``[{"name": "order.status", "title": "Order Status Updates", "category":
            "order", "description": ..., "documentation": ...}]``.
        """
        return self._transport.run(ops.event_types())

    @overload
    def get_webhooks(self, return_json: Literal[False] = False) -> list[Webhook]: ...
    @overload
    def get_webhooks(self, return_json: Literal[True]) -> list[dict[str, Any]]: ...
    @deprecations.sends(list_webhooks)
    def get_webhooks(self, return_json: bool = False) -> list[Webhook] | list[dict[str, Any]]:
        """List every webhook of the workspace.

        Args:
            return_json: Return the API's dicts instead of `Webhook` objects.

        Returns:
            One `Webhook` (or dict) per webhook, in the API's order.
        """
        return Webhook._listed(self._transport, self._transport.run(ops.webhooks()), return_json)

    @deprecations.sends(create_webhook, fields=WebhookInput)
    def create_webhook(
        self,
        name: str,
        url: str,
        events: list[str],
        active: bool = False,
        secret: str | None = None,
    ) -> Webhook:
        """Register a new webhook.

        Args:
            name: A name for the webhook.
            url: Where UP42 POSTs deliveries; UP42 requires HTTPS.
            events: Event names to subscribe to, e.g. ``["order.status"]`` (see `get_webhook_events`).
            active: Deliver live events right away (default: created inactive; tests work either way).
            secret: Signs deliveries so the receiver can verify them (strongly recommended).

        Returns:
            The new `Webhook`.

        Raises:
            InvalidArgumentError: An argument has the wrong type; nothing was sent.
            ValidationError: The API refused a value.
        """
        return Webhook._created(self._transport, self._transport.run(ops.created(name, url, events, active, secret)))

    @deprecations.sends(get_webhook)
    def initialize_webhook(self, webhook_id: str) -> Webhook:
        """Load an existing webhook by id.

        Args:
            webhook_id: The webhook's id.

        Returns:
            The `Webhook`, as the API returned it just now.

        Raises:
            NotFoundError: No webhook has this id in the workspace.
        """
        return Webhook(self._transport, self._transport.run(ops.fetched(webhook_id)))

    def close(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClient(_Connection[AsyncTransport, httpx.AsyncClient]):
    """The asyncio twin of `Client`: the same arguments, methods, return types and errors, as coroutines.

    Webhooks come back as `AsyncWebhook`. Use it as an async context manager, or await `aclose`.

    Args:
        username: The UP42 account (an email address).
        password: Its password.
        cfg_file: A JSON file holding ``username`` and ``password``, read when they are not passed.
        region: UP42's region, ``"eu"`` or ``"sa"``: beats ``UP42_BASE_URL``; without it, ``"eu"`` (or the stored
            login's place).
        base_url: One origin that serves both the API and the auth paths (the sandbox, a proxy).
        timeout: Seconds for each phase of a request (connect, send, each read, a pooled connection), an
            ``httpx.Timeout`` per phase, or None for none (default: 10 s to connect, 30 s for the rest).
        deadline: Seconds one call may take in all: every request it makes, every retry and every wait between
            them (default 120; None for no deadline). When it passes, the call raises `APITimeoutError`.
        max_response_size: The most bytes a response body may have (default 32 MiB), as received and as each
            layer of its compression decodes; a longer one is refused while it arrives, with `ResponseParseError`.
        http_client: Your own configured ``httpx.AsyncClient`` (proxies, certificates, event hooks, a mock
            transport). The SDK adds its auth, User-Agent, timeouts and retries to each request, and never closes it.
        http_backend: Where the SDK's own client sends: ``"aiohttp"`` (aiohttp's connection pool, much faster
            under many concurrent calls; needs the ``aiohttp`` extra) or ``"httpx"`` (httpx's own). None: aiohttp
            when the extra is installed, unless httpx is being mocked (respx, pytest-httpx); else httpx.
        max_connections: How many connections the SDK's own pool opens at most, all kept alive between calls
            (default 100, for fan-out with ``asyncio.gather``).
        **retry: Tune the retries: ``max_retries`` (default 3, 0 disables them), ``backoff_base`` (0.5 s),
            ``backoff_max`` (8 s) and ``retry_after_max`` (60 s, the longest ``Retry-After`` waited for).

    Examples:
        >>> async with up42.AsyncClient("me@example.com", "...") as client:  # doctest: +SKIP
        ...     hooks = await client.get_webhooks()
    """

    _transport_class = AsyncTransport

    def __init__(
        self,
        username: str | None = None,
        password: str | None = None,
        *,
        cfg_file: str | os.PathLike[str] | None = None,
        region: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        http_client: httpx.AsyncClient | None = None,
        http_backend: Backend | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        **retry: Unpack[RetryOptions],
    ) -> None:
        self._backend = http_backend
        super().__init__(
            username,
            password,
            cfg_file=cfg_file,
            region=region,
            base_url=base_url,
            timeout=timeout,
            deadline=deadline,
            max_response_size=max_response_size,
            http_client=http_client,
            max_connections=max_connections,
            **retry,
        )

    def _wire(self, http_client: object, max_connections: object, timeout: httpx.Timeout) -> Wire[AsyncSender]:
        return _http.async_wire(http_client, self._backend, max_connections, timeout)

    async def authenticate(self) -> None:
        """Fetch a token and the workspace id now (see `Client.authenticate`)."""
        await self._transport.run(ops.workspace_id())

    @deprecations.sends(list_webhook_events)
    async def get_webhook_events(self) -> list[dict[str, Any]]:
        """List the event types a webhook can subscribe to (see `Client.get_webhook_events`)."""
        return await self._transport.run(ops.event_types())

    @overload
    async def get_webhooks(self, return_json: Literal[False] = False) -> list[AsyncWebhook]: ...
    @overload
    async def get_webhooks(self, return_json: Literal[True]) -> list[dict[str, Any]]: ...
    @deprecations.sends(list_webhooks)
    async def get_webhooks(self, return_json: bool = False) -> list[AsyncWebhook] | list[dict[str, Any]]:
        """List every webhook of the workspace (see `Client.get_webhooks`).

        Args:
            return_json: Return the API's dicts instead of `AsyncWebhook` objects.

        Returns:
            One `AsyncWebhook` (or dict) per webhook, in the API's order.
        """
        return AsyncWebhook._listed(self._transport, await self._transport.run(ops.webhooks()), return_json)

    @deprecations.sends(create_webhook, fields=WebhookInput)
    async def create_webhook(
        self,
        name: str,
        url: str,
        events: list[str],
        active: bool = False,
        secret: str | None = None,
    ) -> AsyncWebhook:
        """Register a new webhook (see `Client.create_webhook`).

        Args:
            name: A name for the webhook.
            url: Where UP42 POSTs deliveries; UP42 requires HTTPS.
            events: Event names to subscribe to, e.g. ``["order.status"]``.
            active: Deliver live events right away (default: created inactive).
            secret: Signs deliveries so the receiver can verify them (strongly recommended).

        Returns:
            The new `AsyncWebhook`.

        Raises:
            InvalidArgumentError: An argument has the wrong type; nothing was sent.
            ValidationError: The API refused a value.
        """
        raw = await self._transport.run(ops.created(name, url, events, active, secret))
        return AsyncWebhook._created(self._transport, raw)

    @deprecations.sends(get_webhook)
    async def initialize_webhook(self, webhook_id: str) -> AsyncWebhook:
        """Load an existing webhook by id (see `Client.initialize_webhook`).

        Args:
            webhook_id: The webhook's id.

        Returns:
            The `AsyncWebhook`, as the API returned it just now.

        Raises:
            NotFoundError: No webhook has this id in the workspace.
        """
        return AsyncWebhook(self._transport, await self._transport.run(ops.fetched(webhook_id)))

    async def aclose(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

"""The documented module-level functions: the methods of one default `Client` that `authenticate` creates."""

from __future__ import annotations

import atexit
import logging
import os
import threading
from typing import Any, Literal, Unpack, overload

import httpx

from ..errors import NotAuthenticatedError
from . import _deprecations as deprecations
from ._clients import Client, RetryOptions, TimeoutTypes
from ._config import DEFAULT_TIMEOUT
from ._http import DEFAULT_MAX_CONNECTIONS
from ._transport import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_SIZE
from ._webhooks import Webhook

logger = logging.getLogger("up42")

_lock = threading.Lock()
_default: Client | None = None


def authenticate(
    username: str | None = None,
    password: str | None = None,
    *,
    cfg_file: str | os.PathLike[str] | None = None,
    region: str | None = None,
    base_url: str | None = None,
    timeout: TimeoutTypes = DEFAULT_TIMEOUT,
    deadline: float | None = DEFAULT_DEADLINE,
    max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
    http_client: httpx.Client | None = None,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    **retry: Unpack[RetryOptions],
) -> None:
    """Log in to UP42; the module-level functions then act for this account.

    Credentials come from the arguments, else from ``cfg_file`` (a JSON file with ``username`` and
    ``password``), else from ``UP42_USERNAME`` / ``UP42_PASSWORD``, else from the login stored by ``up42 login``
    (so after it, a bare ``up42.authenticate()`` works). ``base_url`` points the SDK at one origin serving both
    API and auth paths, such as the local sandbox; ``region`` (``"eu"`` or ``"sa"``) picks UP42's hosts; without
    either, ``UP42_BASE_URL`` or ``UP42_REGION`` decide, else the stored login's place, else ``eu``. A token and
    the workspace id are fetched at once, so wrong credentials fail here. Calling it again replaces the previous
    login and closes its connections; the last login's are closed when the interpreter exits.

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
        http_client: An ``httpx.Client`` you configured (proxies, certificates, event hooks, a mock transport)
            to send with; the SDK adds its own auth, User-Agent, timeouts and retries, and never closes it.
        max_connections: How many connections the SDK's own pool keeps open at most (default 100). It shapes
            a client the SDK makes, so it cannot be combined with ``http_client``: configure that one instead.
        **retry: Tune the retries: ``max_retries`` (default 3, 0 disables them), ``backoff_base`` (0.5 s),
            ``backoff_max`` (8 s) and ``retry_after_max`` (60 s, the longest ``Retry-After`` waited for).

    Examples:
        >>> up42.authenticate(username="me@example.com", password="...")  # doctest: +SKIP

    Raises:
        AuthenticationError: UP42 refused the credentials.
        NotAuthenticatedError: No credentials were found.
        InvalidArgumentError: An unknown region, a malformed base URL, an unreadable cfg_file, an
            ``http_client`` that is not an ``httpx.Client``, a ``max_connections`` that is not a positive integer
            or one given together with ``http_client``.
    """
    global _default
    client = Client(
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
    try:
        client.authenticate()
    except BaseException:
        client.close()
        raise
    with _lock:
        previous, _default = _default, client
    if previous is not None:
        previous.close()


def _close_at_exit() -> None:
    """Close the default client, so that a script's connections are closed when it ends, not left to the GC.

    Run by `atexit`: after the non-daemon threads have finished (none can still be calling) and before modules
    are torn down (httpx is still whole). The client is taken out first, so running twice closes it once, and a
    failure is logged, not raised: the program is ending and its own output must not end in a traceback.
    """
    global _default
    with _lock:
        client, _default = _default, None
    if client is None:
        return
    try:
        client.close()
    except Exception:
        logger.debug("closing the default UP42 client at exit failed", exc_info=True)


atexit.register(_close_at_exit)


def _client() -> Client:
    client = _default
    if client is None:
        raise NotAuthenticatedError(
            "not authenticated: call up42.authenticate(username=..., password=...) first, "
            "or use an explicit up42.Client"
        )
    return client


@deprecations.like(Client.get_webhook_events)
def get_webhook_events() -> list[dict[str, Any]]:
    """List the event types a webhook can subscribe to (e.g. ``order.status``), as the API's dicts.

    Returns:
        One dict per event type, with ``name``, ``title``, ``category``, ``description`` and ``documentation``.

    Raises:
        NotAuthenticatedError: `authenticate` has not been called.
    """
    return _client().get_webhook_events()


@overload
def get_webhooks(return_json: Literal[False] = False) -> list[Webhook]: ...
@overload
def get_webhooks(return_json: Literal[True]) -> list[dict[str, Any]]: ...
@deprecations.like(Client.get_webhooks)
def get_webhooks(return_json: bool = False) -> list[Webhook] | list[dict[str, Any]]:
    """List every webhook of the workspace, as `Webhook` objects or (``return_json=True``) the API's dicts.

    Args:
        return_json: Return the API's dicts (camelCase keys, the secret included) instead of `Webhook` objects.

    Returns:
        One `Webhook` (or dict) per webhook, in the API's order.

    Raises:
        NotAuthenticatedError: `authenticate` has not been called.
    """
    client = _client()
    return client.get_webhooks(return_json=True) if return_json else client.get_webhooks()


@deprecations.like(Client.create_webhook)
def create_webhook(
    name: str,
    url: str,
    events: list[str],
    active: bool = False,
    secret: str | None = None,
) -> Webhook:
    """Register a new webhook and return it (see `Client.create_webhook`).

    Args:
        name: A name for the webhook.
        url: Where UP42 POSTs deliveries; UP42 requires HTTPS.
        events: Event names to subscribe to, e.g. ``["order.status"]`` (see `get_webhook_events`).
        active: Deliver live events right away (default: created inactive; tests work either way).
        secret: Signs deliveries so the receiver can verify them (strongly recommended).

    Returns:
        The new `Webhook`.

    Examples:
        >>> up42.create_webhook(  # doctest: +SKIP
        ...     name="orders", url="https://example.com/hook", events=["order.status"], secret="s3cret"
        ... )
        Webhook(name='orders', id='...', active=False, events=['order.status'])

    Raises:
        NotAuthenticatedError: `authenticate` has not been called.
        InvalidArgumentError: An argument has the wrong type; nothing was sent.
        ValidationError: The API refused a value.
    """
    return _client().create_webhook(name, url, events, active=active, secret=secret)


@deprecations.like(Client.initialize_webhook)
def initialize_webhook(webhook_id: str) -> Webhook:
    """Load an existing webhook by id.

    Args:
        webhook_id: The webhook's id.

    Returns:
        The `Webhook`, as the API returned it just now.

    Raises:
        NotAuthenticatedError: `authenticate` has not been called.
        NotFoundError: No webhook has this id in the workspace.
    """
    return _client().initialize_webhook(webhook_id)

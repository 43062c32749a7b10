"""Manage the webhooks of an UP42 workspace, and receive and verify what UP42 sends.

The documented functions act for the account given to `authenticate`:

    import up42
    up42.authenticate(username="me@example.com", password="...")
    hook = up42.create_webhook(name="orders", url="https://example.com/hook", events=["order.status"])
    hook.trigger_test_events()

`Client` and `AsyncClient` do the same without global state. Every error is an `UP42Error` (see `up42.errors`).
"""

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    InvalidArgumentError,
    NotAuthenticatedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseParseError,
    ServerError,
    UP42Error,
    ValidationError,
)

if TYPE_CHECKING:
    from ._client._clients import AsyncClient, Client
    from ._client._default import authenticate, create_webhook, get_webhook_events, get_webhooks, initialize_webhook
    from ._client._webhooks import AsyncWebhook, Webhook

# The client side (httpx, the generated client) loads on first use, so `import up42.receiving` in a web app, or
# a command that only prints its help, does not pay for it.
_LAZY = {
    "AsyncClient": "_client._clients",
    "Client": "_client._clients",
    "authenticate": "_client._default",
    "create_webhook": "_client._default",
    "get_webhook_events": "_client._default",
    "get_webhooks": "_client._default",
    "initialize_webhook": "_client._default",
    "AsyncWebhook": "_client._webhooks",
    "Webhook": "_client._webhooks",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'up42' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncWebhook",
    "AuthenticationError",
    "Client",
    "InvalidArgumentError",
    "NotAuthenticatedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseParseError",
    "ServerError",
    "UP42Error",
    "ValidationError",
    "Webhook",
    "__version__",
    "authenticate",
    "create_webhook",
    "get_webhook_events",
    "get_webhooks",
    "initialize_webhook",
]

"""Manage the webhooks of an UP42 workspace, and receive and verify what UP42 sends.

The documented functions act for the account given to `authenticate`:

    import up42
    up42.authenticate(username="me@example.com", password="...")
    hook = up42.create_webhook(name="orders", url="https://example.com/hook", events=["order.status"])
    hook.trigger_test_events()

`Client` and `AsyncClient` do the same without global state. Every error is an `UP42Error` (see `up42.errors`).
"""

from ._client import AsyncClient, Client
from ._default import authenticate, create_webhook, get_webhook_events, get_webhooks, initialize_webhook
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
from .webhooks import AsyncWebhook, Webhook

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

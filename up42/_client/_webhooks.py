"""`Webhook` and `AsyncWebhook`: one registered webhook and what can be done with it."""

from __future__ import annotations

import datetime
import json
import logging
import warnings
from itertools import repeat
from typing import TYPE_CHECKING, Any, Generic, NoReturn, Self, TypeVar

from up42_api.api.webhooks import delete_webhook, get_webhook, run_webhook_tests, update_webhook
from up42_api.models import Webhook as WebhookModel
from up42_api.models import WebhookInput

from . import _deprecations as deprecations
from . import _operations as ops
from ._bulk import acyclic_build
from ._responses import Reply
from ._transport import AsyncTransport, Transport

__all__ = ["AsyncWebhook", "Webhook"]

logger = logging.getLogger("up42")


def _aware(value: datetime.datetime) -> datetime.datetime:
    # The API sends UTC; a timestamp without an offset is read as UTC rather than as local time.
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


T = TypeVar("T", Transport, AsyncTransport)


class _WebhookFields(Generic[T]):
    """The read-only fields both webhook classes show, as of the last response, and the transport they use."""

    __slots__ = ("_built", "_raw", "_transport")

    def __init__(self, transport: T, raw: dict[str, Any]) -> None:
        # Set here rather than through _show: a list makes a thousand of these.
        self._transport: T = transport
        self._raw = raw
        self._built: WebhookModel | None = None

    def _show(self, raw: dict[str, Any]) -> None:
        # Every response was checked against the Webhook model as it arrived; the model is built from the raw dict
        # on first use, which cannot fail after the check. Most webhooks of a list are never read field by field.
        self._raw = raw
        self._built = None

    def _copy(self) -> dict[str, Any]:
        # A copy that shares no list or dict with `_raw`: the model is built from `_raw` on first use, and what
        # the caller does to the copy must not change the fields (or make building the model fail). Through JSON
        # rather than deepcopy: it came from JSON, and the decoder already took its depth.
        copied: dict[str, Any] = json.loads(json.dumps(self._raw))
        return copied

    @classmethod
    def _listed(cls, transport: T, reply: Reply, return_json: bool) -> list[Self] | list[dict[str, Any]]:
        """A list call's result from its reply (see `ops.webhooks`): the API's dicts (``return_json``), or one
        webhook object each.

        The body is decoded, checked and made into the result in one pass with garbage collection held back:
        everything the pass makes ends up in the result (see `_bulk`).
        """
        with acyclic_build():
            raws = ops.listed(reply)
            if return_json:
                return list(raws)
            return list(map(cls, repeat(transport), raws))

    @classmethod
    def _created(cls, transport: T, raw: dict[str, Any]) -> Self:
        hook = cls(transport, raw)
        logger.info("Created %r", hook)
        return hook

    def _fresh(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Show a fresh read, and hand the caller a copy of it."""
        self._show(raw)
        return self._copy()

    def _updated(self, raw: dict[str, Any]) -> Self:
        self._show(raw)
        logger.info("Updated %r", self)
        return self

    @property
    def _model(self) -> WebhookModel:
        model = self._built
        if model is None:
            model = self._built = WebhookModel.from_dict(self._raw)
        return model

    @property
    @deprecations.reads(WebhookModel, "id")
    def id(self) -> str:
        """The webhook id."""
        webhook_id: str = self._raw["id"]  # a string: the check made sure
        return webhook_id

    @property
    @deprecations.reads(WebhookModel, "name")
    def name(self) -> str:
        """The webhook's name."""
        return self._model.name

    @property
    @deprecations.reads(WebhookModel, "url")
    def url(self) -> str:
        """The URL deliveries are POSTed to."""
        return self._model.url

    @property
    @deprecations.reads(WebhookModel, "events")
    def events(self) -> list[str]:
        """The subscribed event names, e.g. ``['order.status']`` (names newer than this SDK included)."""
        return [str(event) for event in self._model.events]

    @property
    @deprecations.reads(WebhookModel, "active")
    def active(self) -> bool:
        """Whether live events are delivered."""
        return self._model.active

    @property
    @deprecations.reads(WebhookModel, "created_at")
    def created_at(self) -> datetime.datetime:
        """When the webhook was created (timezone-aware, UTC)."""
        return _aware(self._model.created_at)

    @property
    @deprecations.reads(WebhookModel, "updated_at")
    def updated_at(self) -> datetime.datetime:
        """When the webhook was last changed (timezone-aware, UTC)."""
        return _aware(self._model.updated_at)

    def __repr__(self) -> str:
        # The secret is deliberately absent.
        return (
            f"{type(self).__name__}(name={self.name!r}, id={self.id!r}, active={self.active!r}, events={self.events!r})"
        )


class Webhook(_WebhookFields[Transport]):
    """A registered webhook of the workspace: read it, change it, test it, delete it.

    Obtain one from `up42.create_webhook`, `up42.initialize_webhook` or `up42.get_webhooks` (or the same
    methods of a `up42.Client`); it is not meant to be constructed directly.

    Examples:
        >>> hook = up42.initialize_webhook("3fa85f64-5717-4562-b3fc-2c963f66afa6")  # doctest: +SKIP
        >>> hook.update(active=True)  # doctest: +SKIP
        Webhook(name='orders', id='3fa85f64-5717-4562-b3fc-2c963f66afa6', active=True, events=['order.status'])
    """

    __slots__ = ()

    @property
    @deprecations.sends(get_webhook)
    def info(self) -> dict[str, Any]:
        """The webhook as the API returns it, fetched afresh on every access.

        The dict has the API's camelCase keys (``id``, ``name``, ``url``, ``events``, ``active``, ``secret``,
        ``createdAt``, ``updatedAt``, and any field the API adds later). It includes the secret in clear text,
        as the API sends it.

        Raises:
            NotFoundError: The webhook no longer exists.
        """
        return self._fresh(self._transport.run(ops.fetched(self.id)))

    @deprecations.sends(get_webhook, update_webhook, fields=WebhookInput)
    def update(
        self,
        name: str | None = None,
        url: str | None = None,
        events: list[str] | None = None,
        active: bool | None = None,
        secret: str | None = None,
    ) -> Webhook:
        """Change some fields and keep the rest.

        The webhook is read afresh, the given fields are applied over it, and all five writable fields are sent
        (the API replaces the whole webhook). None keeps a field; anything else applies, including False and
        ``""``. ``events=[]`` is refused before anything is sent: a webhook subscribes to at least one event
        (pause it with ``active=False``).

        Args:
            name: The new name.
            url: The new delivery URL (HTTPS).
            events: The new list of event names, e.g. ``["order.status"]``.
            active: True to deliver live events, False to pause.
            secret: The new signing secret.

        Returns:
            This webhook, showing the state the API returned.

        Raises:
            InvalidArgumentError: An argument has the wrong type; nothing was sent.
            ValidationError: The API refused a value (e.g. a URL that is not HTTPS).
            NotFoundError: The webhook no longer exists.
        """
        changes = ops.Changes.checked(name, url, events, active, secret)
        return self._updated(self._transport.run(ops.updated(self.id, changes, self._show)))

    @deprecations.sends(delete_webhook)
    def delete(self) -> None:
        """Delete the webhook. UP42 stops sending its deliveries.

        Raises:
            NotFoundError: The webhook does not exist (any more).
        """
        self._transport.run(ops.deleted(self.id))

    @deprecations.sends(run_webhook_tests)
    def trigger_test_events(self) -> dict[str, Any]:
        """Ask UP42 to send one test delivery per subscribed event to the webhook URL (works while inactive).

        Returns:
            The test run as the API returns it, e.g. ``{"startedAt": ..., "testsRun": 1, "testsSucceeded": 1,
            "testsFailed": 0, "tests": [...]}``.
        """
        return self._transport.run(ops.tested(self.id))

    @deprecations.sends(run_webhook_tests)
    def trigger_test_event(self) -> dict[str, Any]:
        """Deprecated spelling from the old SDK's documentation; use `trigger_test_events`."""
        warnings.warn(
            "Webhook.trigger_test_event() is deprecated; call trigger_test_events()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.trigger_test_events()


class AsyncWebhook(_WebhookFields[AsyncTransport]):
    """A registered webhook for `up42.AsyncClient`: the same as `Webhook`, with coroutine methods.

    `fetch_info()` replaces the `info` property, since reading a property cannot await.
    """

    __slots__ = ()

    if not TYPE_CHECKING:  # type checkers keep reporting `info` as missing, which it is

        @property
        def info(self) -> NoReturn:
            """Not on an async webhook: ``await hook.fetch_info()`` fetches the same dict."""
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute 'info': a property cannot await, "
                "so use `await hook.fetch_info()`",
                name="info",
                obj=self,
            )

    @deprecations.sends(get_webhook)
    async def fetch_info(self) -> dict[str, Any]:
        """The webhook as the API returns it, fetched afresh (see `Webhook.info`)."""
        return self._fresh(await self._transport.run(ops.fetched(self.id)))

    @deprecations.sends(get_webhook, update_webhook, fields=WebhookInput)
    async def update(
        self,
        name: str | None = None,
        url: str | None = None,
        events: list[str] | None = None,
        active: bool | None = None,
        secret: str | None = None,
    ) -> AsyncWebhook:
        """Change some fields and keep the rest (see `Webhook.update`).

        Args:
            name: The new name.
            url: The new delivery URL (HTTPS).
            events: The new list of event names, e.g. ``["order.status"]``.
            active: True to deliver live events, False to pause.
            secret: The new signing secret.

        Returns:
            This webhook, showing the state the API returned.
        """
        changes = ops.Changes.checked(name, url, events, active, secret)
        return self._updated(await self._transport.run(ops.updated(self.id, changes, self._show)))

    @deprecations.sends(delete_webhook)
    async def delete(self) -> None:
        """Delete the webhook (see `Webhook.delete`)."""
        await self._transport.run(ops.deleted(self.id))

    @deprecations.sends(run_webhook_tests)
    async def trigger_test_events(self) -> dict[str, Any]:
        """Send one test delivery per subscribed event (see `Webhook.trigger_test_events`)."""
        return await self._transport.run(ops.tested(self.id))

"""The webhook operations as plans: the requests each SDK call makes, and how to read their answers.

A plan is a generator. It yields the steps of one SDK call, a `Call` to send or `WORKSPACE` to learn the workspace
id, and receives what each step gave: the `Reply` to a call, the id. It returns the call's result. Nothing here
does I/O, so the sync and async transports run the same plans (``Transport.run``, ``AsyncTransport.run``) and
share every rule: argument checks, the update merge, what each response must contain and what is logged.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Generator, Sequence
from typing import Any, Final, Generic, TypeVar

from up42_api.api.webhooks import (
    create_webhook,
    delete_webhook,
    get_webhook,
    list_webhook_events,
    list_webhooks,
    run_webhook_tests,
    update_webhook,
)
from up42_api.models import (
    EventName,
    EventTypeListEnvelope,
    TestRunEnvelope,
    WebhookEnvelope,
    WebhookInput,
    WebhookListEnvelope,
)
from up42_api.models import Webhook as WebhookModel
from up42_api.types import Unset

from ..errors import InvalidArgumentError
from ._config import encodable
from ._responses import Call, Reply

logger = logging.getLogger("up42")

R = TypeVar("R")


class Workspace:
    """The step that asks for the authenticated user's workspace id (the transport looks it up once)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "WORKSPACE"


WORKSPACE: Final = Workspace()

Step = Call | Workspace
# What a plan receives for a step: a `Reply` for a `Call`, the id (a str) for WORKSPACE.
Plan = Generator[Step, Any, R]


class Running(Generic[R]):
    """A plan being carried out: the step to take next (None once there is none left), then the plan's result."""

    __slots__ = ("_plan", "result", "step")

    def __init__(self, plan: Plan[R]) -> None:
        self._plan = plan
        self.step: Step | None = None
        self.result: R
        self.answer(None)

    def answer(self, given: object) -> None:
        """Hand the plan what its step gave (None to start it), and learn its next step or its result."""
        try:
            self.step = self._plan.send(given)
        except StopIteration as done:
            self.step = None
            self.result = done.value


def workspace_id() -> Plan[str]:
    """The workspace of the authenticated user (a token and the id are fetched on first use)."""
    workspace: str = yield WORKSPACE
    return workspace


def event_types() -> Plan[list[dict[str, Any]]]:
    """The event type catalog, as the API's dicts."""
    reply: Reply = yield Call(list_webhook_events)
    reply.expect(EventTypeListEnvelope)
    return list(reply.data())


def webhooks() -> Plan[Reply]:
    """Every webhook of the workspace: the reply, its body not yet checked (see `listed`)."""
    workspace: str = yield WORKSPACE
    reply: Reply = yield Call(list_webhooks, {"workspace_id": workspace}, deferred=True)
    return reply


def listed(reply: Reply) -> list[dict[str, Any]]:
    """The webhooks of a `webhooks` reply as the API's dicts, each checked against the Webhook model.

    Called in the pass that builds the webhook objects. The models are not built here: a webhook object builds its
    own on first use, which cannot fail after the check.
    """
    checked = reply.checked(list_webhooks)
    checked.expect_checked(WebhookListEnvelope)
    webhooks: list[dict[str, Any]] = checked.data()
    logger.debug("Queried %d webhooks", len(webhooks))
    return webhooks


def created(name: object, url: object, events: object, active: object, secret: object) -> Plan[dict[str, Any]]:
    """A new webhook; every argument is checked before anything is sent."""
    fields = new_fields(name, url, events, active, secret)
    workspace: str = yield WORKSPACE
    reply: Reply = yield Call(create_webhook, {"workspace_id": workspace, "body": fields}, lazy=True)
    return _webhook_from(reply)


def fetched(webhook_id: object) -> Plan[dict[str, Any]]:
    """One webhook, read afresh."""
    checked = checked_id(webhook_id)
    workspace: str = yield WORKSPACE
    reply: Reply = yield Call(get_webhook, {"workspace_id": workspace, "webhook_id": checked}, lazy=True)
    return _webhook_from(reply)


def updated(webhook_id: str, changes: Changes, seen: Callable[[dict[str, Any]], None]) -> Plan[dict[str, Any]]:
    """The webhook after ``changes``: read afresh (shown to ``seen`` at once), merged, and all five fields PUT.

    The API replaces the whole webhook, so every field the changes keep is sent as the fresh read has it.
    """
    current = yield from fetched(webhook_id)
    seen(current)
    workspace: str = yield WORKSPACE
    body = changes.applied_to(WebhookModel.from_dict(current))
    reply: Reply = yield Call(
        update_webhook, {"workspace_id": workspace, "webhook_id": checked_id(webhook_id), "body": body}, lazy=True
    )
    return _webhook_from(reply)


def deleted(webhook_id: object) -> Plan[None]:
    """Delete a webhook."""
    checked = checked_id(webhook_id)
    workspace: str = yield WORKSPACE
    yield Call(delete_webhook, {"workspace_id": workspace, "webhook_id": checked})
    logger.info("Deleted webhook %s", checked)


def tested(webhook_id: object) -> Plan[dict[str, Any]]:
    """Ask UP42 to send one test delivery per subscribed event; the test run summary as the API's dict."""
    checked = checked_id(webhook_id)
    workspace: str = yield WORKSPACE
    reply: Reply = yield Call(run_webhook_tests, {"workspace_id": workspace, "webhook_id": checked})
    reply.expect(TestRunEnvelope)
    return dict(reply.data())


def _webhook_from(reply: Reply) -> dict[str, Any]:
    """The webhook of a single-webhook response as the API's dict, checked against the Webhook model (built on
    first use, like a listed one's)."""
    reply.expect_checked(WebhookEnvelope)
    webhook: dict[str, Any] = reply.data()
    return webhook


def checked_id(webhook_id: object) -> str:
    """A webhook id, or an `InvalidArgumentError` before anything is sent."""
    if not isinstance(webhook_id, str) or not webhook_id.strip():
        raise InvalidArgumentError(f"webhook_id must be a non-empty string, got {_describe(webhook_id)}")
    if webhook_id in (".", ".."):
        # A dot segment is not encoded, and URLs resolve it: the request would go to another path.
        raise InvalidArgumentError(f"webhook_id {webhook_id!r} is not an id: it would name another path of the API")
    return encodable("webhook_id", webhook_id)


def new_fields(name: object, url: object, events: object, active: object, secret: object) -> WebhookInput:
    """The body of a create request; every argument is checked before anything is sent."""
    return WebhookInput(
        name=_text("name", name),
        url=_text("url", url),
        events=_events(events),
        active=_flag(active),
        secret=_secret(secret),
    )


@dataclasses.dataclass(frozen=True)
class Changes:
    """The arguments of an update, checked; None keeps a field, anything else (False and "" too) applies."""

    name: str | None
    url: str | None
    events: list[EventName] | None
    active: bool | None
    secret: str | None = dataclasses.field(repr=False)

    @classmethod
    def checked(cls, name: object, url: object, events: object, active: object, secret: object) -> Changes:
        """Check every argument before anything is sent."""
        return cls(
            name=None if name is None else _text("name", name),
            url=None if url is None else _text("url", url),
            events=None if events is None else _events(events),
            active=None if active is None else _flag(active),
            secret=_secret(secret),
        )

    def applied_to(self, current: WebhookModel) -> WebhookInput:
        """The full body of the PUT: these changes over the webhook as it is now."""
        kept_secret = None if isinstance(current.secret, Unset) else current.secret
        return WebhookInput(
            name=current.name if self.name is None else self.name,
            url=current.url if self.url is None else self.url,
            events=list(current.events) if self.events is None else self.events,
            active=current.active if self.active is None else self.active,
            secret=kept_secret if self.secret is None else self.secret,
        )


def _describe(value: object) -> str:
    if isinstance(value, str):
        return "a string" if value else "an empty string"
    return f"a {type(value).__name__}"


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, got {_describe(value)}")
    return encodable(name, value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"active must be True or False, got {_describe(value)}")
    return value


def _secret(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        # Never echo the value: it is meant to be a secret.
        raise InvalidArgumentError(f"secret must be a string or None, got a {type(value).__name__}")
    return None if value is None else encodable("secret", value)


def _events(value: object) -> list[EventName]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence | set | frozenset):
        raise InvalidArgumentError(
            f"events must be a list of event names such as ['order.status'], got {_describe(value)}"
        )
    names = list(value)
    if not names:
        # UP42 answers an empty list with 422; a webhook is paused with active=False instead.
        raise InvalidArgumentError("events must name at least one event, such as 'order.status' (pause: active=False)")
    for index, item in enumerate(names):
        if not isinstance(item, str) or not item:
            raise InvalidArgumentError(f"each event must be a non-empty string such as 'order.status', got {item!r}")
        encodable(f"events[{index}]", item)
    if isinstance(value, set | frozenset):
        names.sort()
    return [EventName(item) for item in names]

"""The webhook operations as data: which generated endpoint, which arguments, and how to read the answer.

Nothing here does I/O, so the sync and async clients share every rule: argument checks, the update merge, and
what each response must contain.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

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

from ._config import encodable
from ._responses import Call, Reply
from .errors import InvalidArgumentError


def list_events() -> Call:
    """List the event type catalog."""
    return Call(list_webhook_events)


def events_from(reply: Reply) -> list[dict[str, Any]]:
    """The catalog entries as the API's dicts."""
    reply.expect(EventTypeListEnvelope)
    return list(reply.data())


def list_all(workspace_id: str) -> Call:
    """List the webhooks of a workspace."""
    return Call(list_webhooks, {"workspace_id": workspace_id}, lazy=True)


def listed_webhooks_from(reply: Reply) -> list[dict[str, Any]]:
    """Every webhook of a list response as the API's dict, each checked against the Webhook model.

    The models are not built here: `Webhook` builds its own on first use, which cannot fail after the check.
    """
    reply.expect_checked(WebhookListEnvelope)
    webhooks: list[dict[str, Any]] = reply.data()
    return webhooks


def create(workspace_id: str, fields: WebhookInput) -> Call:
    """Create a webhook."""
    return Call(create_webhook, {"workspace_id": workspace_id, "body": fields}, lazy=True)


def get(workspace_id: str, webhook_id: str) -> Call:
    """Read one webhook."""
    return Call(get_webhook, {"workspace_id": workspace_id, "webhook_id": checked_id(webhook_id)}, lazy=True)


def replace(workspace_id: str, webhook_id: str, fields: WebhookInput) -> Call:
    """Replace all five writable fields of a webhook."""
    return Call(
        update_webhook, {"workspace_id": workspace_id, "webhook_id": checked_id(webhook_id), "body": fields}, lazy=True
    )


def delete(workspace_id: str, webhook_id: str) -> Call:
    """Delete a webhook."""
    return Call(delete_webhook, {"workspace_id": workspace_id, "webhook_id": checked_id(webhook_id)})


def run_tests(workspace_id: str, webhook_id: str) -> Call:
    """Ask UP42 to send one test delivery per subscribed event."""
    return Call(run_webhook_tests, {"workspace_id": workspace_id, "webhook_id": checked_id(webhook_id)})


def webhook_from(reply: Reply) -> dict[str, Any]:
    """The webhook of a single-webhook response as the API's dict, checked against the Webhook model (built on
    first use, like a listed one's)."""
    reply.expect_checked(WebhookEnvelope)
    webhook: dict[str, Any] = reply.data()
    return webhook


def test_run_from(reply: Reply) -> dict[str, Any]:
    """The test run summary as the API's dict."""
    reply.expect(TestRunEnvelope)
    return dict(reply.data())


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

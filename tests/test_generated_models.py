"""What the custom templates add to the generated models: type checks, error locations and check_dict.

`from_dict` builds a model and `check_dict` only checks a dict; the SDK relies on both accepting and refusing
exactly the same input, since it checks a list whole and builds each webhook's model later.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
import up42_api.models
from hypothesis import given, settings
from hypothesis import strategies as st
from up42_api.models import (
    ErrorEnvelope,
    EventName,
    EventTypeListEnvelope,
    OAuthError,
    TokenRequest,
    TokenResponse,
    Userinfo,
    Webhook,
    WebhookEnvelope,
    WebhookInput,
    WebhookListEnvelope,
    WebhookMessage,
)

from tests.conftest import envelope, webhook_json
from tests.test_receiving_events import RECORDED
from tests.test_webhooks import EVENTS, TEST_RUN

SAMPLES: list[tuple[Any, dict[str, Any]]] = [
    (WebhookListEnvelope, envelope([webhook_json(), webhook_json(events=["job.status", "order.status"])])),
    (WebhookEnvelope, envelope(webhook_json(secret=None))),
    (Webhook, webhook_json(deliveryRegion="eu-central")),
    (up42_api.models.TestRunEnvelope, envelope(TEST_RUN)),  # imported by name, pytest would collect it
    (EventTypeListEnvelope, envelope(EVENTS)),
    (ErrorEnvelope, {"data": None, "error": {"code": "NOT_FOUND", "message": "no such webhook", "details": {"id": 1}}}),
    (TokenResponse, {"access_token": "t", "expires_in": 300, "token_type": "Bearer", "refresh_expires_in": 1800}),
    (Userinfo, {"sub": "8f3e1c2a-5b4d-4e6f-9a1b-2c3d4e5f6a7b", "email": "me@example.com"}),
    (OAuthError, {"error": "invalid_grant", "error_description": "Invalid user credentials"}),
    (WebhookMessage, RECORDED),
    (WebhookMessage, {**RECORDED, "event": "job.status", "body": {"status": "SUCCEEDED", "jobId": "j-1"}}),
    (WebhookInput, {"name": "orders", "url": "https://example.com/hook", "events": ["order.status"], "active": True}),
    (TokenRequest, {"grant_type": "password", "username": "me", "password": "pw", "client_id": "up42-sdk"}),
]
IDS = [f"{model.__name__}-{index}" for index, (model, _) in enumerate(SAMPLES)]
# One value of every JSON type, to put where the spec wants another.
ODD_VALUES = [None, True, 0, 7, 1.5, "", "yesterday", "order.status", [], [1], ["order.status"], {}, {"a": 1}]
DATE = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z$")


def outcome(parse: Callable[[Any], Any], value: Any) -> tuple[str, str, list[str]] | None:
    """None when ``parse`` accepts ``value``, else the error's type, message and location notes."""
    try:
        parse(value)
    except Exception as error:  # whatever it is, both parsers must agree on it
        return type(error).__name__, str(error), list(getattr(error, "__notes__", []))
    return None


def as_sent(value: Any) -> Any:
    """The sample as `to_dict` writes it back: dates with +00:00 instead of Z."""
    if isinstance(value, dict):
        return {key: as_sent(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_sent(item) for item in value]
    if isinstance(value, str) and DATE.match(value):
        return value[:-1] + "+00:00"
    return value


@pytest.mark.parametrize(("model", "sample"), SAMPLES, ids=IDS)
def test_valid_samples_round_trip_with_every_field_in_its_place(model: Any, sample: dict[str, Any]) -> None:
    # from_dict passes fields positionally; a field in the wrong position would come back under another key.
    assert model.check_dict(sample) is None
    assert model.from_dict(sample).to_dict() == as_sent(sample)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside a JSON document, as a tuple of keys and indexes."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


@st.composite
def broken(draw: st.DrawFn) -> tuple[Any, dict[str, Any]]:
    """A sample with one place deleted, replaced by a value of another type, or given an extra key."""
    model, sample = draw(st.sampled_from(SAMPLES))
    document = copy.deepcopy(sample)
    path = draw(st.sampled_from(paths(document)))
    *parents, last = path
    parent = document
    for step in parents:
        parent = parent[step]
    action = draw(st.sampled_from(["delete", "replace", "extra"]))
    if action == "delete" and isinstance(parent, dict):
        del parent[last]
    elif action == "extra" and isinstance(parent[last], dict):
        parent[last]["unexpected"] = draw(st.sampled_from(ODD_VALUES))
    else:
        parent[last] = draw(st.sampled_from(ODD_VALUES))
    return model, document


@settings(max_examples=400, deadline=None)
@given(broken())
def test_check_dict_accepts_and_refuses_exactly_what_from_dict_does(case: tuple[Any, dict[str, Any]]) -> None:
    model, document = case
    assert outcome(model.check_dict, document) == outcome(model.from_dict, document)


@pytest.mark.parametrize("parse", ["from_dict", "check_dict"])
@pytest.mark.parametrize(
    ("document", "error"),
    [
        (envelope([webhook_json(active="yes")]), ("TypeError", "expected bool, got str", ["active", "[0]", "data"])),
        (envelope([webhook_json(), webhook_json(events=["order.status", 3])]),
         ("ValueError", "3 is not a valid EventName", ["[1]", "events", "[1]", "data"])),
        (envelope([{k: v for k, v in webhook_json().items() if k != "url"}]), ("KeyError", "'url'", ["[0]", "data"])),
        (envelope("[]"), ("TypeError", "expected list, got str", ["data"])),
        ([], ("TypeError", "expected an object, got list", [])),
    ],
)  # fmt: skip
def test_errors_say_where_they_happened(parse: str, document: Any, error: tuple[str, str, list[str]]) -> None:
    # Notes are added on the way out, innermost first; the SDK joins them into "data[0].active".
    assert outcome(getattr(WebhookListEnvelope, parse), document) == error


def test_unknown_event_names_and_fields_still_parse() -> None:
    newer = webhook_json(events=["order.status", "catalog.changed"], deliveryRegion="eu-central")

    hook = Webhook.from_dict(newer)

    assert hook.events == [EventName.ORDER_STATUS, "catalog.changed"]
    assert [event.is_known for event in hook.events] == [True, False]
    assert hook.additional_properties == {"deliveryRegion": "eu-central"}
    assert Webhook.check_dict(newer) is None

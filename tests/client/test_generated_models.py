"""What the custom templates add to the generated models: type checks, error locations and check_dict.

`from_dict` builds a model and `check_dict` only checks a dict; the SDK relies on both accepting and refusing
exactly the same input, since it checks a list whole and builds each webhook's model later.
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import up42_api.models
import yaml
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

from tests.support.contract import SPEC_PATH
from tests.support.deliveries import RECORDED
from tests.support.mock_api import EVENTS, TEST_RUN, envelope, webhook_json
from tests.support.parsers import outcome

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


# The models whose lists are checked a field at a time over the whole list first (check_dicts).
LISTED = [(model, sample) for model, sample in SAMPLES if hasattr(model, "check_dicts")]


@pytest.mark.parametrize(("model", "sample"), LISTED, ids=[model.__name__ for model, _ in LISTED])
def test_check_dicts_accepts_a_list_of_valid_samples_at_once(model: Any, sample: dict[str, Any]) -> None:
    assert model.check_dicts([sample, copy.deepcopy(sample)]) is True
    assert model.check_dicts([]) is True


@settings(max_examples=400, deadline=None)
@given(broken())
def test_check_dicts_accepts_only_what_check_dict_accepts(case: tuple[Any, dict[str, Any]]) -> None:
    model, document = case
    if hasattr(model, "check_dicts") and model.check_dicts([document]):
        assert outcome(model.check_dict, document) is None


def test_a_listed_webhook_that_check_dicts_is_unsure_of_is_checked_item_by_item() -> None:
    newer = webhook_json(events=["order.status", "catalog.changed"])

    assert Webhook.check_dicts([webhook_json(), newer]) is False
    assert WebhookListEnvelope.check_dict(envelope([webhook_json(), newer])) is None


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


# Sensitive fields: the spec marks every credential and secret `format: password`, and the model template masks what
# it marks. The fields checked below come from the spec, not from a list here, so a field marked tomorrow is checked
# tomorrow, and a mark the template misses fails.
SPEC = yaml.safe_load(SPEC_PATH.read_text())
MASK = "'********'"


def resolved(schema: Any) -> Any:
    """The schema a ``$ref`` points to (followed to the end), or ``schema`` itself."""
    while isinstance(schema, dict) and "$ref" in schema:
        target: Any = SPEC
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def marked(schema: Any) -> bool:
    """Whether a property's schema is marked sensitive: on itself, a oneOf/anyOf member or its items, refs followed."""
    schema = resolved(schema)
    if not isinstance(schema, dict):
        return False
    members = [*schema.get("oneOf", []), *schema.get("anyOf", []), *([schema["items"]] if "items" in schema else [])]
    return schema.get("format") == "password" or any(marked(member) for member in members)


def properties(schema: Any) -> dict[str, Any]:
    """An object schema's properties, those of its allOf parts included (as the generator merges them)."""
    schema = resolved(schema)
    found = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        found.update(properties(part))
    return found


def is_object(schema: Any) -> bool:
    schema = resolved(schema)
    types = schema.get("type", [])
    return "properties" in schema or "allOf" in schema or "object" in ([types] if isinstance(types, str) else types)


class Sampler:
    """A document for a schema with every property filled: a fresh value for each plain string, and a fresh secret
    for each marked field, remembered with where it sits."""

    def __init__(self) -> None:
        self.count = 0
        self.secrets: dict[str, str] = {}  # value -> "Model.field.field"
        self.plain: set[str] = set()

    def fresh(self, kind: str) -> str:
        self.count += 1
        return f"{kind}-{self.count:03}"

    def document(self, schema: Any, where: str) -> dict[str, Any]:
        document: dict[str, Any] = {}
        for name, item in properties(schema).items():
            if marked(item):
                secret = self.fresh("sensitive")
                self.secrets[secret] = f"{where}.{name}"
                types = resolved(item).get("type")
                document[name] = [secret] if types == "array" or "array" in (types or []) else secret
            else:
                document[name] = self.value(item, f"{where}.{name}")
        extra = resolved(schema).get("additionalProperties", False)
        if not document and extra is not False:
            document["key"] = self.value(extra if isinstance(extra, dict) else {"type": "string"}, f"{where}[key]")
        return document

    def value(self, schema: Any, where: str) -> Any:
        schema = resolved(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        for key in ("oneOf", "anyOf"):
            if key in schema:  # the first member that is not null
                return self.value(next(m for m in schema[key] if resolved(m).get("type") != "null"), where)
        if is_object(schema):
            return self.document(schema, where)
        types = schema.get("type", "string")
        kind = next((t for t in ([types] if isinstance(types, str) else types) if t != "null"), "null")
        if kind == "array":
            return [self.value(schema["items"], f"{where}[0]")]
        if kind == "string" and schema.get("format") in ("date-time", "date"):
            return "2024-01-02T03:04:05+00:00" if schema["format"] == "date-time" else "2024-01-02"
        if kind == "string":
            value = self.fresh("plain")
            self.plain.add(value)
            return value
        return {"integer": 7, "number": 1.5, "boolean": True, "null": None}[kind]


def generated_models() -> set[type]:
    """Every attrs class that a module of up42_api.models defines."""
    found = set()
    for info in pkgutil.iter_modules(up42_api.models.__path__):
        module = importlib.import_module(f"up42_api.models.{info.name}")
        found |= {c for c in vars(module).values() if attrs.has(c) and c.__module__ == module.__name__}
    return found


def attrs_instances(value: Any) -> Iterator[Any]:
    """``value`` and every model inside it."""
    if attrs.has(type(value)):
        yield value
        for field in attrs.fields(type(value)):
            yield from attrs_instances(getattr(value, field.name))
    elif isinstance(value, list):
        for item in value:
            yield from attrs_instances(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from attrs_instances(item)


def sample_models() -> tuple[Sampler, dict[str, Any]]:
    """An instance of the model of each object schema of the spec, every field filled, nested models included."""
    sampler = Sampler()
    built = {}
    for name, schema in SPEC["components"]["schemas"].items():
        if is_object(schema):
            model = getattr(up42_api.models, name, None)
            assert model is not None, f"no generated model for the schema {name}"
            built[name] = model.from_dict(sampler.document(schema, name))
    return sampler, built


def test_the_spec_marks_fields_sensitive() -> None:
    sampler, _ = sample_models()
    assert {"TokenRequest.password", "WebhookInput.secret", "Webhook.secret", "TokenResponse.access_token"} <= set(
        sampler.secrets.values()
    )


def test_no_generated_model_shows_a_field_the_spec_marks_sensitive() -> None:
    sampler, built = sample_models()
    reached = {type(inner) for model in built.values() for inner in attrs_instances(model)}

    # Every model of the package was built, so none escapes the check below.
    assert generated_models() - reached == set()
    for name, model in built.items():
        for text in (repr(model), str(model)):
            leaks = sorted(sampler.secrets[value] for value in sampler.secrets if value in text)
            assert not leaks, f"repr of {name} shows {leaks}: {text}"
            # The check can see a value: every plain string of the model shows.
            assert all(value in text for value in sampler.plain if value in json.dumps(model.to_dict()))
    # Every marked field was filled and is still in a model (so the check above covered it); its repr says it is set.
    checked = set()
    for model in built.values():
        for inner in attrs_instances(model):
            for field in attrs.fields(type(inner)):
                value = getattr(inner, field.name)
                values = {item for item in (value if isinstance(value, list) else [value]) if isinstance(item, str)}
                if values & set(sampler.secrets):
                    checked |= values
                    assert f"{field.name}={MASK}" in repr(inner), (type(inner).__name__, field.name)
    missing = sorted(sampler.secrets[value] for value in set(sampler.secrets) - checked)
    assert not missing, f"fields the spec marks sensitive that no model holds: {missing}"
    # Only the repr changes: every value goes out as it came in.
    sent = json.dumps([model.to_dict() for model in built.values()])
    assert all(value in sent for value in sampler.secrets)

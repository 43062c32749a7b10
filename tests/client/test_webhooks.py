"""Contract tests of the webhook operations: the requests the SDK sends and what the user gets back."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import respx

import up42
from tests.support.mock_api import (
    API,
    EVENTS,
    HOOK,
    HOOK_PATH,
    SECRET,
    TEST_RUN,
    TOKENS,
    USERNAME,
    WEBHOOKS,
    WORKSPACE,
    Auth,
    envelope,
    webhook_json,
)


def sent_json(route: respx.Route, index: int = -1) -> Any:
    return json.loads(route.calls[index].request.content)


def test_get_webhook_events_returns_the_api_dicts(api: respx.MockRouter, facade: None) -> None:
    route = api.get(f"{API}/webhooks/events").respond(200, json=envelope(EVENTS))

    events = up42.get_webhook_events()

    assert events == EVENTS
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKENS[0]}"
    assert request.content == b""


def test_get_webhooks_returns_webhook_objects(api: respx.MockRouter, facade: None) -> None:
    other = webhook_json(name="jobs", active=True, events=["job.status", "order.status"])
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([HOOK, other]))

    hooks = up42.get_webhooks()

    assert [type(h) for h in hooks] == [up42.Webhook, up42.Webhook]
    assert [(h.id, h.name, h.active, h.events) for h in hooks] == [
        (HOOK["id"], "orders", False, ["order.status"]),
        (other["id"], "jobs", True, ["job.status", "order.status"]),
    ]
    assert hooks[0].url == "https://example.com/hook"
    assert hooks[0].created_at == datetime.datetime(2022, 6, 20, 4, 5, 31, 755744, tzinfo=datetime.UTC)
    assert hooks[0].updated_at.tzinfo is not None


def test_get_webhooks_return_json_gives_the_exact_api_dicts(api: respx.MockRouter, facade: None) -> None:
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([HOOK]))

    assert up42.get_webhooks(return_json=True) == [HOOK]


def test_empty_workspace_lists_nothing(api: respx.MockRouter, facade: None) -> None:
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([]))

    assert up42.get_webhooks() == []


@pytest.mark.parametrize(
    ("arguments", "expected_body"),
    [
        (
            {"name": "orders", "url": "https://example.com/hook", "events": ["order.status"]},
            {"name": "orders", "url": "https://example.com/hook", "events": ["order.status"], "active": False,
             "secret": None},
        ),
        (
            {"name": "n", "url": "https://x.example/h", "events": ("job.status", "order.status"), "active": True,
             "secret": SECRET},
            {"name": "n", "url": "https://x.example/h", "events": ["job.status", "order.status"], "active": True,
             "secret": SECRET},
        ),
    ],
)  # fmt: skip
def test_create_webhook_posts_exactly_the_five_fields(
    api: respx.MockRouter, facade: None, arguments: dict[str, Any], expected_body: dict[str, Any]
) -> None:
    route = api.post(f"{API}{WEBHOOKS}").respond(200, json=envelope(HOOK))

    hook = up42.create_webhook(**arguments)

    assert sent_json(route) == expected_body
    assert route.calls.last.request.headers["Content-Type"] == "application/json"
    assert isinstance(hook, up42.Webhook)
    assert hook.id == HOOK["id"]


def test_initialize_webhook_reads_it_once(api: respx.MockRouter, facade: None) -> None:
    route = api.get(HOOK_PATH).respond(200, json=envelope(HOOK))

    hook = up42.initialize_webhook(HOOK["id"])

    assert (hook.id, hook.name, route.call_count) == (HOOK["id"], "orders", 1)


def test_info_fetches_afresh_on_every_access(api: respx.MockRouter, facade: None) -> None:
    renamed = {**HOOK, "name": "renamed", "updatedAt": "2023-01-01T00:00:00Z"}
    route = api.get(HOOK_PATH).mock(
        side_effect=[
            respx.MockResponse(200, json=envelope(HOOK)),
            respx.MockResponse(200, json=envelope(HOOK)),
            respx.MockResponse(200, json=envelope(renamed)),
        ]
    )
    hook = up42.initialize_webhook(HOOK["id"])

    assert hook.info == HOOK
    assert hook.info == renamed
    assert route.call_count == 3
    assert hook.name == "renamed"


def test_what_info_returns_shares_nothing_with_the_webhook(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    hook = up42.initialize_webhook(HOOK["id"])

    shown = hook.info  # the model is still to be built from what the webhook holds
    shown["events"].clear()
    shown["events"].append(42)

    assert hook.events == ["order.status"]
    assert hook.info["events"] == ["order.status"]


def test_a_webhook_takes_no_attributes_of_the_callers(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    hook = up42.initialize_webhook(HOOK["id"])

    with pytest.raises(AttributeError):
        hook.actve = False  # type: ignore[attr-defined]


NONE_OR_VALUE = [
    ("name", "new name"),
    ("url", "https://new.example/hook"),
    ("events", ["job.status"]),
    ("active", True),
    ("active", False),
    ("secret", "rotated"),
    ("secret", ""),
]


@pytest.mark.parametrize(("field", "value"), NONE_OR_VALUE)
def test_update_merges_over_a_fresh_read_and_puts_all_five_fields(
    api: respx.MockRouter, facade: None, field: str, value: Any
) -> None:
    current = {**HOOK, "active": True}  # so that active=False is a real change
    get = api.get(HOOK_PATH).respond(200, json=envelope(current))
    updated = {**current, field: value, "updatedAt": "2024-02-02T10:00:00.5Z"}
    put = api.put(HOOK_PATH).respond(200, json=envelope(updated))
    hook = up42.initialize_webhook(HOOK["id"])

    result = hook.update(**{field: value})

    expected = {k: current[k] for k in ("name", "url", "events", "active", "secret")}
    expected[field] = value
    assert sent_json(put) == expected
    assert list(sent_json(put)) == ["name", "url", "events", "active", "secret"]
    assert get.call_count == 2  # initialize + the fresh read before the merge
    assert result is hook
    assert hook.updated_at == datetime.datetime(2024, 2, 2, 10, 0, 0, 500000, tzinfo=datetime.UTC)


def test_update_with_nothing_resends_the_current_fields(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    put = api.put(HOOK_PATH).respond(200, json=envelope(HOOK))

    up42.initialize_webhook(HOOK["id"]).update()

    assert sent_json(put) == {k: HOOK[k] for k in ("name", "url", "events", "active", "secret")}


def test_update_keeps_a_missing_secret_as_null(api: respx.MockRouter, facade: None) -> None:
    without_secret = {k: v for k, v in HOOK.items() if k != "secret"}
    api.get(HOOK_PATH).respond(200, json=envelope(without_secret))
    put = api.put(HOOK_PATH).respond(200, json=envelope(without_secret))

    up42.initialize_webhook(HOOK["id"]).update(name="x")

    assert sent_json(put)["secret"] is None


def test_delete_handles_204_without_a_body(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    route = api.delete(HOOK_PATH).respond(204)

    assert up42.initialize_webhook(HOOK["id"]).delete() is None
    assert route.call_count == 1


def test_trigger_test_events_returns_the_test_run(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    route = api.post(f"{HOOK_PATH}/tests").respond(200, json=envelope(TEST_RUN))

    result = up42.initialize_webhook(HOOK["id"]).trigger_test_events()

    assert result == TEST_RUN
    assert route.calls.last.request.content == b""


def test_trigger_test_event_is_a_deprecated_alias(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    api.post(f"{HOOK_PATH}/tests").respond(200, json=envelope(TEST_RUN))
    hook = up42.initialize_webhook(HOOK["id"])

    with pytest.warns(DeprecationWarning, match="trigger_test_events"):
        assert hook.trigger_test_event() == TEST_RUN


def test_repr_is_well_formed_and_hides_the_secret(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))

    text = repr(up42.initialize_webhook(HOOK["id"]))

    assert text == f"Webhook(name='orders', id='{HOOK['id']}', active=False, events=['order.status'])"
    assert SECRET not in text


def test_unknown_fields_are_kept(api: respx.MockRouter, facade: None) -> None:
    newer = {**HOOK, "description": "added by a newer API", "retries": {"max": 5}}
    api.get(HOOK_PATH).respond(200, json=envelope(newer))

    hook = up42.initialize_webhook(HOOK["id"])

    assert hook.info == newer
    assert hook.name == "orders"


@pytest.mark.off_spec  # the spec lists today's event names; a newer server may send others
def test_unknown_event_names_parse_and_equal_their_plain_string(api: respx.MockRouter, facade: None) -> None:
    newer = {**HOOK, "events": ["order.status", "asset.created"]}
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([newer, HOOK]))
    api.get(f"{API}/webhooks/events").respond(200, json=envelope([*EVENTS, {"name": "asset.created"}]))

    hooks = up42.get_webhooks()

    assert hooks[0].events == ["order.status", "asset.created"]
    assert "asset.created" in hooks[0].events
    assert [e["name"] for e in up42.get_webhook_events()] == ["job.status", "order.status", "asset.created"]


def test_unknown_event_names_round_trip_through_update(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    put = api.put(HOOK_PATH).respond(200, json=envelope(HOOK))

    up42.initialize_webhook(HOOK["id"]).update(events=["order.status"])

    assert sent_json(put)["events"] == ["order.status"]


def test_explicit_client_has_the_facade_methods(api: respx.MockRouter, client: up42.Client, auth: Auth) -> None:
    api.get(f"{API}/webhooks/events").respond(200, json=envelope(EVENTS))
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([HOOK]))
    api.post(f"{API}{WEBHOOKS}").respond(200, json=envelope(HOOK))
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))

    assert client.get_webhook_events() == EVENTS
    assert client.get_webhooks(return_json=True) == [HOOK]
    assert client.create_webhook("orders", "https://example.com/hook", ["order.status"]).id == HOOK["id"]
    assert client.initialize_webhook(HOOK["id"]).name == "orders"
    assert client.workspace_id == WORKSPACE
    assert (auth.token.call_count, auth.userinfo.call_count) == (1, 1)
    assert repr(client) == f"Client(base_url='https://api.up42.com', username='{USERNAME}')"


def test_every_request_sends_the_user_agent_and_a_timeout(api: respx.MockRouter, facade: None) -> None:
    api.get(f"{API}/webhooks/events").respond(200, json=envelope(EVENTS))

    up42.get_webhook_events()

    assert len(api.calls) == 3  # token, userinfo, events
    for call in api.calls:
        assert call.request.headers["User-Agent"] == f"up42-webhooks/{up42.__version__}"
        timeouts = call.request.extensions["timeout"]
        assert timeouts["connect"] == 10.0
        assert timeouts["read"] == 30.0


def test_an_empty_event_list_is_refused_before_anything_is_sent(api: respx.MockRouter, facade: None) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    hook = up42.initialize_webhook(HOOK["id"])
    calls = len(api.calls)
    with pytest.raises(up42.InvalidArgumentError, match="at least one event"):
        hook.update(events=[])
    with pytest.raises(up42.InvalidArgumentError, match="at least one event"):
        up42.create_webhook("orders", "https://example.com/hook", [])
    assert len(api.calls) == calls

"""Text no request can carry is refused before anything is sent; what errors keep of a body hides credentials."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

import up42
from tests.support.mock_api import API, PASSWORD, SECRET, TOKEN_PATH, USERNAME, WEBHOOKS, Auth, envelope, webhook_json

LONE = "\ud800"
HOOK = webhook_json()
HOOK_PATH = f"{API}{WEBHOOKS}/{HOOK['id']}"
GOOD = {"name": "orders", "url": "https://example.com/hook", "events": ["order.status"], "secret": "s"}

# Each argument the client sends, with a lone surrogate in it, and the name the error must give.
CREATE_CASES = [
    ({**GOOD, "name": f"ord{LONE}ers"}, "name"),
    ({**GOOD, "url": f"https://example.com/{LONE}"}, "url"),
    ({**GOOD, "secret": f"s3{LONE}"}, "secret"),
    ({**GOOD, "events": ["order.status", f"job{LONE}.status"]}, "events[1]"),
]
# The same values as changes: only the argument at fault.
UPDATE_CASES = [({named.split("[")[0]: arguments[named.split("[")[0]]}, named) for arguments, named in CREATE_CASES]


def refused(error: pytest.ExceptionInfo[up42.InvalidArgumentError], named: str) -> None:
    message = str(error.value)
    assert message.startswith(f"{named} ") and "lone surrogate" in message
    assert LONE not in message


@pytest.mark.parametrize(("arguments", "named"), CREATE_CASES, ids=lambda case: str(case))
def test_create_refuses_unencodable_text_before_sending(
    api: respx.MockRouter, client: up42.Client, arguments: dict[str, Any], named: str
) -> None:
    with pytest.raises(up42.InvalidArgumentError) as caught:
        client.create_webhook(**arguments)

    refused(caught, named)
    assert not api.calls


@pytest.mark.parametrize(("changes", "named"), UPDATE_CASES, ids=lambda case: str(case))
def test_update_refuses_unencodable_text_before_sending(
    api: respx.MockRouter, client: up42.Client, changes: dict[str, Any], named: str
) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    hook = client.initialize_webhook(HOOK["id"])
    sent = len(api.calls)

    with pytest.raises(up42.InvalidArgumentError) as caught:
        hook.update(**changes)

    refused(caught, named)
    assert len(api.calls) == sent


def test_an_id_is_refused_before_sending(api: respx.MockRouter, client: up42.Client) -> None:
    with pytest.raises(up42.InvalidArgumentError) as caught:
        client.initialize_webhook(f"{HOOK['id']}{LONE}")

    refused(caught, "webhook_id")
    assert not api.calls


@pytest.mark.off_spec
@pytest.mark.parametrize(
    "operation",
    [up42.Webhook.delete, up42.Webhook.trigger_test_events, up42.Webhook.update, lambda hook: hook.info],
    ids=["delete", "trigger_test_events", "update", "info"],
)
def test_an_unusable_id_from_the_server_is_refused_before_sending(
    api: respx.MockRouter, client: up42.Client, operation: Callable[[up42.Webhook], object]
) -> None:
    # A JSON escape carries a lone surrogate into a str; the id then goes into the path of every operation.
    listed = json.dumps(envelope([{**HOOK, "id": "id-\ud800"}])).encode()
    api.get(f"{API}{WEBHOOKS}").respond(200, content=listed, headers={"Content-Type": "application/json"})
    (hook,) = client.get_webhooks()
    sent = len(api.calls)

    with pytest.raises(up42.InvalidArgumentError) as caught:
        operation(hook)

    refused(caught, "webhook_id")
    assert len(api.calls) == sent


@pytest.mark.parametrize(
    ("credentials", "named"),
    [((f"me{LONE}@example.com", PASSWORD), "username"), ((USERNAME, f"pa{LONE}ss"), "password")],
)
def test_credentials_are_refused_before_sending(
    api: respx.MockRouter, credentials: tuple[str, str], named: str
) -> None:
    for connect in (up42.Client, up42.AsyncClient, up42.authenticate):
        with pytest.raises(up42.InvalidArgumentError) as caught:
            connect(*credentials)
        refused(caught, named)
    assert not api.calls


def test_credentials_from_the_environment_are_refused_too(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bytes of an environment variable that are not UTF-8 arrive as lone surrogates ("surrogateescape").
    monkeypatch.setenv("UP42_USERNAME", USERNAME)
    monkeypatch.setenv("UP42_PASSWORD", b"pa\xffss".decode("utf-8", "surrogateescape"))

    with pytest.raises(up42.InvalidArgumentError) as caught:
        up42.Client()

    refused(caught, "password from UP42_USERNAME and UP42_PASSWORD")
    assert not api.calls


def test_a_base_url_that_no_request_can_carry_is_refused(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(up42.InvalidArgumentError) as given:
        up42.Client(USERNAME, PASSWORD, base_url=f"http://127.0.0.1:8042/{LONE}")
    monkeypatch.setenv("UP42_BASE_URL", b"http://127.0.0.1:8042/\xff".decode("utf-8", "surrogateescape"))
    with pytest.raises(up42.InvalidArgumentError) as from_environment:
        up42.Client(USERNAME, PASSWORD)

    refused(given, "base_url")
    refused(from_environment, "UP42_BASE_URL")
    assert not api.calls


AsyncCall = Callable[[up42.AsyncClient], Awaitable[Any]]
ASYNC_CASES: list[tuple[AsyncCall, str]] = [
    *((lambda c, a=arguments: c.create_webhook(**a), named) for arguments, named in CREATE_CASES),
    (lambda c: c.initialize_webhook(f"id{LONE}"), "webhook_id"),
]


@pytest.mark.parametrize(("call", "named"), ASYNC_CASES)
async def test_the_async_client_refuses_the_same_text(
    api: respx.MockRouter, auth: Auth, call: AsyncCall, named: str
) -> None:
    async with up42.AsyncClient(USERNAME, PASSWORD) as client:
        with pytest.raises(up42.InvalidArgumentError) as caught:
            await call(client)

    refused(caught, named)
    assert not api.calls


@pytest.mark.off_spec
async def test_the_async_webhook_refuses_an_unusable_id(api: respx.MockRouter, auth: Auth) -> None:
    api.get(f"{API}{WEBHOOKS}").respond(
        200,
        content=json.dumps(envelope([{**HOOK, "id": "id-\ud800"}])).encode(),
        headers={"Content-Type": "application/json"},
    )
    async with up42.AsyncClient(USERNAME, PASSWORD) as client:
        (hook,) = await client.get_webhooks()
        sent = len(api.calls)
        for action in (hook.delete, hook.trigger_test_events, hook.fetch_info, lambda: hook.update(name="n")):
            with pytest.raises(up42.InvalidArgumentError) as caught:
                await action()
            refused(caught, "webhook_id")
    assert len(api.calls) == sent


@pytest.mark.off_spec
def test_a_malformed_token_response_keeps_no_token(api: respx.MockRouter) -> None:
    # Valid JSON with a missing field, then a body cut off in the middle of the token's value.
    tokens = ["tok-3xyz.never-shown", "tok-cut-never-shown"]
    api.post(f"https://auth.up42.com{TOKEN_PATH}").mock(
        side_effect=[
            httpx.Response(200, json={"access_token": tokens[0], "token_type": "Bearer"}),
            httpx.Response(200, content=b'{"token_type": "Bearer", "access_token": "' + tokens[1].encode()),
        ]
    )

    for _ in tokens:
        with up42.Client(USERNAME, PASSWORD) as client, pytest.raises(up42.ResponseParseError) as caught:
            client.authenticate()
        assert "access_token" in caught.value.body and "********" in caught.value.body
        for text in (caught.value.body, str(caught.value), repr(caught.value)):
            assert not any(token in text for token in tokens)


@pytest.mark.off_spec
def test_a_malformed_webhook_response_keeps_no_secret(api: respx.MockRouter, client: up42.Client) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope({**HOOK, "createdAt": "not a date"}))
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([HOOK, {**HOOK, "active": "yes"}]))

    for call in (lambda: client.initialize_webhook(HOOK["id"]), client.get_webhooks):
        with pytest.raises(up42.ResponseParseError) as caught:
            call()
        # Any JSON spacing: older httpx writes the mocked body with spaces after separators.
        assert re.search(r'"secret":\s*"\*{8}"', caught.value.body)
        assert SECRET not in caught.value.body and SECRET not in str(caught.value)


@pytest.mark.off_spec
def test_an_error_response_keeps_no_secret_either(api: respx.MockRouter, client: up42.Client) -> None:
    api.get(HOOK_PATH).respond(409, json={"error": {"message": "conflict"}, "data": HOOK})

    with pytest.raises(up42.APIError) as caught:
        client.initialize_webhook(HOOK["id"])

    assert SECRET not in caught.value.body

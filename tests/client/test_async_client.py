"""AsyncClient: the same operations, arguments, results and errors as Client, as coroutines."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

import up42
from tests.support.mock_api import (
    API,
    EVENTS,
    HOOK,
    HOOK_PATH,
    PASSWORD,
    TEST_RUN,
    TOKENS,
    USERNAME,
    WEBHOOKS,
    WORKSPACE,
    Auth,
    envelope,
    error_envelope,
)


@pytest.fixture
async def aclient(auth: Auth) -> up42.AsyncClient:
    async with up42.AsyncClient(USERNAME, PASSWORD) as client:
        yield client  # type: ignore[misc]


async def test_every_operation_as_a_coroutine(api: respx.MockRouter, aclient: up42.AsyncClient, auth: Auth) -> None:
    api.get(f"{API}/webhooks/events").respond(200, json=envelope(EVENTS))
    api.get(f"{API}{WEBHOOKS}").respond(200, json=envelope([HOOK]))
    create = api.post(f"{API}{WEBHOOKS}").respond(200, json=envelope(HOOK))
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    put = api.put(HOOK_PATH).respond(200, json=envelope({**HOOK, "active": True}))
    tests = api.post(f"{HOOK_PATH}/tests").respond(200, json=envelope(TEST_RUN))
    delete = api.delete(HOOK_PATH).respond(204)

    assert await aclient.get_webhook_events() == EVENTS
    assert await aclient.get_webhooks(return_json=True) == [HOOK]
    (listed,) = await aclient.get_webhooks()
    assert isinstance(listed, up42.AsyncWebhook)
    created = await aclient.create_webhook("orders", "https://example.com/hook", ["order.status"], secret="s")
    assert json.loads(create.calls.last.request.content) == {
        "name": "orders",
        "url": "https://example.com/hook",
        "events": ["order.status"],
        "active": False,
        "secret": "s",
    }
    hook = await aclient.initialize_webhook(HOOK["id"])
    assert await hook.fetch_info() == HOOK
    assert await hook.update(active=True) is hook
    assert json.loads(put.calls.last.request.content)["active"] is True
    assert hook.active is True
    assert await hook.trigger_test_events() == TEST_RUN
    assert await hook.delete() is None
    assert (created.id, tests.call_count, delete.call_count) == (HOOK["id"], 1, 1)
    assert repr(hook) == f"AsyncWebhook(name='orders', id='{HOOK['id']}', active=True, events=['order.status'])"
    assert (auth.token.call_count, auth.userinfo.call_count) == (1, 1)
    assert all(call.request.url.path.startswith(f"/workspaces/{WORKSPACE}") for call in put.calls)


async def test_info_points_to_fetch_info_and_hasattr_still_says_no(
    api: respx.MockRouter, aclient: up42.AsyncClient
) -> None:
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))
    hook = await aclient.initialize_webhook(HOOK["id"])

    with pytest.raises(AttributeError, match=r"has no attribute 'info': .*use `await hook\.fetch_info\(\)`") as caught:
        hook.info  # type: ignore[attr-defined]  # noqa: B018 - reading it is the test

    assert (caught.value.name, caught.value.obj) == ("info", hook)
    assert not hasattr(hook, "info")
    assert api.calls.call_count == 3  # token, userinfo, the one GET: reading `info` sent nothing


async def test_a_401_refreshes_once_and_retries(api: respx.MockRouter, aclient: up42.AsyncClient, auth: Auth) -> None:
    route = api.get(f"{API}{WEBHOOKS}").mock(
        side_effect=[
            httpx.Response(401, json=error_envelope("UNAUTHORIZED", "expired")),
            httpx.Response(200, json=envelope([])),
        ]
    )

    assert await aclient.get_webhooks() == []
    assert [c.request.headers["Authorization"] for c in route.calls] == [f"Bearer {TOKENS[0]}", f"Bearer {TOKENS[1]}"]


async def test_errors_are_the_same_classes(api: respx.MockRouter, aclient: up42.AsyncClient) -> None:
    api.get(f"{API}{WEBHOOKS}/missing").respond(404, json=error_envelope("RESOURCE_NOT_FOUND", "Webhook not found"))
    api.get(f"{API}/webhooks/events").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(up42.NotFoundError, match="Webhook not found"):
        await aclient.initialize_webhook("missing")
    with pytest.raises(up42.APITimeoutError):
        await aclient.get_webhook_events()
    with pytest.raises(up42.InvalidArgumentError):
        await aclient.create_webhook("n", "https://e.example", "order.status")  # type: ignore[arg-type]


async def test_wrong_credentials(api: respx.MockRouter) -> None:
    api.post(url__regex=r".*/token$").respond(401, json={"error": "invalid_grant", "error_description": "Invalid user"})

    async with up42.AsyncClient(USERNAME, PASSWORD) as client:
        with pytest.raises(up42.AuthenticationError, match="refused the credentials"):
            await client.authenticate()

"""The operations as plans, and the one runner per transport that carries them out.

A plan only yields steps and reads what it is given back, so it can be driven by hand here; both transports
run the same plan to the same requests, within one deadline however many requests the plan makes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

import up42
from tests.support.mock_api import API, PASSWORD, USERNAME, WEBHOOKS, WORKSPACE, Auth, envelope, webhook_json
from up42._client import _operations as ops
from up42._client._deadline import Deadline, current_deadline
from up42._client._responses import Answer, Call, Reply, read
from up42._masking import NO_SECRETS

HOOK = webhook_json(name="orders", active=False, secret="kept")
HOOK_PATH = f"{API}{WEBHOOKS}/{HOOK['id']}"


def _reply(call: Call, status: int, body: Any) -> Reply:
    """What a transport would hand the plan for ``call``: the parsed answer of a server."""
    request = call.request()
    answer = Answer(
        status,
        "OK",
        [(b"content-type", b"application/json")],
        request["method"],
        request["url"],
        json.dumps(body).encode(),
    )
    return read(call, answer, NO_SECRETS)


def test_update_is_a_fresh_read_merged_into_one_put_driven_by_hand() -> None:
    seen: list[dict[str, Any]] = []
    changed = {**HOOK, "name": "renamed"}
    plan = ops.updated(HOOK["id"], ops.Changes.checked("renamed", None, None, None, None), seen.append)

    assert next(plan) is ops.WORKSPACE
    get = plan.send(WORKSPACE)
    assert isinstance(get, Call) and get.request()["method"] == "get"
    assert plan.send(_reply(get, 200, envelope(HOOK))) is ops.WORKSPACE
    assert seen == [HOOK]  # shown as soon as it is read, whatever the PUT then does
    put = plan.send(WORKSPACE)
    assert isinstance(put, Call) and put.request()["method"] == "put"
    assert put.request()["json"] == {
        "name": "renamed",
        "url": HOOK["url"],
        "events": HOOK["events"],
        "active": False,
        "secret": "kept",
    }
    with pytest.raises(StopIteration) as done:
        plan.send(_reply(put, 200, envelope(changed)))
    assert done.value.value == changed


@pytest.mark.parametrize(
    "plan",
    [
        lambda: ops.created("n", "https://e.example/h", [], False, None),
        lambda: ops.fetched(""),
        lambda: ops.deleted(".."),
        lambda: ops.tested(42),
    ],
)
def test_a_plan_checks_its_arguments_before_its_first_step(plan: Callable[[], ops.Plan[Any]]) -> None:
    with pytest.raises(up42.InvalidArgumentError):
        next(plan())


def _two_reads(webhook_id: str) -> ops.Plan[tuple[str, str]]:
    """An operation no client has: two reads of one webhook, as a new operation would be written."""
    first = yield from ops.fetched(webhook_id)
    second = yield from ops.fetched(webhook_id)
    return first["name"], second["name"]


@pytest.fixture
def deadlines(api: respx.MockRouter, auth: Auth) -> list[Deadline | None]:
    """The deadline current as each read of HOOK was sent; its first read answers "first", the next "second"."""
    seen: list[Deadline | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(current_deadline.get())
        name = "first" if len(seen) == 1 else "second"
        return httpx.Response(200, json=envelope({**HOOK, "name": name}))

    api.get(HOOK_PATH).mock(side_effect=answer)
    return seen


def _sent(api: respx.MockRouter) -> list[tuple[str, str, bytes]]:
    return [(call.request.method, str(call.request.url), call.request.content) for call in api.calls]


def test_both_transports_run_a_plan_to_the_same_requests_and_result(
    api: respx.MockRouter, deadlines: list[Deadline | None]
) -> None:
    with up42.Client(USERNAME, PASSWORD) as client:
        result = client._transport.run(_two_reads(HOOK["id"]))
    sync_sent = _sent(api)
    api.calls.clear()
    deadlines.clear()

    async def run_async() -> tuple[str, str]:
        async with up42.AsyncClient(USERNAME, PASSWORD, http_backend="httpx") as client:
            return await client._transport.run(_two_reads(HOOK["id"]))

    assert asyncio.run(run_async()) == result == ("first", "second")
    assert _sent(api) == sync_sent
    assert [method for method, _, _ in sync_sent] == ["POST", "GET", "GET", "GET"]  # token, workspace, two reads


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_new_operation_gets_one_deadline_across_its_requests(deadlines: list[Deadline | None], kind: str) -> None:
    def run(client_deadline: float | None) -> None:
        if kind == "sync":
            with up42.Client(USERNAME, PASSWORD, deadline=client_deadline) as client:
                client._transport.run(_two_reads(HOOK["id"]))
            return

        async def run_async() -> None:
            async with up42.AsyncClient(USERNAME, PASSWORD, http_backend="httpx", deadline=client_deadline) as client:
                await client._transport.run(_two_reads(HOOK["id"]))

        asyncio.run(run_async())

    run(30)
    first, second = deadlines
    assert isinstance(first, Deadline) and first.seconds == 30
    assert second is first
    assert current_deadline.get() is None  # and none is left behind once the call is over

    deadlines.clear()
    run(None)
    assert deadlines == [None, None]


def test_a_failed_step_ends_the_plan_with_its_error(api: respx.MockRouter, auth: Auth) -> None:
    api.get(HOOK_PATH).respond(404, json={"data": None, "error": {"code": "NOT_FOUND", "message": "gone"}})
    finished: list[bool] = []

    def plan() -> ops.Plan[None]:
        yield from ops.fetched(HOOK["id"])
        finished.append(True)

    with up42.Client(USERNAME, PASSWORD) as client, pytest.raises(up42.NotFoundError, match="gone"):
        client._transport.run(plan())
    assert finished == []

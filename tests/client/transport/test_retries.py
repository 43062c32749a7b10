"""The retry policy: what is retried, how long the SDK waits, and what it raises when it gives up."""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import threading
import time
from typing import Any

import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import up42
from tests.support.mock_api import (
    API,
    AUTH,
    HOOK,
    HOOK_PATH,
    PASSWORD,
    TEST_RUN,
    TOKEN_PATH,
    USERNAME,
    WEBHOOKS,
    Auth,
    envelope,
    error_envelope,
)
from up42._client._retry import RetryRules

LIST = f"{API}{WEBHOOKS}"
BUSY = error_envelope("SERVICE_UNAVAILABLE", "try again")


def responses(*items: httpx.Response | Exception) -> list[httpx.Response | Exception]:
    return list(items)


def test_429_then_200_waits_as_retry_after_says(api: respx.MockRouter, facade: None, sleeps: list[float]) -> None:
    date = email.utils.formatdate(time.time() + 3, usegmt=True)
    route = api.get(LIST).mock(
        side_effect=responses(
            httpx.Response(429, json=BUSY, headers={"Retry-After": "0"}),
            httpx.Response(429, json=BUSY, headers={"Retry-After": date}),
            httpx.Response(200, json=envelope([])),
        )
    )

    assert up42.get_webhooks() == []

    assert route.call_count == 3
    assert sleeps[0] == 0.0
    assert 1.5 < sleeps[1] <= 3.0


def test_429_is_retried_for_post_too(api: respx.MockRouter, facade: None) -> None:
    route = api.post(LIST).mock(
        side_effect=responses(httpx.Response(429, json=BUSY), httpx.Response(200, json=envelope(HOOK)))
    )

    assert up42.create_webhook("orders", "https://example.com/hook", ["order.status"]).id == HOOK["id"]
    assert route.call_count == 2


def test_a_retry_after_beyond_the_cap_is_raised_at_once(api: respx.MockRouter, facade: None) -> None:
    route = api.get(LIST).respond(429, json=BUSY, headers={"Retry-After": "120"})

    with pytest.raises(up42.RateLimitError) as caught:
        up42.get_webhooks()

    assert (route.call_count, caught.value.retry_after, caught.value.attempts) == (1, 120.0, 1)


def test_429_until_the_attempts_run_out(api: respx.MockRouter, facade: None, sleeps: list[float]) -> None:
    route = api.get(LIST).respond(429, json=BUSY, headers={"Retry-After": "2"})

    with pytest.raises(up42.RateLimitError, match="after 4 attempts") as caught:
        up42.get_webhooks()

    assert (route.call_count, caught.value.attempts, caught.value.retry_after) == (4, 4, 2.0)
    assert sleeps == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_calls_are_retried_on_5xx(api: respx.MockRouter, facade: None, method: str) -> None:
    api.get(HOOK_PATH).mock(
        side_effect=responses(
            httpx.Response(503, json=BUSY), httpx.Response(502, text="<html/>", headers={"Content-Type": "text/html"})
        )
        + [httpx.Response(200, json=envelope(HOOK))] * 3
    )
    put = api.put(HOOK_PATH).mock(
        side_effect=responses(httpx.Response(500, json=BUSY), httpx.Response(200, json=envelope(HOOK)))
    )
    delete = api.delete(HOOK_PATH).mock(side_effect=responses(httpx.Response(504, json=BUSY), httpx.Response(204)))

    hook = up42.initialize_webhook(HOOK["id"])
    if method == "PUT":
        hook.update(name="x")
        assert put.call_count == 2
    if method == "DELETE":
        hook.delete()
        assert delete.call_count == 2
    assert hook.id == HOOK["id"]


def test_503_twice_then_200_on_get_with_backoff_in_bounds(
    api: respx.MockRouter, facade: None, sleeps: list[float]
) -> None:
    api.get(LIST).mock(
        side_effect=responses(
            httpx.Response(503, json=BUSY), httpx.Response(503, json=BUSY), httpx.Response(200, json=envelope([]))
        )
    )

    assert up42.get_webhooks() == []
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.5
    assert 0 <= sleeps[1] <= 1.0


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503, json=BUSY),
        httpx.Response(500, json=BUSY),
        httpx.ReadTimeout("slow"),
        httpx.ReadError("reset"),
    ],
)
def test_a_post_that_may_have_arrived_is_not_repeated(
    api: respx.MockRouter, facade: None, failure: httpx.Response | Exception
) -> None:
    create = api.post(LIST).mock(side_effect=[failure, httpx.Response(200, json=envelope(HOOK))])
    tests = api.post(f"{HOOK_PATH}/tests").mock(side_effect=[failure, httpx.Response(200, json=envelope(TEST_RUN))])
    api.get(HOOK_PATH).respond(200, json=envelope(HOOK))

    with pytest.raises(up42.UP42Error):
        up42.create_webhook("orders", "https://example.com/hook", ["order.status"])
    with pytest.raises(up42.UP42Error):
        up42.initialize_webhook(HOOK["id"]).trigger_test_events()

    assert (create.call_count, tests.call_count) == (1, 1)


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("syn lost")])
def test_a_post_that_never_left_is_retried(api: respx.MockRouter, facade: None, failure: Exception) -> None:
    create = api.post(LIST).mock(side_effect=[failure, httpx.Response(200, json=envelope(HOOK))])

    assert up42.create_webhook("orders", "https://example.com/hook", ["order.status"]).id == HOOK["id"]
    assert create.call_count == 2


def test_giving_up_raises_the_last_error_with_the_attempt_count(api: respx.MockRouter, facade: None) -> None:
    api.get(LIST).respond(503, json=BUSY)
    api.get(f"{API}/webhooks/events").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(up42.ServerError, match="after 4 attempts") as server:
        up42.get_webhooks()
    with pytest.raises(up42.APITimeoutError, match="after 4 attempts") as timeout:
        up42.get_webhook_events()

    assert (server.value.attempts, timeout.value.attempts) == (4, 4)


def test_the_token_request_is_retried_on_5xx(api: respx.MockRouter) -> None:
    token = api.post(f"{AUTH}{TOKEN_PATH}").mock(
        side_effect=[httpx.Response(503, json=BUSY), httpx.Response(200, json={"access_token": "t", "expires_in": 60})]
    )
    api.get(url__regex=r".*/userinfo$").respond(200, json={"sub": "ws"})

    up42.authenticate(username=USERNAME, password=PASSWORD)

    assert token.call_count == 2


def test_max_retries_zero_disables_retries(api: respx.MockRouter, auth: Auth) -> None:
    route = api.get(LIST).respond(503, json=BUSY)

    up42.authenticate(username=USERNAME, password=PASSWORD, max_retries=0)
    with pytest.raises(up42.ServerError) as caught:
        up42.get_webhooks()

    assert (route.call_count, caught.value.attempts) == (1, 1)


def test_tuned_backoff(api: respx.MockRouter, auth: Auth, sleeps: list[float]) -> None:
    api.get(LIST).respond(503, json=BUSY)

    with (
        up42.Client(USERNAME, PASSWORD, max_retries=5, backoff_base=0.01, backoff_max=0.02) as client,
        pytest.raises(up42.ServerError),
    ):
        client.get_webhooks()

    assert len(sleeps) == 5
    assert all(0 <= s <= 0.02 for s in sleeps)


def test_backoff_grows_exponentially_with_full_jitter_up_to_the_cap() -> None:
    top = RetryRules(backoff_base=0.5, backoff_max=8.0, rand=lambda: 1.0)
    bottom = RetryRules(rand=lambda: 0.0)
    half = RetryRules(backoff_base=1.0, backoff_max=100.0, rand=lambda: 0.5)

    assert [top.backoff(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert {bottom.backoff(n) for n in range(7)} == {0.0}
    assert [half.backoff(n) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize(
    "options",
    [{"max_retries": -1}, {"max_retries": 1.5}, {"max_retries": True}, {"backoff_base": -1}, {"retry_after_max": "9"}],
)
def test_bad_retry_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(up42.InvalidArgumentError):
        up42.Client(USERNAME, PASSWORD, **options)


def test_each_retry_is_logged_with_its_reason(
    api: respx.MockRouter, facade: None, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(LIST).mock(side_effect=[httpx.Response(503, json=BUSY), httpx.Response(200, json=envelope([]))])
    caplog.set_level(logging.DEBUG, logger="up42")

    up42.get_webhooks()

    (message,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert message.startswith(f"retrying GET {WEBHOOKS} in ")
    assert message.endswith("(attempt 2 of 4): HTTP 503")


async def test_async_client_follows_the_same_policy(api: respx.MockRouter, auth: Auth, sleeps: list[float]) -> None:
    route = api.get(LIST).mock(
        side_effect=[
            httpx.Response(429, json=BUSY, headers={"Retry-After": "1"}),
            httpx.Response(200, json=envelope([])),
        ]
    )
    create = api.post(LIST).respond(503, json=BUSY)

    async with up42.AsyncClient(USERNAME, PASSWORD) as client:
        assert await client.get_webhooks() == []
        with pytest.raises(up42.ServerError):
            await client.create_webhook("n", "https://e.example/h", ["order.status"])

    assert (route.call_count, create.call_count, sleeps) == (2, 1, [1.0])


def _expiring_token_auth(api: respx.MockRouter) -> respx.Route:
    """A token endpoint whose first token is already stale and whose second one lasts."""
    issued: list[int] = []

    def issue(request: httpx.Request) -> httpx.Response:
        issued.append(1)
        time.sleep(0.05)  # a slow identity provider widens the window in which callers pile up
        lifetime = 0 if len(issued) == 1 else 300
        return httpx.Response(200, json={"access_token": f"tok-{len(issued)}", "expires_in": lifetime})

    api.get(url__regex=r".*/userinfo$").respond(200, json={"sub": "ws"})
    return api.post(f"{AUTH}{TOKEN_PATH}").mock(side_effect=issue)


@pytest.mark.off_spec  # the workspace id "ws" is fine for the test, the spec describes UUIDs only in prose
def test_eight_threads_share_one_token_refresh(api: respx.MockRouter) -> None:
    token = _expiring_token_auth(api)
    api.get(url__regex=r".*/workspaces/ws/webhooks$").respond(200, json=envelope([]))
    client = up42.Client(USERNAME, PASSWORD)
    client.authenticate()  # token 1, stale at once
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def call() -> None:
        barrier.wait()
        try:
            client.get_webhooks()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert errors == []
    assert token.call_count == 2  # the first login, then exactly one refresh for all eight callers
    client.close()


@pytest.mark.off_spec
async def test_a_hundred_tasks_share_one_token_refresh(api: respx.MockRouter) -> None:
    token = _expiring_token_auth(api)
    api.get(url__regex=r".*/workspaces/ws/webhooks$").respond(200, json=envelope([]))

    async with up42.AsyncClient(USERNAME, PASSWORD) as client:
        await client.authenticate()
        results = await asyncio.gather(*(client.get_webhooks() for _ in range(100)))

    assert results == [[]] * 100
    assert token.call_count == 2


OPERATIONS = ["events", "list", "list_json", "create", "get", "update", "delete", "tests"]
BODIES = st.one_of(
    st.just(b""),
    st.just(b"<html><body>502 Bad Gateway</body></html>"),
    st.just(b'{"data": [{"id": "x"'),
    st.just(json.dumps({"data": {**HOOK, "active": "yes"}}).encode()),
    st.just(json.dumps({"data": {k: v for k, v in HOOK.items() if k != "id"}}).encode()),
    st.just(json.dumps({"data": None, "error": "boom"}).encode()),
    st.just(json.dumps({"data": 5}).encode()),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["data", "error", "id"]), inner),
        max_leaves=6,
    ).map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=40),
)


def _run(operation: str, client: up42.Client) -> object:
    if operation == "events":
        return client.get_webhook_events()
    if operation == "list":
        return client.get_webhooks()
    if operation == "list_json":
        return client.get_webhooks(return_json=True)
    if operation == "create":
        return client.create_webhook("n", "https://e.example/h", ["order.status"])
    hook = client.initialize_webhook(HOOK["id"])
    if operation == "update":
        return hook.update(active=True)
    if operation == "delete":
        return hook.delete()
    if operation == "tests":
        return hook.trigger_test_events()
    return hook.info


def _attempt(operation: str, client: up42.Client) -> up42.UP42Error | None:
    try:
        _run(operation, client)
    except up42.UP42Error as error:
        return error
    return None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operation=st.sampled_from(OPERATIONS),
    status=st.one_of(st.sampled_from([200, 204, 299, 400, 401, 404, 429, 499, 500, 502, 520]), st.integers(200, 599)),
    body=BODIES,
    content_type=st.sampled_from(["application/json", "text/html", ""]),
)
def test_any_answer_on_any_operation_raises_only_up42_errors(
    operation: str, status: int, body: bytes, content_type: str
) -> None:
    answer = httpx.Response(status, content=body, headers={"Content-Type": content_type} if content_type else {})
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        router.post(f"{AUTH}{TOKEN_PATH}").respond(200, json={"access_token": "t", "expires_in": 300})
        router.get(url__regex=r".*/userinfo$").respond(200, json={"sub": "ws"})
        router.get(f"{API}/workspaces/ws/webhooks/{HOOK['id']}").mock(
            side_effect=[httpx.Response(200, json=envelope(HOOK)), answer, answer, answer, answer]
        )
        router.route(url__startswith=API).mock(return_value=answer)
        with up42.Client(USERNAME, PASSWORD, max_retries=0) as client:
            failure = _attempt(operation, client)
    if failure is None:
        assert 200 <= status < 300
    else:
        assert str(failure)  # every failure explains itself

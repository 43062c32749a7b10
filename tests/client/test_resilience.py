"""The retry policy and token refresh proven against the real local sandbox with faults switched on."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest

import up42
from up42._client import _retry
from up42.sandbox import Faults, Sandbox

HOOKS = 50


@pytest.fixture
def real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Against a real server the waits must really pass, or a rate limit could never recover."""
    monkeypatch.setattr(_retry, "sleep", time.sleep)
    monkeypatch.setattr(_retry, "asleep", asyncio.sleep)


@pytest.fixture
def flaky_sandbox() -> Iterator[Sandbox]:
    with Sandbox(faults=Faults(fail_rate=0.3, rate_limit=60), token_ttl=3) as sandbox:
        yield sandbox


def _create_once(client: up42.Client, name: str) -> None:
    """Create a webhook exactly once although the POST itself is not retried: on failure, look before retrying."""
    for _ in range(20):
        try:
            client.create_webhook(name, f"https://example.com/{name}", ["order.status"])
            return
        except (up42.ServerError, up42.APIConnectionError):
            if any(hook.name == name for hook in client.get_webhooks()):
                return
    raise AssertionError(f"{name} could not be created in 20 tries")


def test_hundreds_of_operations_under_faults_reach_the_intended_state(
    flaky_sandbox: Sandbox, real_sleep: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="up42")
    # The rate limit answers 429 only to a client faster than 60 calls a second, which a loaded machine may not
    # run; one scripted 429 makes sure the wait for Retry-After is part of every run.
    flaky_sandbox.script("listWebhooks", 429, headers={"Retry-After": "1"})
    operations = 0
    with up42.Client(
        flaky_sandbox.username,
        flaky_sandbox.password,
        base_url=flaky_sandbox.url,
        # A call fails only when every attempt draws a 503 (a 429 is waited out): with 3 in 10 failing, about 300
        # calls and 21 attempts each, 300 * 0.3**21 is about 3e-9; with 9 attempts it was about 6e-3 a run.
        max_retries=20,
        backoff_base=0.01,
        backoff_max=0.1,
    ) as client:
        for n in range(HOOKS):
            _create_once(client, f"hook-{n}")
            operations += 1
        by_name = {hook.name: hook for hook in client.get_webhooks()}
        for n in range(HOOKS):
            hook = by_name[f"hook-{n}"]
            hook.update(active=True, events=["order.status", "job.status"])
            assert hook.info["active"] is True
            assert client.initialize_webhook(hook.id).events == ["order.status", "job.status"]
            operations += 4  # GET + PUT of the update, GET of info, GET of initialize
            if n % 3 == 0:
                hook.delete()
                operations += 1
            if n % 5 == 0:
                client.get_webhook_events()
                operations += 1
        final = client.get_webhooks()

    expected = sorted(f"hook-{n}" for n in range(HOOKS) if n % 3 != 0)
    assert sorted(hook.name for hook in final) == expected  # nothing lost, nothing duplicated
    assert all(hook.active and hook.events == ["order.status", "job.status"] for hook in final)
    assert operations >= 250
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying")]
    assert any(m.endswith("HTTP 503") for m in retries)  # the faults really happened and were absorbed
    assert any(m.endswith("HTTP 429") for m in retries)
    assert flaky_sandbox.scripts() == []


async def test_concurrent_async_operations_under_faults(flaky_sandbox: Sandbox, real_sleep: None) -> None:
    # 100 calls at once against 60 requests a second: each burst answered 429 comes back together after its
    # Retry-After, so a call may need a few rounds on top of the 30% random 503s.
    async with up42.AsyncClient(
        flaky_sandbox.username, flaky_sandbox.password, base_url=flaky_sandbox.url, max_retries=16, backoff_max=0.1
    ) as client:
        for _ in range(20):  # a failed POST is not retried by the SDK; look before trying again
            try:
                created = await client.create_webhook("async", "https://example.com/a", ["order.status"])
                break
            except up42.ServerError:
                (created, *_) = await client.get_webhooks() or [None]
                if created is not None:
                    break
        assert created is not None
        results = await asyncio.gather(*(client.initialize_webhook(created.id) for _ in range(100)))
        listed = await client.get_webhooks(return_json=True)

    assert {hook.id for hook in results} == {created.id}
    assert [hook["name"] for hook in listed] == ["async"]


def test_a_short_token_ttl_never_surfaces_a_401(real_sleep: None, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="up42")
    with (
        Sandbox(token_ttl=1) as sandbox,
        up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client,
    ):
        hook = client.create_webhook("ttl", "https://example.com/ttl", ["order.status"])
        deadline = time.monotonic() + 3.5
        calls = 0
        while time.monotonic() < deadline and calls < 5000:
            assert client.initialize_webhook(hook.id).name == "ttl"
            calls += 1

    tokens = [
        r for r in caplog.records if r.getMessage().startswith("POST /realms/public/protocol/openid-connect/token")
    ]
    assert len(tokens) >= 4  # renewed again and again during the run, never refused in between
    assert not any("-> 401" in r.getMessage() for r in caplog.records)

"""The Redis de-duplication store against a real redis-server on loopback, shared by two receivers."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.support.deliveries import SECRET, delivery, message
from tests.support.loopback import free_port
from tests.support.redis_server import connected
from up42.receiving import OutcomeKind, Receiver, RedisDedupeStore, WebhookEvent
from up42.receiving.durable._dedupe import ClaimState

STARTUP_SECONDS = 10


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free loopback port, without persistence, stopped after the module."""
    executable = shutil.which("redis-server")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed, but CI is set: the Redis store must be tested there")
        pytest.skip("redis-server not installed")
    port = free_port()
    workdir: Path = tmp_path_factory.mktemp("redis")
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen([*command, "--dir", str(workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_until_ready(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=STARTUP_SECONDS)
        if server.stderr is not None:
            server.stderr.close()


def _wait_until_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if server.poll() is not None:
            pytest.fail(f"redis-server exited with {server.returncode} before accepting connections")
        with connected(url) as client:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
        time.sleep(0.05)


@pytest.fixture
def client(redis_url: str) -> Iterator[object]:
    """A client of the test server, one per test, on an empty database."""
    with connected(redis_url) as connection:
        connection.flushdb()
        yield connection


def test_two_receivers_sharing_redis_handle_a_message_once(redis_url: str, client: object) -> None:
    # Two stores with their own connections stand for two receiver processes behind a load balancer.
    first_store, second_store = RedisDedupeStore.from_url(redis_url), RedisDedupeStore.from_url(redis_url)
    try:
        handled: list[str] = []
        receivers = [Receiver(SECRET, dedupe=first_store), Receiver(SECRET, dedupe=second_store)]
        for receiver in receivers:
            receiver.on("order.status")(lambda event: handled.append(event.message_id))
        content = message()
        outcomes = [receiver.handle(*delivery(content)) for receiver in receivers]
        assert [outcome.kind for outcome in outcomes] == [OutcomeKind.HANDLED, OutcomeKind.DUPLICATE]
        assert handled == [content["messageId"]]
        other = message()
        assert receivers[1].handle(*delivery(other)).kind is OutcomeKind.HANDLED
        assert receivers[0].handle(*delivery(other)).kind is OutcomeKind.DUPLICATE
    finally:
        first_store.close()
        second_store.close()


def test_a_failed_handler_on_one_receiver_lets_the_other_handle_the_retry(redis_url: str, client: object) -> None:
    stores = [RedisDedupeStore.from_url(redis_url), RedisDedupeStore.from_url(redis_url)]
    try:
        failing, working = Receiver(SECRET, dedupe=stores[0]), Receiver(SECRET, dedupe=stores[1])

        @failing.on("order.status")
        def broken(event: WebhookEvent) -> None:
            raise RuntimeError("disk full")

        handled: list[str] = []
        working.on("order.status")(lambda event: handled.append(event.message_id))
        content = message()
        assert failing.handle(*delivery(content)).kind is OutcomeKind.HANDLER_FAILED
        assert working.handle(*delivery(content)).kind is OutcomeKind.HANDLED
        assert handled == [content["messageId"]]
    finally:
        for store in stores:
            store.close()


def test_a_claim_is_one_key_under_the_prefix_with_the_lease_then_the_ttl(redis_url: str, client: object) -> None:
    store = RedisDedupeStore.from_url(redis_url, ttl=120, prefix="test:")
    try:
        assert store.claim("m-1", "owner", 5) is ClaimState.CLAIMED
        assert store.claim("m-1", "other", 5) is ClaimState.IN_PROGRESS
        assert client.keys("*") == [b"test:m-1"]  # type: ignore[attr-defined]
        assert 0 < client.pttl("test:m-1") <= 5000  # type: ignore[attr-defined]
        store.release("m-1", "other")
        assert client.exists("test:m-1") == 1  # type: ignore[attr-defined]
        store.release("m-1", "owner")
        assert client.exists("test:m-1") == 0  # type: ignore[attr-defined]
        assert store.claim("m-1", "owner", 5) is ClaimState.CLAIMED
        store.complete("m-1")
        assert 5 < client.ttl("test:m-1") <= 120  # type: ignore[attr-defined]
        assert store.claim("m-1", "other", 5) is ClaimState.DONE
        store.release("m-1", "owner")
        assert store.claim("m-1", "other", 5) is ClaimState.DONE
    finally:
        store.close()


def test_renewal_extends_only_the_owners_live_claim(redis_url: str, client: object) -> None:
    store = RedisDedupeStore.from_url(redis_url, prefix="test:")
    try:
        store.claim("m-1", "owner", 0.5)
        assert store.renew("m-1", "owner", 60) is True
        assert client.pttl("test:m-1") > 50_000  # type: ignore[attr-defined]
        assert store.renew("m-1", "other", 60) is False
        store.complete("m-1")
        assert store.renew("m-1", "owner", 1) is False
        assert client.ttl("test:m-1") > 60  # type: ignore[attr-defined]
        assert store.renew("never-claimed", "owner", 60) is False
    finally:
        store.close()


def test_contended_claims_across_connections_are_granted_once(redis_url: str, client: object) -> None:
    stores = [RedisDedupeStore.from_url(redis_url) for _ in range(8)]
    barrier, results = threading.Barrier(len(stores)), []

    def claim(store: RedisDedupeStore) -> None:
        barrier.wait()
        results.append(store.claim("contended", str(id(store)), 5))

    threads = [threading.Thread(target=claim, args=(store,)) for store in stores]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for store in stores:
            store.close()
    assert sorted(results) == [ClaimState.CLAIMED] + [ClaimState.IN_PROGRESS] * (len(stores) - 1)


LEASE = 0.3
"""Short, so that waiting for a dead holder's lease keeps the tests fast."""

# A receiver process whose handler announces itself and then hangs, until the test kills it with SIGKILL.
HANGING_RECEIVER = """
import json, sys, time
from up42.receiving import Receiver, RedisDedupeStore

url, secret, lease = sys.argv[1], sys.argv[2], float(sys.argv[3])
receiver = Receiver(secret, dedupe=RedisDedupeStore.from_url(url), lease=lease)

@receiver.on_any
def hang(event):
    print("handling", flush=True)
    time.sleep(60)

request = json.load(sys.stdin)
receiver.handle(request["body"].encode(), request["headers"])
"""


def test_a_receiver_killed_mid_run_frees_its_message_after_the_lease(redis_url: str, client: object) -> None:
    content = message()
    body, headers = delivery(content)
    holder = subprocess.Popen(
        [sys.executable, "-c", HANGING_RECEIVER, redis_url, SECRET, str(LEASE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).parent.parent.parent,
    )
    store = RedisDedupeStore.from_url(redis_url)
    try:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write(json.dumps({"body": body.decode(), "headers": headers}).encode())
        holder.stdin.close()
        assert holder.stdout.readline() == b"handling\n"
        receiver = Receiver(SECRET, dedupe=store, lease=LEASE)
        handled: list[str] = []
        receiver.on_any(lambda event: handled.append(event.message_id))
        time.sleep(LEASE * 3)  # the live holder renews its lease: still in progress long after one lease
        assert receiver.handle(body, headers).kind is OutcomeKind.IN_PROGRESS
        holder.kill()  # SIGKILL: no release, no renewal
        holder.wait(STARTUP_SECONDS)
        time.sleep(LEASE * 1.5)
        assert receiver.handle(body, headers).kind is OutcomeKind.HANDLED
        assert handled == [content["messageId"]]
    finally:
        holder.kill()
        holder.wait(STARTUP_SECONDS)
        if holder.stdout is not None:
            holder.stdout.close()
        store.close()


def test_an_abandoned_claim_answers_in_progress_until_its_lease_ends(redis_url: str, client: object) -> None:
    store = RedisDedupeStore.from_url(redis_url)
    try:
        content = message()
        store.claim(content["messageId"], "a-process-that-died", LEASE)
        receiver = Receiver(SECRET, dedupe=store, lease=LEASE)
        receiver.on_any(lambda event: None)
        during = receiver.handle(*delivery(content))
        assert (during.kind, during.status_code, during.headers) == (OutcomeKind.IN_PROGRESS, 503, {"Retry-After": "1"})
        time.sleep(LEASE * 1.5)
        assert receiver.handle(*delivery(content)).kind is OutcomeKind.HANDLED
        assert receiver.handle(*delivery(content)).kind is OutcomeKind.DUPLICATE
    finally:
        store.close()


async def test_a_run_cancelled_on_one_receiver_is_handled_by_the_other(redis_url: str, client: object) -> None:
    stores = [RedisDedupeStore.from_url(redis_url), RedisDedupeStore.from_url(redis_url)]
    try:
        cancelled, working = Receiver(SECRET, dedupe=stores[0]), Receiver(SECRET, dedupe=stores[1])

        @cancelled.on_any
        async def slow(event: WebhookEvent) -> None:
            await asyncio.sleep(10)

        handled: list[str] = []
        working.on_any(lambda event: handled.append(event.message_id))
        content = message()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(cancelled.handle_async(*delivery(content)), timeout=0.1)
        assert (await working.handle_async(*delivery(content))).kind is OutcomeKind.HANDLED
        assert handled == [content["messageId"]]
        assert client.ttl(f"up42:webhook-message:{content['messageId']}") > 3600  # type: ignore[attr-defined]
    finally:
        for store in stores:
            store.close()


def test_a_redelivery_to_another_receiver_during_a_failing_run_is_retried_not_lost(
    redis_url: str, client: object
) -> None:
    stores = [RedisDedupeStore.from_url(redis_url), RedisDedupeStore.from_url(redis_url)]
    try:
        first, second = Receiver(SECRET, dedupe=stores[0]), Receiver(SECRET, dedupe=stores[1])
        entered, opened = threading.Event(), threading.Event()

        @first.on_any
        def fails(event: WebhookEvent) -> None:
            entered.set()
            opened.wait(10)
            raise ConnectionError("database down")

        handled: list[str] = []
        second.on_any(lambda event: handled.append(event.message_id))
        content = message()
        outcomes: list[Any] = []
        run = threading.Thread(target=lambda: outcomes.append(first.handle(*delivery(content))))
        run.start()
        assert entered.wait(10)
        assert second.handle(*delivery(content)).status_code == 503
        opened.set()
        run.join(10)
        assert outcomes[0].kind is OutcomeKind.HANDLER_FAILED
        assert second.handle(*delivery(content)).kind is OutcomeKind.HANDLED
        assert handled == [content["messageId"]]
    finally:
        for store in stores:
            store.close()


def test_an_unreachable_redis_gives_503() -> None:
    store = RedisDedupeStore.from_url(f"redis://127.0.0.1:{free_port()}/0")
    try:
        receiver = Receiver(SECRET, dedupe=store)
        receiver.on_any(lambda event: None)
        outcome = receiver.handle(*delivery())
        assert (outcome.kind, outcome.status_code) == (OutcomeKind.STORE_FAILED, 503)
        assert isinstance(outcome.error, redis.ConnectionError)
    finally:
        store.close()


def test_a_fractional_ttl_is_refused() -> None:
    with pytest.raises(ValueError, match="whole number of seconds"):
        RedisDedupeStore(object(), ttl=1.5)  # type: ignore[arg-type]

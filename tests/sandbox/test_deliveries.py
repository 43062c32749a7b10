"""Deliveries from the sandbox to real receivers on loopback: test runs, live events, signatures, retries."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import up42
from tests.support.loopback import NOTHING_LISTENS
from tests.support.receivers import Recorder
from tests.support.sandbox import SECRET
from tests.support.waiting import wait_for
from up42._messages import sample_body
from up42._server import bind
from up42.receiving import Receiver, WebhookEvent, parse, verify
from up42.sandbox import RetryPolicy, Sandbox
from up42.sandbox._delivery import Deliverer
from up42.sandbox._store import Store, WebhookFields


@pytest.fixture
def sdk(up42_sandbox: Sandbox) -> Iterator[up42.Client]:
    with up42.Client(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url) as client:
        yield client


def test_a_test_run_reaches_a_receiver_that_verifies_it_even_while_inactive(
    up42_sandbox: Sandbox, sdk: up42.Client, serve: Any
) -> None:
    received: list[WebhookEvent] = []
    receiver = Receiver(SECRET)
    receiver.on_any(received.append)
    hook = sdk.create_webhook("both", serve(receiver.asgi_app()), ["order.status", "job.status"], secret=SECRET)
    assert hook.active is False

    run = hook.trigger_test_events()

    assert (run["testsRun"], run["testsSucceeded"], run["testsFailed"]) == (2, 2, 0)
    assert [test["eventName"] for test in run["tests"]] == ["order.status", "job.status"]
    assert all(test["message"] == "Test request was successful!" for test in run["tests"])
    assert run["tests"][0]["response"].endswith(" 200 OK]")
    assert [event.event for event in received] == ["order.status", "job.status"]
    order = received[0]
    assert order.is_test
    assert (order.body.order_id, order.body.data_host_name) == (
        "00000000-0000-0000-0000-000000000001",
        "test-up42-host-name",
    )
    assert str(order.body.status) == "FULFILLED"
    assert order.body.status_is_final is True
    assert len({event.message_id for event in received}) == 2
    log = up42_sandbox.deliveries()
    assert [(d["webhookId"], d["liveMode"], d["attempt"], d["status"], d["error"]) for d in log] == [
        (hook.id, False, 1, 200, None)
    ] * 2
    assert [d["messageId"] for d in log] == [event.message_id for event in received]


def test_each_test_run_has_fresh_message_ids(sdk: up42.Client, serve: Any) -> None:
    recorder = Recorder()
    hook = sdk.create_webhook("orders", serve(recorder), ["order.status"], secret=SECRET)
    first, second = hook.trigger_test_events(), hook.trigger_test_events()
    ids = [run["tests"][0]["request"]["body"]["messageId"] for run in (first, second)]
    assert ids[0] != ids[1]


def test_a_receiver_with_another_secret_refuses_and_the_test_fails(sdk: up42.Client, serve: Any) -> None:
    hook = sdk.create_webhook("orders", serve(Receiver("another-secret").asgi_app()), ["order.status"], secret=SECRET)
    run = hook.trigger_test_events()
    assert (run["testsRun"], run["testsSucceeded"], run["testsFailed"]) == (1, 0, 1)
    assert run["tests"][0]["success"] is False
    assert "401" in run["tests"][0]["message"]


def test_deliveries_are_signed_with_the_webhook_secret_and_unsigned_without_one(sdk: up42.Client, serve: Any) -> None:
    recorder = Recorder()
    url = serve(recorder)
    sdk.create_webhook("signed", url, ["order.status"], secret=SECRET).trigger_test_events()
    sdk.create_webhook("unsigned", url, ["order.status"]).trigger_test_events()

    (signed_headers, signed_body), (plain_headers, plain_body) = recorder.requests
    assert verify(signed_body, signed_headers, SECRET).event == "order.status"
    assert signed_headers["signature-input"].startswith("up42-sig=(")
    assert "signature" not in plain_headers
    assert "signature-input" not in plain_headers
    assert plain_headers["content-type"] == "application/json"
    assert parse(plain_body).live_mode is False
    assert SECRET not in repr(recorder.requests)


def test_an_unreachable_url_fails_the_test_without_failing_the_request(up42_sandbox: Sandbox, sdk: up42.Client) -> None:
    closed = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"
    closed.close()
    run = sdk.create_webhook("nowhere", url, ["order.status"]).trigger_test_events()
    assert run["testsFailed"] == 1
    assert run["tests"][0]["response"] is None
    assert "ConnectError" in run["tests"][0]["message"]
    (attempt,) = up42_sandbox.deliveries()
    assert attempt["status"] is None
    assert "ConnectError" in attempt["error"]


def test_a_dot_invalid_host_fails_at_once_without_a_dns_lookup(
    up42_sandbox: Sandbox, sdk: up42.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every lookup of this process (the sandbox's among them) is seen, and one of a name off loopback fails at
    # once: on a machine without a network, it could otherwise hang for the resolver's timeout.
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)  # httpcore passes bytes
        looked_up.append(name)
        if name not in ("127.0.0.1", "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, "not looked up in this test")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for host in ("up42-conformance-check.invalid", "a.b.invalid"):
        run = sdk.create_webhook("nowhere", f"https://{host}/hook", ["order.status"]).trigger_test_events()
        assert run["testsFailed"] == 1
        assert run["tests"][0]["message"] == "Test request failed: not sent: a .invalid host never resolves (RFC 6761)"
    # The same request to any other name is looked up: the check above sees the sandbox's lookups.
    other = sdk.create_webhook("elsewhere", "https://up42-check.example/hook", ["order.status"]).trigger_test_events()
    assert other["testsFailed"] == 1
    assert "up42-check.example" in looked_up
    assert not [host for host in looked_up if "invalid" in host]


def test_a_live_event_reaches_every_active_subscribed_webhook_only(
    up42_sandbox: Sandbox, sdk: up42.Client, serve: Any
) -> None:
    received: list[WebhookEvent] = []
    receiver = Receiver(SECRET)
    receiver.on("order.status")(received.append)
    url = serve(receiver.asgi_app())
    active = sdk.create_webhook("active", url, ["order.status"], active=True, secret=SECRET)
    sdk.create_webhook("inactive", url, ["order.status"], active=False, secret=SECRET)
    sdk.create_webhook("jobs", url, ["job.status"], active=True, secret=SECRET)
    body = {
        "orderId": "5b1a3c2e-0000-4000-8000-000000000042",
        "orderType": "ARCHIVE",
        "dataHostName": "oneatlas",
        "status": "FULFILLED",
        "statusIsFinal": True,
    }

    result = up42_sandbox.trigger("order.status", body)

    assert [(d["webhookId"], d["status"], d["error"]) for d in result["deliveries"]] == [(active.id, 200, None)]
    (event,) = received
    assert event.live_mode is True
    assert event.body.order_id == body["orderId"]
    assert event.message_id == result["deliveries"][0]["messageId"]
    assert [(d["liveMode"], d["event"]) for d in up42_sandbox.deliveries()] == [(True, "order.status")]


def test_failed_live_deliveries_are_retried_with_the_same_message_id(serve: Any) -> None:
    recorder = Recorder([500, 503, 200])
    url = serve(recorder)
    with (
        Sandbox(retry=RetryPolicy(attempts=4, first_delay=0.05, factor=2.0)) as sandbox,
        up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client,
    ):
        hook = client.create_webhook("flaky", url, ["order.status"], active=True, secret=SECRET)
        first = sandbox.trigger("order.status")["deliveries"]
        assert [(d["status"], d["error"]) for d in first] == [(500, "the receiver answered 500")]

        wait_for(lambda: len(sandbox.deliveries()) == 3)
        log = sandbox.deliveries(hook.id)
        assert [(d["attempt"], d["status"]) for d in log] == [(1, 500), (2, 503), (3, 200)]
        assert {d["messageId"] for d in log} == {first[0]["messageId"]}
        bodies = [parse(body).message_id for _, body in recorder.requests]
        assert bodies == [first[0]["messageId"]] * 3
        over_http = httpx.get(f"{sandbox.url}/sandbox/attempts", params={"webhookId": hook.id}).json()["data"]
        assert over_http == log
        assert httpx.get(f"{sandbox.url}/sandbox/attempts", params={"webhookId": "other"}).json()["data"] == []
        (delivery,) = httpx.get(f"{sandbox.url}/sandbox/deliveries").json()["data"]
        assert (delivery["id"], delivery["state"], delivery["attempt"], delivery["status"]) == (
            first[0]["id"],
            "delivered",
            3,
            200,
        )


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        (
            lambda hook: hook.update(active=False),
            "retries stopped: the webhook was deactivated; activate it and resend",
        ),
        (lambda hook: hook.delete(), "retries stopped: the webhook was deleted"),
    ],
)
def test_retries_end_as_failed_once_the_webhook_is_deactivated_or_deleted(serve: Any, end: Any, reason: str) -> None:
    # The webhook ends while the second attempt waits for its answer: that attempt is logged, and none follows.
    recorder = Recorder([500] * 10, answered=1)
    url = serve(recorder)
    with (
        # The third attempt would be due a second after the second one ends.
        Sandbox(retry=RetryPolicy(attempts=10, first_delay=0.1, factor=10.0)) as sandbox,
        up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client,
    ):
        hook = client.create_webhook("flaky", url, ["order.status"], active=True)
        (first,) = sandbox.trigger("order.status")["deliveries"]
        assert first["state"] == "pending"
        wait_for(lambda: len(recorder.requests) == 2, 60)
        try:
            end(hook)
            stopped = _delivery(sandbox, first["id"])
        finally:
            recorder.release.set()
        deadline = time.monotonic() + 60
        while len((delivery := _delivery(sandbox, first["id"]))["attempts"]) < 2:
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.02)
        time.sleep(1.5)  # past when the third attempt would be due: none is made
        assert _delivery(sandbox, first["id"]) == delivery
        assert len(sandbox.deliveries()) == len(recorder.requests) == 2
    assert (stopped["state"], stopped["nextAttemptAt"]) == ("failed", None)
    assert stopped["error"].startswith(reason)
    # As the second attempt is logged, the delivery stays failed: not pending again until a retry finds out.
    assert (delivery["state"], delivery["nextAttemptAt"], delivery["attempt"]) == ("failed", None, 2)
    assert delivery["error"].startswith(reason)
    assert [attempt["status"] for attempt in delivery["attempts"]] == [500, 500]


@pytest.mark.parametrize("ending", ["deleted", "deactivated"])
async def test_a_retry_whose_webhook_ends_before_it_is_sent_is_not_counted(
    ending: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scheduler takes the due retry, then the webhook ends before the attempt is made: it never is.
    store = Store()
    workspace = store.workspace_of("me@example.com")
    fields = WebhookFields("down", f"{NOTHING_LISTENS}/hook", ["order.status"], active=True, secret=None)
    hook = store.create(workspace, fields)
    deliverer = Deliverer(store, RetryPolicy(attempts=3, first_delay=0.05), own_port=0)
    claiming = store.claim_due
    claimed = threading.Event()

    def claim_then_end(*args: Any) -> Any:
        due = claiming(*args)
        if due:
            if ending == "deleted":
                store.delete(workspace, hook.id)
            else:
                store.replace(workspace, hook.id, dataclasses.replace(fields, active=False))
            claimed.set()
        return due

    monkeypatch.setattr(store, "claim_due", claim_then_end)
    deliverer.start()
    try:
        await deliverer.publish("order.status", sample_body("order.status"), [hook])
        deadline = time.monotonic() + 60
        # The retry taken is over once nothing is held in flight.
        while not claimed.is_set() or deliverer._in_flight:
            assert time.monotonic() < deadline, "timed out"
            await asyncio.sleep(0.02)
        (delivery,) = store.deliveries()
    finally:
        await deliverer.aclose()
        store.close()
    assert (delivery.state, delivery.attempt_count, len(delivery.attempts)) == ("failed", 1, 1)
    assert delivery.reason is not None
    assert delivery.reason.startswith(f"retries stopped: the webhook was {ending}")


def test_after_the_last_attempt_a_delivery_is_failed(serve: Any) -> None:
    recorder = Recorder([500, 500])
    with Sandbox(retry=RetryPolicy(attempts=2, first_delay=0.05)) as sandbox, _client(sandbox) as client:
        client.create_webhook("down", serve(recorder), ["job.status"], active=True)
        (first,) = sandbox.trigger("job.status")["deliveries"]
        wait_for(lambda: _delivery(sandbox, first["id"])["state"] != "pending")
        delivery = _delivery(sandbox, first["id"])
        assert (delivery["state"], delivery["attempt"], delivery["status"]) == ("failed", 2, 500)
        assert [a["attempt"] for a in delivery["attempts"]] == [1, 2]


def _client(sandbox: Sandbox) -> up42.Client:
    return up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url)


def _delivery(sandbox: Sandbox, delivery_id: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(f"{sandbox.url}/sandbox/deliveries/{delivery_id}").json()["data"]
    return data


def test_a_bad_simulated_event_is_a_value_error_from_python(up42_sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="event: 'order.created' is not a known event; choose from job.status"):
        up42_sandbox.trigger("order.created")
    with pytest.raises(ValueError, match="no webhook 'nope'"):
        up42_sandbox.trigger("order.status", webhook_id="nope")


@pytest.mark.parametrize(
    "payload",
    [{}, {"event": "order.created"}, {"event": "order.status", "body": ["not", "an", "object"]}, ["x"]],
)
def test_a_simulated_event_must_name_a_catalog_event_and_carry_an_object(up42_sandbox: Sandbox, payload: Any) -> None:
    response = httpx.post(f"{up42_sandbox.url}/sandbox/events", json=payload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"

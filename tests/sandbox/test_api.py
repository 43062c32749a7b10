"""The sandbox's own paths under /sandbox/: every answer, success or error, is checked against openapi/sandbox.yaml."""

from __future__ import annotations

import datetime
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_core.exceptions import OpenAPIError
from openapi_spec_validator import validate

import up42
from tests.support.contract import SANDBOX_SPEC, SANDBOX_SPEC_PATH, SandboxRequest, check_against_spec
from tests.support.receivers import Recorder
from tests.support.sandbox import SECRET
from tests.support.waiting import wait_for
from up42 import _messages as simulate
from up42.receiving import parse, verify
from up42.sandbox import RetryPolicy, Sandbox
from up42.sandbox._store import Store, StoredWebhook, WebhookFields


class Env:
    """A sandbox with quick retries, an SDK client on it, and a spec-checked HTTP client for /sandbox/."""

    def __init__(self, sandbox: Sandbox, client: up42.Client, http: httpx.Client) -> None:
        self.sandbox, self.client, self.http = sandbox, client, http

    def delivery(self, delivery_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self.http.get(f"/sandbox/deliveries/{delivery_id}").json()["data"]
        return data

    def rows(self, **params: Any) -> list[dict[str, Any]]:
        response = self.http.get("/sandbox/deliveries", params=params)
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data


@pytest.fixture
def env() -> Iterator[Env]:
    with (
        Sandbox(retry=RetryPolicy(attempts=3, first_delay=0.05, factor=1.0)) as sandbox,
        up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client,
        httpx.Client(base_url=sandbox.url, event_hooks={"response": [check_against_spec]}, timeout=30) as http,
    ):
        yield Env(sandbox, client, http)


def test_the_sandbox_spec_is_valid_openapi_3_1() -> None:
    document = yaml.safe_load(SANDBOX_SPEC_PATH.read_text())
    validate(document, base_uri=SANDBOX_SPEC_PATH.as_uri())  # it refers to up42.yaml beside it
    assert document["openapi"] == "3.1.0"


# Requests at the edge of what the sandbox takes, each with whether it takes it.
EDGES = [
    ("GET", "/sandbox/deliveries", {"params": {"state": "failed"}}, True),
    ("GET", "/sandbox/deliveries", {"params": {"state": "lost"}}, False),
    ("GET", "/sandbox/deliveries", {"params": {"limit": "10000"}}, True),
    ("GET", "/sandbox/deliveries", {"params": {"limit": "0"}}, False),
    ("GET", "/sandbox/deliveries", {"params": {"limit": "ten"}}, False),
    ("GET", "/sandbox/deliveries", {"params": {"since": "2024-05-01T10:00:00+02:00"}}, True),
    ("GET", "/sandbox/deliveries", {"params": {"since": "yesterday"}}, False),
    ("POST", "/sandbox/deliveries/resend", {"json": {"state": "failed", "since": None}}, True),
    ("POST", "/sandbox/deliveries/resend", {"json": {"state": "failed", "since": ""}}, False),
    (
        "POST",
        "/sandbox/events",
        {"json": {"event": "job.status", "body": {"status": "FAILED"}, "webhookId": None}},
        True,
    ),
    ("POST", "/sandbox/events", {"json": {"event": ""}}, False),
    ("POST", "/sandbox/events", {"json": {"event": "job.status", "body": {"status": "LOST"}}}, False),
    ("POST", "/sandbox/events", {"json": {"event": "order.status", "body": {"status": "FULFILLED"}}}, False),
]


@pytest.mark.parametrize(("method", "path", "request_args", "taken"), EDGES)
def test_the_sandbox_spec_refuses_exactly_what_the_sandbox_refuses(
    env: Env, method: str, path: str, request_args: dict[str, Any], taken: bool
) -> None:
    response = env.http.request(method, path, **request_args)
    try:
        SANDBOX_SPEC.validate_request(SandboxRequest(response.request))
    except OpenAPIError:
        allowed = False
    else:
        allowed = True
    assert (response.is_success, allowed) == (taken, taken), response.text


def test_one_event_is_one_message_delivered_to_each_subscribed_webhook(env: Env, serve: Any) -> None:
    recorder = Recorder()
    url = serve(recorder)
    hooks = [env.client.create_webhook(f"hook-{n}", url, ["order.status"], active=True, secret=SECRET) for n in (1, 2)]

    data = env.http.post("/sandbox/events", json={"event": "order.status"}).json()["data"]

    assert data["event"] == "order.status"
    assert [d["webhookId"] for d in data["deliveries"]] == [hook.id for hook in hooks]
    assert {d["messageId"] for d in data["deliveries"]} == {data["messageId"]}
    assert all(re.fullmatch(r"dlv_[0-9a-f]{16}", d["id"]) for d in data["deliveries"])
    assert len({d["id"] for d in data["deliveries"]}) == 2
    assert [(d["state"], d["status"], d["error"]) for d in data["deliveries"]] == [("delivered", 200, None)] * 2
    events = [verify(body, headers, SECRET) for headers, body in recorder.requests]
    assert {event.message_id for event in events} == {data["messageId"]}
    assert events[0].live_mode is True
    assert str(events[0].body.status) == "FULFILLED"


def test_an_event_to_one_webhook_reaches_only_that_one(env: Env, serve: Any) -> None:
    recorder = Recorder()
    url = serve(recorder)
    env.client.create_webhook("other", url, ["job.status"], active=True)
    chosen = env.client.create_webhook("chosen", url, ["job.status"], active=True)
    body = {"jobId": "j-1", "status": "FAILED"}
    data = env.http.post("/sandbox/events", json={"event": "job.status", "body": body, "webhookId": chosen.id})
    assert [d["webhookId"] for d in data.json()["data"]["deliveries"]] == [chosen.id]
    ((_, sent),) = recorder.requests
    assert parse(sent).body.raw == body


def test_bad_events_answer_422_naming_the_field(env: Env) -> None:
    cases = [
        ({"event": "order.created"}, "event", "event: 'order.created' is not a known event"),
        ({"event": 7}, "event", "event: must be an event name"),
        ({"event": "order.status", "body": []}, "body", "body: must be a JSON object"),
        (
            {"event": "order.status", "body": {**_order(), "status": "FULFILED"}},
            "status",
            "body.status: 'FULFILED' is not a known order status; choose from CREATED,",
        ),
        ({"event": "job.status", "body": {}}, "status", "body.status: missing"),
        ({"event": "job.status", "webhookId": 5}, "webhookId", "webhookId: must be a webhook id"),
    ]
    for payload, field, message in cases:
        response = env.http.post("/sandbox/events", json=payload)
        assert response.status_code == 422, payload
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert error["message"].startswith(message), error
        assert list(error["details"]) == [field]
    assert env.http.post("/sandbox/events", json=["x"]).status_code == 422
    assert (
        env.http.post("/sandbox/events", content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    )
    assert env.http.post("/sandbox/events", content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415


def test_an_event_for_an_unknown_inactive_or_unsubscribed_webhook_says_how_to_fix_it(env: Env) -> None:
    inactive = env.client.create_webhook("off", "https://example.com/hook", ["order.status"], active=False)
    jobs = env.client.create_webhook("jobs", "https://example.com/hook", ["job.status"], active=True)
    unknown = env.http.post("/sandbox/events", json={"event": "order.status", "webhookId": "nope"})
    assert (unknown.status_code, unknown.json()["error"]["message"]) == (404, "no webhook 'nope'")
    # The request is sound and the webhook's state is in the way: a conflict, resolved by changing the webhook.
    off = env.http.post("/sandbox/events", json={"event": "order.status", "webhookId": inactive.id})
    assert (off.status_code, off.json()["error"]["code"]) == (409, "WEBHOOK_INACTIVE")
    assert "is inactive; activate it first" in off.json()["error"]["message"]
    other = env.http.post("/sandbox/events", json={"event": "order.status", "webhookId": jobs.id})
    assert (other.status_code, other.json()["error"]["code"]) == (409, "WEBHOOK_NOT_SUBSCRIBED")
    assert "is not subscribed to order.status; add order.status to its events" in other.json()["error"]["message"]
    assert env.rows() == []


def _order(**change: Any) -> dict[str, Any]:
    return {
        "orderId": "o-1",
        "orderType": "ARCHIVE",
        "dataHostName": "oneatlas",
        "status": "FULFILLED",
        "statusIsFinal": True,
        **change,
    }


def test_a_delivery_shows_the_request_exactly_as_the_receiver_got_it(env: Env, serve: Any) -> None:
    recorder = Recorder()
    hook = env.client.create_webhook("signed", serve(recorder), ["order.status"], active=True, secret=SECRET)
    (first,) = env.http.post("/sandbox/events", json={"event": "order.status"}).json()["data"]["deliveries"]

    shown = env.delivery(first["id"])

    ((headers, body),) = recorder.requests
    assert shown["request"]["url"] == hook.url
    assert {name.lower(): value for name, value in shown["request"]["headers"].items()} == headers
    assert {"signature", "signature-input", "content-digest"} <= set(headers)
    assert shown["request"]["body"].encode() == body
    assert (shown["state"], shown["attempt"], shown["status"], shown["liveMode"]) == ("delivered", 1, 200, True)
    (attempt,) = shown["attempts"]
    assert (attempt["attempt"], attempt["status"], attempt["error"], attempt["url"]) == (1, 200, None, hook.url)
    assert attempt["durationMs"] >= 0
    assert shown["sentAt"] == attempt["sentAt"]
    assert shown["nextAttemptAt"] is None

    missing = env.http.get("/sandbox/deliveries/dlv_0000000000000000")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith("no delivery 'dlv_0000000000000000'")


def test_a_delivery_shows_what_the_receiver_answered_with_the_secret_masked(env: Env, serve: Any) -> None:
    reason = json.dumps({"error": "signature mismatch", "expected": SECRET}).encode()
    recorder = Recorder([401], body=reason + b" " * 5000, content_type="application/json")
    hook = env.client.create_webhook("strict", serve(recorder), ["order.status"], active=True, secret=SECRET)
    (first,) = env.http.post("/sandbox/events", json={"event": "order.status", "webhookId": hook.id}).json()["data"][
        "deliveries"
    ]

    shown = env.delivery(first["id"])  # checked against the spec, as every answer here
    answer = shown["attempts"][0]["answer"]
    assert (answer["contentType"], answer["bytes"], answer["truncated"]) == ("application/json", 4096, True)
    assert answer["body"].rstrip() == reason.decode().replace(SECRET, "********")
    assert SECRET not in json.dumps(shown["attempts"])


def test_an_attempt_without_an_answer_has_none(env: Env) -> None:
    hook = env.client.create_webhook("nobody", "http://127.0.0.1:9/hook", ["order.status"], active=True)
    (first,) = env.http.post("/sandbox/events", json={"event": "order.status", "webhookId": hook.id}).json()["data"][
        "deliveries"
    ]
    (attempt, *_) = env.delivery(first["id"])["attempts"]
    assert (attempt["status"], attempt["answer"]) == (None, None)


def test_a_failed_delivery_is_pending_with_its_next_attempt_then_retried(env: Env, serve: Any) -> None:
    recorder = Recorder([503])
    env.client.create_webhook("flaky", serve(recorder), ["order.status"], active=True)
    (first,) = env.http.post("/sandbox/events", json={"event": "order.status"}).json()["data"]["deliveries"]
    assert (first["state"], first["status"], first["error"]) == ("pending", 503, "the receiver answered 503")
    wait_for(lambda: env.delivery(first["id"])["state"] == "delivered")
    shown = env.delivery(first["id"])
    assert [(a["attempt"], a["status"]) for a in shown["attempts"]] == [(1, 503), (2, 200)]
    assert [parse(body).message_id for _, body in recorder.requests] == [first["messageId"]] * 2


def test_the_list_filters_and_keeps_the_newest(env: Env, serve: Any) -> None:
    url = serve(Recorder([500] * 3))
    orders = env.client.create_webhook("orders", url, ["order.status"], active=True)
    jobs = env.client.create_webhook("jobs", url, ["job.status"], active=True)
    before = datetime.datetime.now(datetime.UTC)
    env.http.post("/sandbox/events", json={"event": "order.status"})  # fails three times: failed
    wait_for(lambda: env.rows(state="failed") != [])
    between = datetime.datetime.now(datetime.UTC)
    for _ in range(2):
        env.http.post("/sandbox/events", json={"event": "job.status"})

    assert len(env.rows()) == 3
    assert [row["webhookId"] for row in env.rows(webhookId=orders.id)] == [orders.id]
    assert [row["event"] for row in env.rows(event="job.status")] == ["job.status"] * 2
    assert [row["webhookId"] for row in env.rows(state="delivered")] == [jobs.id] * 2
    (failed,) = env.rows(state="failed")
    assert (failed["attempt"], failed["status"], failed["nextAttemptAt"]) == (3, 500, None)
    assert len(env.rows(since=before.isoformat())) == 3
    assert len(env.rows(since=between.isoformat())) == 2
    assert env.rows(limit=2) == env.rows()[1:]
    assert env.rows(webhookId=jobs.id, limit=1) == env.rows()[2:]

    for params, name in [
        ({"state": "lost"}, "state"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2024-05-01T10:00:00"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
    ]:
        response = env.http.get("/sandbox/deliveries", params=params)
        assert response.status_code == 400, params
        assert response.json()["error"]["message"].startswith(f"query parameter {name}: ")
        assert list(response.json()["error"]["details"]) == [name]


def test_resend_sends_the_same_message_with_the_current_secret_and_url(env: Env, serve: Any) -> None:
    down = Recorder([500] * 3)
    hook = env.client.create_webhook("down", serve(down), ["order.status"], active=True, secret="old-secret")
    (first,) = env.http.post("/sandbox/events", json={"event": "order.status"}).json()["data"]["deliveries"]
    wait_for(lambda: env.delivery(first["id"])["state"] == "failed")
    up = Recorder()
    hook.update(url=serve(up), secret=SECRET)

    response = env.http.post(f"/sandbox/deliveries/{first['id']}/resend")

    assert response.status_code == 200
    shown = response.json()["data"]
    assert (shown["state"], shown["attempt"], shown["status"], shown["error"]) == ("delivered", 4, 200, None)
    assert shown["request"]["url"] == hook.url
    ((headers, body),) = up.requests
    event = verify(body, headers, SECRET)
    assert event.message_id == first["messageId"]
    assert body == down.requests[0][1]
    assert [a["status"] for a in shown["attempts"]] == [500, 500, 500, 200]


def test_resend_answers_404_for_an_unknown_id_and_409_once_the_webhook_is_gone(env: Env, serve: Any) -> None:
    hook = env.client.create_webhook("gone", serve(Recorder()), ["job.status"], active=True)
    (first,) = env.http.post("/sandbox/events", json={"event": "job.status"}).json()["data"]["deliveries"]
    hook.delete()
    gone = env.http.post(f"/sandbox/deliveries/{first['id']}/resend")
    assert gone.status_code == 409
    assert gone.json()["error"]["message"] == (
        f"delivery {first['id']!r} cannot be resent: its webhook {hook.id!r} was deleted"
    )
    unknown = env.http.post("/sandbox/deliveries/dlv_missing/resend")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "no delivery 'dlv_missing'; list them with GET /sandbox/deliveries"


def test_resending_every_failed_delivery_since_a_time_recovers_them(env: Env, serve: Any) -> None:
    recorder = Recorder([500] * 6)
    env.client.create_webhook("down", serve(recorder), ["order.status"], active=True)
    for _ in range(2):
        env.http.post("/sandbox/events", json={"event": "order.status"})
    wait_for(lambda: len(env.rows(state="failed")) == 2)
    future = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)).isoformat()

    nothing = env.http.post("/sandbox/deliveries/resend", json={"state": "failed", "since": future}).json()["data"]
    assert nothing == {"resent": [], "skipped": []}
    answer = env.http.post("/sandbox/deliveries/resend", json={"state": "failed"}).json()["data"]

    assert [(row["state"], row["attempt"], row["status"]) for row in answer["resent"]] == [("delivered", 4, 200)] * 2
    assert answer["skipped"] == []
    assert env.rows(state="failed") == []
    for payload, field in [
        ({"state": "pending"}, "state"),
        ({}, "state"),
        ({"state": "failed", "since": "soon"}, "since"),
        ({"state": "failed", "since": 5}, "since"),
    ]:
        response = env.http.post("/sandbox/deliveries/resend", json=payload)
        assert response.status_code == 422, payload
        assert list(response.json()["error"]["details"]) == [field]


def test_resending_every_failed_delivery_skips_those_whose_webhook_is_gone(env: Env, serve: Any) -> None:
    gone = env.client.create_webhook("gone", serve(Recorder([500] * 3)), ["order.status"], active=True)
    (lost,) = env.http.post("/sandbox/events", json={"event": "order.status"}).json()["data"]["deliveries"]
    wait_for(lambda: env.delivery(lost["id"])["state"] == "failed")
    gone.delete()
    flaky = Recorder([500] * 3)
    env.client.create_webhook("flaky", serve(flaky), ["job.status"], active=True)
    (kept,) = env.http.post("/sandbox/events", json={"event": "job.status"}).json()["data"]["deliveries"]
    wait_for(lambda: env.delivery(kept["id"])["state"] == "failed")

    skipped = [{"id": lost["id"], "webhookId": gone.id, "reason": "its webhook was deleted"}]
    answer = env.http.post("/sandbox/deliveries/resend", json={"state": "failed"}).json()["data"]
    assert ([row["id"] for row in answer["resent"]], answer["skipped"]) == ([kept["id"]], skipped)
    again = env.http.post("/sandbox/deliveries/resend", json={"state": "failed"}).json()["data"]
    assert again == {"resent": [], "skipped": skipped}
    assert env.delivery(lost["id"])["attempt"] == 3  # never sent again
    assert len(flaky.requests) == 4  # three attempts and the one resend that was delivered


def test_test_deliveries_are_stored_and_never_retried(env: Env, serve: Any) -> None:
    recorder = Recorder([500, 500])
    hook = env.client.create_webhook("tested", serve(recorder), ["order.status", "job.status"], secret=SECRET)
    hook.trigger_test_events()
    rows = env.rows()
    assert [(row["event"], row["liveMode"], row["state"], row["attempt"]) for row in rows] == [
        ("order.status", False, "failed", 1),
        ("job.status", False, "failed", 1),
    ]
    assert rows[0]["messageId"] != rows[1]["messageId"]
    assert len(recorder.requests) == 2


def test_the_attempt_log_lists_every_attempt_with_its_delivery(env: Env, serve: Any) -> None:
    hook = env.client.create_webhook("flaky", serve(Recorder([500])), ["order.status"], active=True)
    (first,) = env.http.post("/sandbox/events", json={"event": "order.status"}).json()["data"]["deliveries"]
    wait_for(lambda: len(env.sandbox.deliveries()) == 2)
    log = env.http.get("/sandbox/attempts", params={"webhookId": hook.id}).json()["data"]
    assert log == env.sandbox.deliveries(hook.id)
    assert [(a["deliveryId"], a["attempt"], a["status"]) for a in log] == [(first["id"], 1, 500), (first["id"], 2, 200)]
    assert env.http.get("/sandbox/attempts", params={"webhookId": "other"}).json()["data"] == []


def test_a_database_of_the_previous_version_opens_and_keeps_its_old_log(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, webhook_id TEXT NOT NULL,"
            " event TEXT NOT NULL, message_id TEXT NOT NULL, live_mode INTEGER NOT NULL, attempt INTEGER NOT NULL,"
            " status INTEGER, error TEXT, sent_at TEXT NOT NULL)"
        )
        old.execute("INSERT INTO deliveries VALUES (1, 'w', 'order.status', 'm', 1, 1, 200, NULL, 'then')")
    old.close()
    store = Store(path)
    try:
        assert store.deliveries() == []
        assert store.attempts() == []
    finally:
        store.close()
    with sqlite3.connect(path) as again:
        assert again.execute("SELECT message_id FROM deliveries_v1").fetchall() == [("m",)]
    again.close()
    with Sandbox(db=path) as sandbox:
        assert httpx.get(f"{sandbox.url}/sandbox/deliveries").json()["data"] == []


# The deliveries and attempts tables as the version before answers were kept made them.
_BEFORE_ANSWERS = """
CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, webhook_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL, event TEXT NOT NULL, message_id TEXT NOT NULL, live_mode INTEGER NOT NULL,
    body TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at TEXT, reason TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, delivery_id TEXT NOT NULL, attempt INTEGER NOT NULL, url TEXT NOT NULL,
    headers TEXT NOT NULL, sent_at TEXT NOT NULL, status INTEGER, error TEXT, duration_ms INTEGER NOT NULL
);
INSERT INTO deliveries VALUES (1, 'dlv_0123456789abcdef', 'w', 'ws', 'order.status', 'm', 1, '{}', 'failed', 1,
    NULL, NULL, '2026-01-01T00:00:00.000000Z');
INSERT INTO attempts VALUES (1, 'dlv_0123456789abcdef', 1, 'http://127.0.0.1:9/hook', '{}',
    '2026-01-01T00:00:00.000000Z', 401, 'the receiver answered 401', 3);
"""


def test_a_database_made_before_answers_were_kept_shows_its_attempts_and_keeps_new_answers(
    tmp_path: Path, serve: Any
) -> None:
    path = tmp_path / "before-answers.sqlite"
    with sqlite3.connect(path) as old:
        old.executescript(_BEFORE_ANSWERS)
    old.close()
    with (
        Sandbox(db=path) as sandbox,
        up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client,
        httpx.Client(base_url=sandbox.url, event_hooks={"response": [check_against_spec]}, timeout=30) as http,
    ):
        (attempt,) = http.get("/sandbox/deliveries/dlv_0123456789abcdef").json()["data"]["attempts"]
        assert (attempt["status"], attempt["answer"]) == (401, None)
        page = httpx.get(f"{sandbox.url}/dashboard/deliveries/dlv_0123456789abcdef")  # not a /sandbox/ path
        assert page.status_code == 200
        assert "the receiver answered 401" in page.text

        recorder = Recorder(body=b"thanks", content_type="text/plain")
        hook = client.create_webhook("new", serve(recorder), ["order.status"], active=True)
        (new,) = http.post("/sandbox/events", json={"event": "order.status", "webhookId": hook.id}).json()["data"][
            "deliveries"
        ]
        (attempt,) = http.get(f"/sandbox/deliveries/{new['id']}").json()["data"]["attempts"]
        assert attempt["answer"] == {"contentType": "text/plain", "body": "thanks", "bytes": 6, "truncated": False}


def test_on_start_pending_deliveries_of_a_gone_webhook_or_a_test_run_end_failed(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    store = Store(path)
    fields = WebhookFields(name="n", url="http://127.0.0.1:9/hook", events=["job.status"], active=True, secret=None)
    gone = StoredWebhook("no-longer-there", "w", fields, "then", "then")
    past = simulate.timestamp(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    live = simulate.message("job.status", simulate.sample_body("job.status"), live=True)
    test = simulate.message("job.status", simulate.sample_body("job.status"), live=False)
    opened = [store.open_deliveries([gone], payload, json.dumps(payload), past)[0] for payload in (live, test)]
    store.close()
    with Sandbox(db=path) as sandbox:
        url = f"{sandbox.url}/sandbox/deliveries"
        wait_for(lambda: all(row["state"] == "failed" for row in httpx.get(url).json()["data"]))
        rows = httpx.get(url).json()["data"]
    assert [(row["id"], row["error"]) for row in rows] == [
        (opened[0].id, "retries stopped: the webhook was deleted"),
        (opened[1].id, "test deliveries are not retried"),
    ]

"""The delivery log a page at a time: every delivery once, newest first, each page read through an index.

The API's pages are held to openapi/sandbox.yaml; the dashboard's and the CLI's follow their own links. Query plans
are those SQLite makes for the statements a real sandbox ran while answering.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import up42
from tests.support.cli import ok
from tests.support.contract import check_against_spec
from tests.support.receivers import Recorder
from up42 import _messages as simulate
from up42.sandbox import RetryPolicy, Sandbox
from up42.sandbox._store import Store

# Far ahead, as while a first attempt is on its way: the scheduler leaves these deliveries alone.
LEASED = "2999-01-01T00:00:00.000000Z"


def fill(sandbox: Sandbox, count: int, *, hooks: int = 1) -> list[str]:
    """``count`` deliveries to ``hooks`` new webhooks in turn, written at once as the sandbox writes them; their ids."""
    with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
        made = [client.create_webhook(f"hook-{n}", "https://example.com/hook", ["order.status"]) for n in range(hooks)]
    rows = [sandbox._store.webhook(hook.id) for hook in made]
    payload = simulate.message("order.status", simulate.sample_body("order.status"), live=True)
    targets = [rows[n % hooks] for n in range(count)]
    opened = sandbox._store.open_deliveries(targets, payload, json.dumps(payload), LEASED)  # type: ignore[arg-type]
    return [delivery.id for delivery in opened]


def walk(http: httpx.Client, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page of GET /sandbox/deliveries, following each page's Link to the next."""
    pages = []
    response = http.get("/sandbox/deliveries", params=params)
    while True:
        assert response.status_code == 200, response.text
        pages.append(response.json()["data"])
        if "next" not in response.links:
            return pages
        response = http.get(response.links["next"]["url"])


def newest_first(pages: list[list[dict[str, Any]]]) -> list[str]:
    """The ids of the pages, read as the log runs: each page is oldest first, and the pages go back in time."""
    return [row["id"] for page in pages for row in reversed(page)]


@pytest.fixture
def http(up42_sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=up42_sandbox.url, event_hooks={"response": [check_against_spec]}, timeout=30) as http:
        yield http


def test_pages_hold_every_delivery_once_newest_first_with_each_filter(serve: Any) -> None:
    with (
        Sandbox(retry=RetryPolicy(attempts=1)) as sandbox,
        up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client,
        httpx.Client(base_url=sandbox.url, event_hooks={"response": [check_against_spec]}, timeout=30) as http,
    ):
        orders = client.create_webhook("orders", serve(Recorder()), ["order.status"], active=True)
        both = client.create_webhook("both", serve(Recorder([500] * 20)), ["order.status", "job.status"], active=True)
        made: list[dict[str, str]] = []  # oldest first
        for event in ["order.status", "job.status", "order.status"] * 4:
            for delivery in sandbox.trigger(event, simulate.sample_body(event))["deliveries"]:
                made.append({"event": event} | {key: delivery[key] for key in ("id", "webhookId", "state")})
        assert {row["state"] for row in made} == {"delivered", "failed"}  # one attempt each: every state is final

        for params in [
            {},
            {"webhookId": orders.id},
            {"event": "job.status"},
            {"state": "failed"},
            {"webhookId": both.id, "event": "order.status"},
            {"event": "order.status", "state": "delivered"},
        ]:
            expected = [row["id"] for row in reversed(made) if all(row[k] == v for k, v in params.items())]
            pages = walk(http, **params, limit="3")
            assert newest_first(pages) == expected, params
            assert [len(page) for page in pages[:-1]] == [3] * (len(pages) - 1), params
            assert 1 <= len(pages[-1]) <= 3, params
        assert newest_first(walk(http, webhookId="no-such-webhook", limit="3")) == []


def test_a_page_without_a_limit_holds_the_newest_thousand(up42_sandbox: Sandbox, http: httpx.Client) -> None:
    ids = fill(up42_sandbox, 1050)

    first = http.get("/sandbox/deliveries")
    assert [row["id"] for row in first.json()["data"]] == ids[50:]
    older = httpx.URL(first.links["next"]["url"])
    assert (older.path, older.params.get("before")) == ("/sandbox/deliveries", ids[50])
    assert newest_first(walk(http)) == ids[::-1]
    assert newest_first(walk(http, limit="400")) == ids[::-1]
    assert newest_first(walk(http, limit="10000")) == ids[::-1]  # one page: no Link


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"before": ""}, "before"),
        ({"limit": "0"}, "limit"),
        ({"limit": "10001"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "1.5"}, "limit"),
    ],
)
def test_bad_paging_parameters_are_refused_naming_them(http: httpx.Client, params: dict[str, str], name: str) -> None:
    response = http.get("/sandbox/deliveries", params=params)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BAD_REQUEST"
    assert error["message"].startswith(f"query parameter {name}: ")
    assert list(error["details"]) == [name]


@pytest.mark.parametrize("before", ["dlv_0000000000000000", "x" * 500])
def test_a_cursor_of_no_delivery_is_not_found(up42_sandbox: Sandbox, http: httpx.Client, before: str) -> None:
    fill(up42_sandbox, 3)

    response = http.get("/sandbox/deliveries", params={"before": before})

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "RESOURCE_NOT_FOUND"
    assert error["message"].startswith(f"no delivery {before[:40]!r} to page back from; follow the Link header")
    assert len(error["message"]) < 200  # a long value is cut, not echoed whole


def test_the_dashboard_shows_a_page_of_a_long_log_and_links_to_older_ones(up42_sandbox: Sandbox) -> None:
    ids = fill(up42_sandbox, 250, hooks=2)
    seen: list[str] = []
    url = f"{up42_sandbox.url}/dashboard?state=pending"
    pages = 0
    while url:
        response = httpx.get(url, trust_env=False)
        assert response.status_code == 200, response.text
        shown = re.findall(r'href="[^"]*/dashboard/deliveries/([^"/]+)"', response.text)
        assert 1 <= len(shown) <= 100
        seen += shown
        assert ("Newest deliveries" in response.text) == (pages > 0)
        pages += 1
        older = re.search(r'<a href="([^"]+)">Older deliveries</a>', response.text)
        url = html.unescape(older[1]) if older else ""
        assert not older or "state=pending" in url  # the filter is kept from page to page
    assert pages == 3
    assert seen == ids[::-1]

    missing = httpx.get(f"{up42_sandbox.url}/dashboard?before=dlv_0000000000000000", trust_env=False)
    assert missing.status_code == 404
    assert "No such delivery" in missing.text


def test_up42_deliveries_list_follows_the_pages_to_the_oldest(up42_sandbox: Sandbox) -> None:
    ids = fill(up42_sandbox, 1050)  # more than one page of the CLI's

    rows = json.loads(ok(up42_sandbox, "deliveries", "list", "--json"))

    assert [row["id"] for row in rows] == ids[::-1]
    assert [row["id"] for row in json.loads(ok(up42_sandbox, "deliveries", "list", "--json", "--limit", "2"))] == [
        ids[-1],
        ids[-2],
    ]


# Each filter of a page and the index that must find its rows, already in the page's order.
INDEXED = [
    ({"webhookId": "W"}, "deliveries_by_webhook"),
    ({"event": "order.status"}, "deliveries_by_event"),
    ({"state": "pending"}, "deliveries_by_state"),
    ({"webhookId": "W", "state": "pending"}, "deliveries_by_webhook"),
    ({"webhookId": "W", "event": "order.status", "state": "pending"}, "deliveries_by_webhook"),
    ({"event": "order.status", "since": "2024-05-01T10:00:00Z"}, "deliveries_by_event"),
]


def plans(path: Path, statements: list[str]) -> list[list[str]]:
    """SQLite's query plan of each statement that read the delivery log, one line per step."""
    with sqlite3.connect(path) as db:
        return [
            [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}")]
            for sql in statements
            if sql.startswith("SELECT") and ("deliveries" in sql or "attempts" in sql)
        ]


def test_every_read_of_the_log_finds_its_rows_through_an_index(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    with Sandbox(db=path) as sandbox, httpx.Client(base_url=sandbox.url, timeout=30) as http:
        ids = fill(sandbox, 30, hooks=2)
        hook = sandbox._store.delivery(ids[0]).webhook_id  # type: ignore[union-attr]
        ran: list[str] = []
        sandbox._store._db.set_trace_callback(ran.append)

        def listing(params: dict[str, str]) -> list[str]:
            ran.clear()
            response = http.get("/sandbox/deliveries", params={**params, "limit": "5"})
            assert response.status_code == 200, response.text
            (plan,) = plans(path, [sql for sql in ran if "ORDER BY seq DESC" in sql])
            return plan

        for params, index in INDEXED:
            query = {name: hook if value == "W" else value for name, value in params.items()}
            for paged in ({}, {"before": ids[20]}):
                plan = listing({**query, **paged})
                assert len(plan) == 1, (params, plan)
                assert plan[0].startswith(f"SEARCH deliveries USING INDEX {index} ("), (params, plan)
        # Unfiltered, the rows come in the order of the primary key: a LIMIT stops the reading, nothing is sorted.
        assert listing({}) == ["SCAN deliveries"]
        assert listing({"before": ids[20]}) == ["SEARCH deliveries USING INTEGER PRIMARY KEY (rowid<?)"]

        ran.clear()
        for url in (f"/sandbox/deliveries/{ids[3]}", f"/dashboard/deliveries/{ids[3]}", f"/dashboard?before={ids[20]}"):
            assert http.get(url).status_code == 200
        read = plans(path, list(ran))
        assert len(read) >= 4  # the delivery and its attempts, at least
        for plan in read:
            # A page's attempts may be sorted: they are the page's own, however long the log.
            assert not [step for step in plan if step.startswith("SCAN")], plan


# The delivery log as the version before its pages made it: no index for the event or the state.
_BEFORE_PAGES = """
CREATE TABLE deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, webhook_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL, event TEXT NOT NULL, message_id TEXT NOT NULL, live_mode INTEGER NOT NULL,
    body TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at TEXT, reason TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, seq);
INSERT INTO deliveries VALUES (1, 'dlv_0123456789abcdef', 'w', 'ws', 'order.status', 'm', 1, '{}', 'failed', 1,
    NULL, 'retries stopped: the webhook was deleted', '2026-01-01T00:00:00.000000Z');
"""


def test_a_log_made_before_its_pages_gets_the_indexes_on_open(tmp_path: Path) -> None:
    path = tmp_path / "before-pages.sqlite"
    with sqlite3.connect(path) as old:
        old.executescript(_BEFORE_PAGES)
    old.close()

    Store(path).close()

    with sqlite3.connect(path) as db:
        indexes = {row[1] for row in db.execute("PRAGMA index_list(deliveries)")}
    db.close()
    assert {"deliveries_by_state", "deliveries_by_event"} <= indexes
    with Sandbox(db=path) as sandbox:
        listed = httpx.get(f"{sandbox.url}/sandbox/deliveries", params={"state": "failed"}, trust_env=False)
        assert [row["id"] for row in listed.json()["data"]] == ["dlv_0123456789abcdef"]

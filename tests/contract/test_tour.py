"""`Tour` in process against a sandbox: each exchange judged and recorded, and an interruption between calls."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import httpx
import pytest

import up42
from up42._contract._tour import HOOK_URL, ORDER, Exchange, Tour
from up42.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


def _tour(sandbox: Sandbox, http: httpx.Client, record: list[Exchange], stop_after: str | None = None) -> Tour:
    def recorded(exchange: Exchange) -> None:
        record.append(exchange)
        if exchange.operation_id == stop_after:
            tour.interrupt()  # between two calls: the next one is not sent

    tour = Tour(
        http,
        api=sandbox.url,
        auth=sandbox.url,
        username=sandbox.username,
        password=sandbox.password,
        record=recorded,
        now=lambda: datetime.datetime(2024, 5, 1, 10, 0, tzinfo=datetime.UTC),
    )
    return tour


def _hooks(sandbox: Sandbox) -> list[dict[str, object]]:
    with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
        return list(client.get_webhooks(return_json=True))


def test_a_tour_records_each_exchange_in_order_and_leaves_nothing(sandbox: Sandbox) -> None:
    record: list[Exchange] = []
    with httpx.Client() as http:
        tour = _tour(sandbox, http, record)
        assert tour.name == "up42 conformance check 2024-05-01T10:00:00Z"
        report = tour.run()
    assert (report.result, report.stopped, report.leftover) == ("ok", None, None)
    assert [exchange.operation_id for exchange in record] == list(ORDER)
    assert [outcome.operation_id for outcome in report.outcomes] == list(ORDER)
    created = record[4]
    assert (created.method, created.status) == ("POST", 200)
    sent = json.loads(created.request_body)
    assert (sent["name"], sent["url"], sent["active"]) == (tour.name, HOOK_URL, False)
    assert _hooks(sandbox) == []


def test_an_interruption_between_calls_stops_before_the_next_and_deletes_the_webhook(sandbox: Sandbox) -> None:
    record: list[Exchange] = []
    with httpx.Client() as http, pytest.raises(KeyboardInterrupt):
        _tour(sandbox, http, record, stop_after="getWebhook").run()
    assert [exchange.operation_id for exchange in record] == list(ORDER[:6])
    assert _hooks(sandbox) == []

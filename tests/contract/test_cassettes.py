"""The committed cassettes replayed against the current spec: they match it, a spec edit that contradicts them
fails, and none of them holds a credential.

They are recorded from a sandbox by ``make cassettes`` (``up42 conformance --strict --record``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.contract import ROOT
from up42._contract import Spec
from up42._contract._cassettes import PLACEHOLDER, cassette_name, judge_cassette, read_cassettes
from up42._contract._tour import ORDER
from up42.sandbox import DEFAULT_PASSWORD, DEFAULT_USERNAME

CASSETTES = ROOT / "tests" / "cassettes" / "sandbox"
SHIPPED = Spec.shipped()
RECORDED = read_cassettes(CASSETTES)


def test_the_committed_cassettes_are_one_whole_tour_in_order() -> None:
    names = sorted(path.name for path in CASSETTES.glob("*.json"))
    assert names == [cassette_name(number, operation) for number, operation in enumerate(ORDER, 1)]
    assert [exchange.operation_id for exchange in RECORDED] == list(ORDER)


def test_every_committed_cassette_matches_the_current_spec() -> None:
    problems = {exchange.operation_id: judge_cassette(SHIPPED, exchange) for exchange in RECORDED}
    assert not any(problem.level == "violation" for found in problems.values() for problem in found), problems


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def _webhook_requires_an_owner(document: dict[str, Any]) -> None:
    _schemas(document)["Webhook"]["required"].append("ownerId")


def _expiry_becomes_text(document: dict[str, Any]) -> None:
    _schemas(document)["TokenResponse"]["properties"]["expires_in"]["type"] = "string"


def _deleting_answers_200(document: dict[str, Any]) -> None:
    responses = document["paths"]["/workspaces/{workspaceId}/webhooks/{webhookId}"]["delete"]["responses"]
    responses["200"] = responses.pop("204")


def _events_move(document: dict[str, Any]) -> None:
    document["paths"]["/webhook-events"] = document["paths"].pop("/webhooks/events")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _webhook_requires_an_owner,
            {("createWebhook", "data.ownerId"), ("getWebhook", "data.ownerId"), ("updateWebhook", "data.ownerId")},
        ),
        (_expiry_becomes_text, {("createToken", "expires_in")}),
        (_deleting_answers_200, {("deleteWebhook", "status")}),
        (_events_move, {("listWebhookEvents", "request")}),
    ],
)
def test_a_spec_edit_that_contradicts_the_cassettes_fails_their_replay(
    edit: Callable[[dict[str, Any]], None], expected: set[tuple[str, str]]
) -> None:
    document = copy.deepcopy(dict(SHIPPED.document))
    edit(document)
    edited = Spec(document)
    found = {
        (exchange.operation_id, problem.where)
        for exchange in RECORDED
        for problem in judge_cassette(edited, exchange)
        if problem.level == "violation"
    }
    assert found == expected


def test_no_committed_cassette_holds_a_credential() -> None:
    texts = [path.read_text(encoding="utf-8") for path in sorted(CASSETTES.glob("*.json"))]
    for text in texts:
        assert DEFAULT_PASSWORD not in text
        assert DEFAULT_USERNAME not in text
        assert not re.search(r"eyJ[\w-]+\.[\w-]+", text), "a JWT"  # every access token the sandbox issues is one
        assert not re.search(r"conformance-[\w-]{20,}", text), "the webhook's secret"
    token = RECORDED[0]
    assert token.response_body.count(PLACEHOLDER.encode()) == 1  # the access token, masked where it was
    assert all(exchange.request_headers["authorization"] == f"Bearer {PLACEHOLDER}" for exchange in RECORDED[1:])

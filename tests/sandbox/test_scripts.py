"""Scripted answers: `Sandbox.script` and ``/sandbox/scripts`` over a real sandbox, met through the SDK's client.

One sandbox serves the module; every test leaves no script behind. Answers to /sandbox/scripts are held to
openapi/sandbox.yaml, the scripted answers themselves to openapi/up42.yaml.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

import up42
from tests.support.contract import SANDBOX_SPEC_PATH, check_against_spec
from tests.support.sandbox import TOKEN, USERINFO, Session, http_client
from up42._contract import Spec
from up42.sandbox import Faults, Sandbox

# A webhook as UP42 answers it, with a property the spec does not list yet (a drift, which a script may carry).
WEBHOOK = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "name": "scripted",
    "url": "https://example.com/scripted",
    "events": ["order.status"],
    "active": True,
    "createdAt": "2024-05-01T10:00:00Z",
    "updatedAt": "2024-05-01T10:00:00Z",
    "tenant": "a property of a newer UP42",
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def _no_scripts_left(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.clear_scripts()


@pytest.fixture
def sdk(sandbox: Sandbox) -> Iterator[up42.Client]:
    """The SDK's client, logged in before the test scripts anything."""
    with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
        client.authenticate()
        yield client


@pytest.fixture
def session(sandbox: Sandbox) -> Iterator[Session]:
    """Raw HTTP with a token; every answer, scripted or not, is held to openapi/up42.yaml."""
    with Session(sandbox) as session:
        yield session


@pytest.fixture
def tools(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """Raw HTTP to /sandbox/scripts; every answer is held to openapi/sandbox.yaml."""
    with httpx.Client(base_url=sandbox.url, event_hooks={"response": [check_against_spec]}, timeout=30) as http:
        yield http


class AnyText(str):
    """Equal to any non-empty string."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)

    __hash__ = str.__hash__


ANY_TEXT = AnyText()


def new_hook(sdk: up42.Client) -> up42.Webhook:
    return sdk.create_webhook("real", "https://example.com/hook", ["order.status"])


def test_a_scripted_422_on_create_reaches_the_client_as_a_validation_error_with_its_code(
    sandbox: Sandbox, sdk: up42.Client
) -> None:
    error = {"code": "URL_NOT_HTTPS", "message": "url must use https", "details": {"url": "must use https"}}
    sandbox.script("createWebhook", 422, {"data": None, "error": error})

    with pytest.raises(up42.ValidationError) as refused:
        new_hook(sdk)

    assert (refused.value.status, refused.value.code, refused.value.message) == (422, "URL_NOT_HTTPS", error["message"])
    assert refused.value.details == {"url": "must use https"}
    assert sandbox.scripts() == []
    assert new_hook(sdk).name == "real"  # used up: the next call is the sandbox's own


def test_a_scripted_error_reaches_the_module_level_functions(sandbox: Sandbox) -> None:
    up42.authenticate(sandbox.username, sandbox.password, base_url=sandbox.url)
    sandbox.script("createWebhook", 422)

    with pytest.raises(up42.ValidationError) as refused:
        up42.create_webhook("real", "https://example.com/hook", ["order.status"])

    assert refused.value.code == "VALIDATION_ERROR"


def test_a_503_twice_on_get_is_retried_by_the_client_until_the_real_answer(
    sandbox: Sandbox, sdk: up42.Client, sleeps: list[float]
) -> None:
    hook = new_hook(sdk)
    sandbox.script("getWebhook", 503, times=2)

    assert sdk.initialize_webhook(hook.id).id == hook.id

    assert len(sleeps) == 2  # two retries: the two scripted 503s, then the sandbox's answer
    assert sandbox.scripts() == []


def test_a_503_twice_on_get_is_two_503s_then_the_real_answer_over_http(sandbox: Sandbox, session: Session) -> None:
    hook = session.http.post(
        session.hooks, json={"name": "real", "url": "https://example.com/hook", "events": ["order.status"]}
    )
    sandbox.script("getWebhook", 503, times=2)

    answers = [session.http.get(f"{session.hooks}/{hook.json()['data']['id']}") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [503, 503, 200]
    assert answers[2].json()["data"]["name"] == "real"


@pytest.mark.parametrize(
    ("operation_id", "error"), [("createToken", "invalid_grant"), ("getUserinfo", "invalid_token")]
)
def test_a_scripted_401_on_the_login_is_an_authentication_error(
    sandbox: Sandbox, operation_id: str, error: str
) -> None:
    sandbox.script(operation_id, 401)

    with (
        up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client,
        pytest.raises(up42.AuthenticationError) as refused,
    ):
        client.authenticate()

    assert refused.value.code == error
    assert sandbox.scripts() == []


def test_scripts_of_one_operation_answer_in_the_order_given(sandbox: Sandbox, sdk: up42.Client) -> None:
    hook = new_hook(sdk)
    sandbox.script("getWebhook", 404)
    sandbox.script("getWebhook", 403)
    sandbox.script("getWebhook", 200, {"data": WEBHOOK})

    with pytest.raises(up42.NotFoundError):
        sdk.initialize_webhook(hook.id)
    with pytest.raises(up42.PermissionDeniedError):
        sdk.initialize_webhook(hook.id)
    assert sdk.initialize_webhook(hook.id).name == "scripted"
    assert sdk.initialize_webhook(hook.id).name == "real"


def test_times_count_down_and_the_list_ends_empty(sandbox: Sandbox, session: Session) -> None:
    script = sandbox.script("listWebhookEvents", 403, times=3)
    other = sandbox.script("listWebhooks", 404)

    left = []
    for _ in range(3):
        assert session.http.get("/webhooks/events").status_code == 403
        left.append([(pending["id"], pending["times"]) for pending in sandbox.scripts()])

    assert left == [[(script["id"], 2), (other["id"], 1)], [(script["id"], 1), (other["id"], 1)], [(other["id"], 1)]]
    assert session.http.get("/webhooks/events").status_code == 200
    assert session.http.get(session.hooks).status_code == 404
    assert sandbox.scripts() == []


def test_an_answer_waits_its_delay(sandbox: Sandbox, session: Session) -> None:
    sandbox.script("listWebhookEvents", 403, delay=0.3)

    started = time.monotonic()
    answer = session.http.get("/webhooks/events")

    assert answer.status_code == 403
    assert time.monotonic() - started >= 0.3


def test_extra_headers_reach_the_client_as_a_retry_after(
    sandbox: Sandbox, sdk: up42.Client, session: Session, sleeps: list[float]
) -> None:
    sandbox.script("listWebhooks", 429, headers={"Retry-After": "2", "X-Request-Id": "req-1"}, times=2)

    answer = session.http.get(session.hooks)
    assert (answer.headers["Retry-After"], answer.headers["X-Request-Id"]) == ("2", "req-1")
    sdk.get_webhooks()

    assert sleeps == [2.0]  # the client waited as told, once, and then got the sandbox's list


PATHS = {
    "createWebhook": ("POST", "/workspaces/w/webhooks"),
    "getWebhook": ("GET", "/workspaces/w/webhooks/h"),
    "listWebhooks": ("GET", "/workspaces/w/webhooks"),
    "createToken": ("POST", TOKEN),
    "getUserinfo": ("GET", USERINFO),
}


@pytest.mark.parametrize(
    ("operation_id", "status", "code"),
    [
        ("createWebhook", 422, "VALIDATION_ERROR"),
        ("getWebhook", 404, "RESOURCE_NOT_FOUND"),
        ("listWebhooks", 429, "TOO_MANY_REQUESTS"),
        ("getWebhook", 503, "SERVICE_UNAVAILABLE"),
        ("getWebhook", 502, "BAD_GATEWAY"),
    ],
)
def test_without_a_body_an_error_gets_the_envelope_with_a_fitting_code(
    sandbox: Sandbox, operation_id: str, status: int, code: str
) -> None:
    script = sandbox.script(operation_id, status)

    with http_client(sandbox.url) as http:  # no token: a scripted answer stands in for UP42's, whatever was sent
        answer = http.request(*PATHS[operation_id])

    assert answer.status_code == status
    assert answer.json() == {"data": None, "error": {"code": code, "message": ANY_TEXT, "details": None}}
    assert script["body"] == answer.json()


@pytest.mark.parametrize(
    ("operation_id", "error"), [("createToken", "invalid_grant"), ("getUserinfo", "invalid_token")]
)
def test_without_a_body_the_login_s_401_is_an_oauth_error(sandbox: Sandbox, operation_id: str, error: str) -> None:
    sandbox.script(operation_id, 401)

    with http_client(sandbox.url) as http:
        answer = http.request(*PATHS[operation_id])

    assert (answer.status_code, answer.json()) == (401, {"error": error, "error_description": ANY_TEXT})


def test_a_scripted_delete_answers_204_without_a_body_and_deletes_nothing(sandbox: Sandbox, sdk: up42.Client) -> None:
    hook = new_hook(sdk)
    script = sandbox.script("deleteWebhook", 204)

    hook.delete()

    assert script["body"] is None
    assert sdk.initialize_webhook(hook.id).id == hook.id
    hook.delete()  # the sandbox's own answer this time
    with pytest.raises(up42.NotFoundError):
        sdk.initialize_webhook(hook.id)


def test_a_scripted_success_changes_nothing_and_may_carry_what_the_spec_does_not_know(
    sandbox: Sandbox, sdk: up42.Client
) -> None:
    before = [hook.id for hook in sdk.get_webhooks()]
    sandbox.script("createWebhook", 200, {"data": WEBHOOK})

    created = new_hook(sdk)

    assert (created.id, created.name) == (WEBHOOK["id"], "scripted")
    assert [hook.id for hook in sdk.get_webhooks()] == before


def test_a_script_is_given_after_the_host_check_and_before_faults() -> None:
    with Sandbox(faults=Faults(fail_rate=1.0)) as down, httpx.Client(base_url=down.url, timeout=30) as http:
        down.script("listWebhookEvents", 401)

        foreign = http.get("/webhooks/events", headers={"Host": "attacker.example"})
        assert foreign.status_code == 403
        assert [script["times"] for script in down.scripts()] == [1]  # refused before the scripts: none used

        assert http.get("/webhooks/events").json()["error"]["code"] == "UNAUTHORIZED"
        assert http.get("/webhooks/events").status_code == 503  # scripts used up: the faults strike again


REFUSALS = [
    (
        {"operationId": "nope", "status": 200},
        "operationId",
        "UP42's spec has no operation 'nope'; its operations: createToken, getUserinfo, listWebhookEvents, "
        "listWebhooks, createWebhook, getWebhook, updateWebhook, deleteWebhook, runWebhookTests",
    ),
    (
        {"operationId": "getWebhook", "status": 418},
        "status",
        "getWebhook does not document 418; it documents 200, 400, 401, 403, 404, 429, 5XX",
    ),
    (
        {"operationId": "createWebhook", "status": 200, "body": {"data": {**WEBHOOK, "url": 42}}},
        "body.data.url",
        "expected string, got integer (createWebhook answering 200)",
    ),
    (
        {"operationId": "getWebhook", "status": 200, "body": {"data": {"id": "x"}}},
        "body.data.name",
        "a required property is missing (getWebhook answering 200); also at body.data.url, body.data.events, "
        "body.data.active, body.data.createdAt, body.data.updatedAt",
    ),
    (
        {"operationId": "deleteWebhook", "status": 204, "body": {}},
        "body",
        "a body of 2 bytes where the spec declares none (deleteWebhook answering 204)",
    ),
    (
        {"operationId": "getWebhook", "status": 200},
        "body",
        "is required: getWebhook answers 200 with a body",
    ),
    (
        {"operationId": "getWebhook", "status": 503, "headers": {"Retry-After": 1}},
        "headers.Retry-After",
        "must be a string of one line, with no blanks around it",
    ),
    (
        {"operationId": "getWebhook", "status": 503, "headers": {"X-Note": "two\r\nlines"}},
        "headers.X-Note",
        "must be a string of one line, with no blanks around it",
    ),
    (
        {"operationId": "getWebhook", "status": 503, "headers": {"Content-Length": "0"}},
        "headers.Content-Length",
        "is set by the sandbox from the body",
    ),
    (
        {"operationId": "getWebhook", "status": 503, "headers": ["Retry-After", "1"]},
        "headers",
        "must map header names to values, both strings",
    ),
    (
        {"operationId": "getWebhook", "status": 503, "times": 0},
        "times",
        "must be a whole number of calls, at least 1, not 0",
    ),
    (
        {"operationId": "getWebhook", "status": 503, "delay": -1},
        "delay",
        "must be a number of seconds from 0 to 3600, not -1",
    ),
]
SCRIPT_ARGUMENTS = {"operationId": "operation_id", "status": "status", "body": "body", "headers": "headers"}


@pytest.mark.parametrize(("fields", "field", "problem"), REFUSALS, ids=[refusal[1] for refusal in REFUSALS])
def test_a_script_the_spec_does_not_allow_is_refused_at_the_script_call(
    sandbox: Sandbox, fields: dict[str, Any], field: str, problem: str
) -> None:
    arguments = {SCRIPT_ARGUMENTS.get(name, name): value for name, value in fields.items()}

    with pytest.raises(ValueError, match=r"\A[^\n]*\Z") as refused:
        sandbox.script(**arguments)

    assert str(refused.value) == f"{field}: {problem}"
    assert sandbox.scripts() == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"body": {"data": {1, 2}}}, "body: is not a JSON value: Object of type set is not JSON serializable"),
        ({"delay": float("nan")}, "delay: must be a number of seconds from 0 to 3600, not nan"),
        ({"delay": 3601}, "delay: must be a number of seconds from 0 to 3600, not 3601"),
        ({"times": True}, "times: must be a whole number of calls, at least 1, not True"),
        ({"headers": {1: "one"}}, "headers: 1 is not a header name"),
    ],
)
def test_python_values_json_cannot_carry_are_refused_at_the_script_call(
    sandbox: Sandbox, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=r"\A[^\n]*\Z") as refused:
        sandbox.script("getWebhook", 503, **arguments)

    assert str(refused.value) == message
    assert sandbox.scripts() == []


@pytest.mark.parametrize(("fields", "field", "problem"), REFUSALS, ids=[refusal[1] for refusal in REFUSALS])
def test_a_script_the_spec_does_not_allow_is_refused_with_422_over_http(
    sandbox: Sandbox, tools: httpx.Client, fields: dict[str, Any], field: str, problem: str
) -> None:
    answer = tools.post("/sandbox/scripts", json=fields)

    assert answer.status_code == 422
    assert answer.json()["error"] == {
        "code": "VALIDATION_ERROR",
        "message": f"{field}: {problem}",
        "details": {field: problem},
    }
    assert sandbox.scripts() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], 'body: send {"operationId": ..., "status": ...} with body, headers, times, delay'),
        ({"operationId": "getWebhook"}, "status: is required"),
        (
            {"operationId": "getWebhook", "status": 503, "time": 2},
            "time: is not a field of a script; its fields: operationId, status, body, headers, times, delay",
        ),
    ],
)
def test_a_post_that_is_not_a_script_is_refused_naming_the_field(tools: httpx.Client, body: Any, message: str) -> None:
    answer = tools.post("/sandbox/scripts", json=body)

    assert (answer.status_code, answer.json()["error"]["message"]) == (422, message)


def test_the_scripts_paths_add_list_and_clear(sandbox: Sandbox, tools: httpx.Client, session: Session) -> None:
    added = tools.post(
        "/sandbox/scripts",
        json={"operationId": "listWebhooks", "status": 429, "headers": {"Retry-After": "1"}, "times": 2, "delay": 0},
    )
    assert added.status_code == 200
    script = added.json()["data"]
    assert script["id"].startswith("scr_")
    assert script == {
        "id": script["id"],
        "operationId": "listWebhooks",
        "status": 429,
        "body": {"data": None, "error": {"code": "TOO_MANY_REQUESTS", "message": "Too Many Requests", "details": None}},
        "headers": {"Retry-After": "1"},
        "times": 2,
        "delay": 0.0,
    }
    assert session.http.get(session.hooks).status_code == 429

    listed = tools.get("/sandbox/scripts").json()["data"]
    assert listed == [{**script, "times": 1}]
    assert sandbox.scripts() == listed

    assert tools.delete("/sandbox/scripts").json()["data"] == listed
    assert tools.get("/sandbox/scripts").json()["data"] == []
    assert session.http.get(session.hooks).status_code == 200


def test_clear_scripts_returns_those_dropped_and_calls_reach_the_sandbox_again(
    sandbox: Sandbox, session: Session
) -> None:
    first = sandbox.script("listWebhookEvents", 403)
    second = sandbox.script("getUserinfo", 401)

    assert sandbox.clear_scripts() == [first, second]

    assert sandbox.scripts() == []
    assert session.http.get("/webhooks/events").status_code == 200
    assert session.http.get(USERINFO).json()["sub"] == session.workspace


def test_another_site_s_page_cannot_add_a_script(sandbox: Sandbox, tools: httpx.Client) -> None:
    answer = tools.post(
        "/sandbox/scripts",
        json={"operationId": "getWebhook", "status": 503},
        headers={"Origin": "https://evil.example"},
    )

    assert answer.status_code == 403
    assert sandbox.scripts() == []


def test_the_fixture_is_a_sandbox_that_scripts(up42_sandbox: Sandbox) -> None:
    up42_sandbox.script("createWebhook", 422)

    with up42.Client(up42_sandbox.username, up42_sandbox.password, base_url=up42_sandbox.url) as client:
        with pytest.raises(up42.ValidationError):
            new_hook(client)
        assert client.get_webhooks() == []

    assert up42_sandbox.scripts() == []


def test_the_sandbox_spec_names_every_operation_a_script_may_answer() -> None:
    document = yaml.safe_load(SANDBOX_SPEC_PATH.read_text())
    named = document["components"]["schemas"]["ScriptInput"]["properties"]["operationId"]["enum"]
    assert named == [operation.operation_id for operation in Spec.shipped().operations]

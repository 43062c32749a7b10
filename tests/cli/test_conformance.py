"""``up42 conformance`` as a subprocess: against a sandbox, and against a real proxy that edits its answers.

Every run must leave no webhook behind, whatever the answers were, and also when it is stopped mid-call.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

import up42
from tests.support.cli import UP42, environment, fails, login, ok, run
from tests.support.loopback import NOTHING_LISTENS
from tests.support.proxy import Answer, Proxy
from up42._contract._tour import ORDER
from up42.sandbox import Sandbox

ONE_HOOK = re.compile(r"/workspaces/[^/]+/webhooks/[^/]+")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


def _hooks(sandbox: Sandbox) -> list[dict[str, Any]]:
    with up42.Client(sandbox.username, sandbox.password, base_url=sandbox.url) as client:
        hooks: list[dict[str, Any]] = client.get_webhooks(return_json=True)
        return hooks


@pytest.fixture(autouse=True)
def _none_left_behind(sandbox: Sandbox) -> Iterator[None]:
    assert _hooks(sandbox) == []
    yield
    assert _hooks(sandbox) == []


def _through(sandbox: Sandbox, edit: Any, *args: str) -> subprocess.CompletedProcess[str]:
    with Proxy(sandbox.url, edit) as proxy:
        return run(sandbox, "conformance", "--base-url", proxy.url, *args)


def _one_hook(method: str, answer: Answer) -> bool:
    return answer.method == method and ONE_HOOK.fullmatch(answer.path) is not None


def test_every_answer_of_the_sandbox_is_ok(sandbox: Sandbox) -> None:
    lines = ok(sandbox, "conformance").splitlines()
    assert [line.split() for line in lines[:-1]] == [
        [operation, "204" if operation == "deleteWebhook" else "200", "ok"] for operation in ORDER
    ]
    assert lines[-1] == "result: ok: every answer matches the spec"


def test_json_prints_the_result_and_each_operations_and_strict_passes_when_all_is_ok(sandbox: Sandbox) -> None:
    report = json.loads(ok(sandbox, "conformance", "--json", "--strict"))
    assert report == {
        "result": "ok",
        "operations": [
            {
                "operationId": operation,
                "status": 204 if operation == "deleteWebhook" else 200,
                "result": "ok",
                "problems": [],
            }
            for operation in ORDER
        ],
    }


def _add_property(answer: Answer) -> None:
    if _one_hook("GET", answer):
        answer.json = {**answer.json, "data": {**answer.json["data"], "reviewedBy": "ops"}}


def test_a_property_the_spec_does_not_list_is_drift_which_fails_only_under_strict(sandbox: Sandbox) -> None:
    plain = _through(sandbox, _add_property)
    assert (plain.returncode, plain.stderr) == (0, "")
    assert "getWebhook         200  drift" in plain.stdout.splitlines()
    assert "drift: getWebhook data.reviewedBy: a property the spec does not list" in plain.stdout.splitlines()
    assert plain.stdout.splitlines()[-1].startswith("result: drift: ")

    strict = _through(sandbox, _add_property, "--strict", "--json")
    assert (strict.returncode, strict.stderr) == (1, "")
    report = json.loads(strict.stdout)
    assert report["result"] == "drift"
    (drifted,) = [operation for operation in report["operations"] if operation["result"] != "ok"]
    assert drifted == {
        "operationId": "getWebhook",
        "status": 200,
        "result": "drift",
        "problems": [{"where": "data.reviewedBy", "text": "a property the spec does not list"}],
    }


def _drop_updated_at(answer: Answer) -> None:
    if _one_hook("GET", answer):
        answer.json = {**answer.json, "data": {k: v for k, v in answer.json["data"].items() if k != "updatedAt"}}


def test_a_required_property_missing_is_a_violation_named_by_operation_and_place(sandbox: Sandbox) -> None:
    result = _through(sandbox, _drop_updated_at)
    assert (result.returncode, result.stderr) == (1, "")
    lines = result.stdout.splitlines()
    assert "getWebhook         200  violation" in lines
    assert "violation: getWebhook data.updatedAt: a required property is missing" in lines
    assert "deleteWebhook      204  ok" in lines  # the tour went on, and deleted its webhook


def _undeclared_status(answer: Answer) -> None:
    if answer.method == "POST" and answer.path.endswith("/tests"):
        answer.status = 202


def test_an_undeclared_status_is_a_violation(sandbox: Sandbox) -> None:
    result = _through(sandbox, _undeclared_status, "--json")
    assert result.returncode == 1
    (broken,) = [operation for operation in json.loads(result.stdout)["operations"] if operation["result"] != "ok"]
    assert broken["operationId"] == "runWebhookTests"
    assert broken["problems"] == [
        {"where": "status", "text": "202 is not a documented status (documented: 200, 400, 401, 403, 404, 429, 5XX)"}
    ]


def _drop_the_id(answer: Answer) -> None:
    if answer.method == "POST" and answer.path.endswith("/webhooks"):
        answer.json = {**answer.json, "data": {k: v for k, v in answer.json["data"].items() if k != "id"}}


def test_without_the_new_webhooks_id_the_tour_stops_and_deletes_it_by_its_name(sandbox: Sandbox) -> None:
    result = _through(sandbox, _drop_the_id)
    assert result.returncode == 1
    assert "violation: createWebhook data.id: a required property is missing" in result.stdout.splitlines()
    assert "getWebhook" not in result.stdout
    assert result.stderr == "error: createWebhook answered 200 without a webhook id\n"


def test_a_call_that_fails_mid_tour_stops_it_and_the_webhook_is_deleted(sandbox: Sandbox) -> None:
    with Proxy(sandbox.url, drop=lambda method, path: method == "PUT") as proxy:
        result = run(sandbox, "conformance", "--base-url", proxy.url)
    assert result.returncode == 1
    assert [line.split()[0] for line in result.stdout.splitlines()[:-1]] == list(ORDER[:6])
    assert result.stderr.startswith("error: updateWebhook failed: RemoteProtocolError: ")
    assert result.stderr.count("\n") == 1


def _refuse_deleting(answer: Answer) -> None:
    if answer.method == "DELETE":
        answer.status = 500
        answer.headers["Content-Type"] = "application/json"
        answer.json = {"data": None, "error": {"code": "INTERNAL_ERROR", "message": "down", "details": None}}


def test_a_webhook_it_could_not_delete_is_named_with_the_fix(sandbox: Sandbox) -> None:
    # The sandbox deleted it; the proxy says it failed, to the tour's delete and to its second try alike.
    result = _through(sandbox, _refuse_deleting)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-2].split() == ["deleteWebhook", "500", "ok"]
    named = r"error: could not delete webhook '[0-9a-f-]{36}' \(the API answered 500\); "
    assert re.fullmatch(named + r"delete it with 'up42 webhooks delete'\n", result.stderr)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_mid_call_still_deletes_the_webhook(sandbox: Sandbox, stop: signal.Signals) -> None:
    # The proxy never answers the test run: the signal comes while the command waits for that answer.
    with Proxy(sandbox.url, hold=lambda method, path: method == "POST" and path.endswith("/tests")) as proxy:
        process = subprocess.Popen(
            [UP42, "conformance", "--base-url", proxy.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment(sandbox),
        )
        try:
            assert proxy.held.wait(60)
            assert len(_hooks(sandbox)) == 1
            process.send_signal(stop)
            _, stderr = process.communicate(timeout=60)
        finally:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert stderr == ""


def test_a_network_failure_is_one_line(sandbox: Sandbox) -> None:
    message = fails(run(sandbox, "conformance", "--base-url", NOTHING_LISTENS))
    assert message.startswith("error: createToken failed: ConnectError")


def test_refused_credentials_stop_the_tour_in_one_line(sandbox: Sandbox) -> None:
    result = run(sandbox, "conformance", env={"UP42_PASSWORD": "not-the-password"})
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].split() == ["createToken", "401", "ok"]
    assert result.stderr == "error: the login was refused (401): check the username and password\n"
    assert "not-the-password" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--base-url", "http://127.0.0.1:9", "--region", "eu"], "give --base-url or --region, not both"),
        (["--region", "mars"], "Invalid value for '--region'"),
        (["--record", __file__], "Invalid value for '--record'"),
    ],
)
def test_usage_errors_exit_2(sandbox: Sandbox, args: list[str], message: str) -> None:
    assert message in fails(run(sandbox, "conformance", *args), 2)


def test_without_a_login_it_says_how_to_log_in(sandbox: Sandbox) -> None:
    assert "no UP42 credentials: run 'up42 login' once" in fails(run(None, "conformance"))


def test_it_uses_the_stored_login(sandbox: Sandbox) -> None:
    assert login(sandbox.url, sandbox.username, sandbox.password).returncode == 0
    assert ok(None, "conformance").splitlines()[-1] == "result: ok: every answer matches the spec"

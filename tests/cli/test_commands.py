"""The ``up42`` command as a subprocess against a sandbox: output, JSON, secrets, errors, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import click
import pytest
from click.testing import CliRunner

from tests.support.cli import SECRET, STRICT, fails, ok, run
from tests.support.receivers import Recorder
from up42._server import Server, bind
from up42.cli import cli
from up42.sandbox import Sandbox


@pytest.fixture
def receiver_url() -> Iterator[str]:
    recorder = Recorder()
    server = Server(recorder, bind("127.0.0.1", 0))
    server.start()
    yield f"{server.url}/hook"
    server.stop()


def test_the_whole_lifecycle_in_json(up42_sandbox: Sandbox, receiver_url: str) -> None:
    events = json.loads(ok(up42_sandbox, "webhooks", "events", "--json"))
    assert [event["name"] for event in events] == ["job.status", "order.status"]

    created = json.loads(
        ok(
            up42_sandbox, "webhooks", "create", "--json", "--name", "orders", "--url", receiver_url,
            "--event", "order.status", "--event", "job.status", "--secret", SECRET,
        )
    )  # fmt: skip
    assert (created["name"], created["events"], created["active"]) == ("orders", ["order.status", "job.status"], False)
    assert created["secret"] == "********"  # typed on the command line, still kept out of the output
    hook_id = created["id"]

    (listed,) = json.loads(ok(up42_sandbox, "webhooks", "list", "--json"))
    assert listed["id"] == hook_id
    assert listed["secret"] == "********"
    got = json.loads(ok(up42_sandbox, "webhooks", "get", hook_id, "--json"))
    assert got["secret"] == "********"
    assert set(got) >= {"id", "name", "url", "events", "active", "secret", "createdAt", "updatedAt"}
    assert json.loads(ok(up42_sandbox, "webhooks", "get", hook_id, "--json", "--show-secret"))["secret"] == SECRET

    updated = json.loads(
        ok(up42_sandbox, "webhooks", "update", hook_id, "--json", "--active", "--event", "order.status", "--name", "o2")
    )
    assert (updated["active"], updated["events"], updated["name"], updated["url"]) == (
        True,
        ["order.status"],
        "o2",
        receiver_url,
    )
    assert updated["secret"] == "********"

    run_ = json.loads(ok(up42_sandbox, "webhooks", "test", hook_id, "--json"))
    assert (run_["testsRun"], run_["testsSucceeded"]) == (1, 1)
    assert up42_sandbox.deliveries()[0]["status"] == 200

    assert json.loads(ok(up42_sandbox, "webhooks", "delete", hook_id, "--json")) == {"id": hook_id, "deleted": True}
    assert json.loads(ok(up42_sandbox, "webhooks", "list", "--json")) == []


def test_human_output_is_a_table_and_masks_the_secret(up42_sandbox: Sandbox, receiver_url: str) -> None:
    assert "No webhooks yet" in ok(up42_sandbox, "webhooks", "list")
    created = ok(
        up42_sandbox, "webhooks", "create", "--name", "orders", "--url", receiver_url, "--event", "order.status",
        "--secret", SECRET,
    )  # fmt: skip
    assert SECRET not in created
    assert "secret   ********  (--show-secret reveals it)" in created
    hook_id = created.split()[1]
    table = ok(up42_sandbox, "webhooks", "list").splitlines()
    assert table[0].split() == ["ID", "NAME", "ACTIVE", "EVENTS", "URL"]
    assert table[1].split() == [hook_id, "orders", "no", "order.status", receiver_url]
    shown = ok(up42_sandbox, "webhooks", "get", hook_id)
    assert SECRET not in shown
    assert "********" in shown
    assert "Sent 1 test delivery" in ok(up42_sandbox, "webhooks", "test", hook_id)
    assert "order.status" in ok(up42_sandbox, "webhooks", "events")
    assert f"Deleted webhook {hook_id}" in ok(up42_sandbox, "webhooks", "delete", hook_id)


def test_a_password_in_a_webhooks_url_is_masked_like_its_secret(up42_sandbox: Sandbox) -> None:
    password = "pw-in-the-url-never-shown"
    url = f"https://me:{password}@example.com/hook"
    created = ok(up42_sandbox, "webhooks", "create", "--name", "n", "--url", url, "--event", "order.status", "--json")
    hook_id = json.loads(created)["id"]
    printed = [
        created,
        ok(up42_sandbox, "webhooks", "list"),
        ok(up42_sandbox, "webhooks", "list", "--json"),
        ok(up42_sandbox, "webhooks", "get", hook_id),
    ]
    for text in printed:
        assert password not in text
        assert "https://********@example.com/hook" in text
    assert url in ok(up42_sandbox, "webhooks", "get", hook_id, "--show-secret")


def test_a_webhook_test_never_prints_the_password_in_its_url(up42_sandbox: Sandbox, receiver_url: str) -> None:
    password = "pw-in-the-url-never-shown"
    url = receiver_url.replace("http://", f"http://me:{password}@")
    created = ok(up42_sandbox, "webhooks", "create", "--name", "n", "--url", url, "--event", "order.status", "--json")
    hook_id = json.loads(created)["id"]
    shown = url.replace(f"me:{password}", "********")

    printed = ok(up42_sandbox, "webhooks", "test", hook_id)
    (test,) = json.loads(ok(up42_sandbox, "webhooks", "test", hook_id, "--json"))["tests"]

    assert password not in printed
    assert f"Sent 1 test delivery to {shown}: 1 succeeded" in printed
    assert test["response"] == f"HttpResponse[{shown}, 200 OK]"
    assert f"to {url}:" in ok(up42_sandbox, "webhooks", "test", hook_id, "--show-secret")
    revealed = json.loads(ok(up42_sandbox, "webhooks", "test", hook_id, "--json", "--show-secret"))
    assert revealed["tests"][0]["response"] == f"HttpResponse[{url}, 200 OK]"


def test_an_inbox_urls_password_is_never_printed() -> None:
    unreachable = bind("127.0.0.1", 0)
    port = unreachable.getsockname()[1]
    unreachable.close()
    failed = fails(run(None, "inbox", "list", "--inbox", f"redis://me:hunter2x@127.0.0.1:{port}/0"))
    refused = fails(run(None, "inbox", "list", "--inbox", f"redis://me:hunt/er2x@127.0.0.1:{port}/0"), code=2)

    assert failed.startswith(f"error: the inbox at redis://********@127.0.0.1:{port}/0 failed: ")
    assert "Invalid value for '--inbox'" in refused
    for printed in (failed, refused):
        assert "hunt" not in printed
        assert "er2x" not in printed


def test_credentials_and_base_url_can_come_from_options_at_either_level(up42_sandbox: Sandbox) -> None:
    options = ["--base-url", up42_sandbox.url, "--username", up42_sandbox.username, "--password", up42_sandbox.password]
    assert json.loads(ok(None, "webhooks", "list", "--json", *options)) == []
    assert json.loads(ok(None, "webhooks", *options, "list", "--json")) == []
    # An option beats the environment, and the subcommand's option beats the group's.
    wrong_env = run(up42_sandbox, "webhooks", "--password", up42_sandbox.password, "list", env={"UP42_PASSWORD": "x"})
    assert wrong_env.returncode == 0, wrong_env.stderr
    both = run(up42_sandbox, "webhooks", "--password", "wrong", "list", "--password", up42_sandbox.password)
    assert both.returncode == 0, both.stderr


def test_failures_print_one_line_and_never_a_secret_or_password(up42_sandbox: Sandbox) -> None:
    wrong = fails(run(up42_sandbox, "webhooks", "list", env={"UP42_PASSWORD": "wrong-password-xyz"}))
    assert "refused the credentials" in wrong
    assert "wrong-password-xyz" not in wrong
    assert "404" in fails(run(up42_sandbox, "webhooks", "get", "no-such-id"))
    invalid = fails(
        run(up42_sandbox, "webhooks", "create", "--name", "n", "--url", "http://example.com/h",
            "--event", "order.status", "--secret", "x" * 501)
    )  # fmt: skip
    assert "HTTPS" in invalid
    assert "x" * 20 not in invalid
    assert "UP42_USERNAME" in fails(run(None, "webhooks", "list"))
    unreachable = bind("127.0.0.1", 0)
    port = unreachable.getsockname()[1]
    unreachable.close()
    down = fails(run(up42_sandbox, "webhooks", "list", env={"UP42_BASE_URL": f"http://127.0.0.1:{port}"}))
    assert f"cannot reach UP42 at http://127.0.0.1:{port}: connection refused" in down


def test_a_missing_webhook_names_the_command_not_the_lookup(up42_sandbox: Sandbox, receiver_url: str) -> None:
    created = ok(
        up42_sandbox, "webhooks", "create", "--json", "--name", "o", "--url", receiver_url, "--event", "order.status"
    )
    hook_id = json.loads(created)["id"]
    ok(up42_sandbox, "webhooks", "delete", hook_id)
    for command, extra in (("delete", ()), ("update", ("--name", "n")), ("test", ())):
        stderr = fails(run(up42_sandbox, "webhooks", command, hook_id, *extra))
        assert stderr == f"error: no webhook '{hook_id}' in this workspace; nothing to {command}\n"


def test_usage_errors_exit_2_with_one_line(up42_sandbox: Sandbox) -> None:
    assert "--name" in fails(run(up42_sandbox, "webhooks", "create", "--url", "https://e.com"), code=2)
    assert "nothing to change" in fails(run(up42_sandbox, "webhooks", "update", "some-id"), code=2)
    assert "No such command" in fails(run(up42_sandbox, "webhook"), code=2)


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


def test_every_command_has_complete_help() -> None:
    assert "webhooks" in ok(None, "--help")
    runner = CliRunner()
    commands = list(_commands(cli))
    assert {("webhooks", name) for name in ("list", "get", "create", "update", "delete", "test", "events")} <= set(
        commands
    )
    assert {("listen",), ("sandbox",)} <= set(commands)
    for path in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0
        command: Any = cli
        for name in path:
            command = command.commands[name]
        assert command.help, path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.help, (path, param.name)
                assert param.opts[0] in result.output, (path, param.opts[0])
    sandbox_help = runner.invoke(cli, ["sandbox", "--help"]).output
    for flag in ("--host", "--port", "--db", "--username", "--password", "--token-ttl", "--fail-rate", "--rate-limit",
                 "--latency"):  # fmt: skip
        assert flag in sandbox_help


def test_ctrl_c_while_the_command_is_still_loading_exits_130_quietly() -> None:
    # Deterministic stand-in for a Ctrl+C that lands while the command tree imports: the import raises it.
    script = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def interrupted(name, *args, **kwargs):\n"
        "    if name == 'httpx':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = interrupted\n"
        "from up42.cli import main\n"
        "main(['sandbox', '--port', '0'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ | STRICT, timeout=60, check=False
    )
    assert (result.returncode, result.stdout, result.stderr) == (130, "", "")


def test_python_m_up42_runs_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "up42", "webhooks", "--help"],
        capture_output=True, text=True, env=os.environ | STRICT, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: up42 webhooks")

"""Text between the ``up42`` command and the terminal: what it prints has every control character escaped, and an
argument that is not UTF-8 is refused in one line that names it."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from tests.support.cli import SECRET, UP42, environment, trigger
from tests.support.deliveries import message
from tests.support.listen import Listener, deliver
from tests.support.receivers import Apps, Recorder
from up42.cli import cli
from up42.cli._common import Text
from up42.receiving import InboxRecord, InboxStatus, open_inbox
from up42.sandbox import Sandbox

# ESC ] 0 ; ... BEL retitles the terminal, CR goes back to overwrite the line, U+202E reverses what follows, and
# U+009B is the one-character CSI of C1.
HOSTILE = "evil\x1b]0;owned\x07\rname\u202e\x9b"
ESCAPED = r"evil\x1b]0;owned\x07\rname\u202e\x9b"
WAIT = 30.0


def raw_controls(text: str) -> list[str]:
    """The characters of ``text`` a terminal would act on, or show as something else; newlines only end lines."""
    return [char for char in text if not char.isprintable() and char != "\n"]


def printed(sandbox: Sandbox | None, *args: str, code: int = 0) -> str:
    """Run ``up42 ARGS``; what it printed, stdout then stderr, exactly as a terminal gets it (no newline changes)."""
    result = subprocess.run(
        [UP42, *args], capture_output=True, env=environment(sandbox), timeout=60, check=False
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    return (result.stdout + result.stderr).decode()


def answering(status: int, text: str) -> Any:
    """An ASGI app that answers every request with ``status`` and ``text``."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": text.encode()})

    return app


def test_webhook_names_with_control_characters_are_printed_escaped(up42_sandbox: Sandbox) -> None:
    with Apps() as apps:
        url = apps.serve(answering(200, "ok"))
        created = printed(
            up42_sandbox, "webhooks", "create", "--name", HOSTILE, "--url", url, "--event", "order.status"
        )
        hook_id = created.split()[1]
        as_json = printed(up42_sandbox, "webhooks", "list", "--json")
        outputs = {
            "create": created,
            "list": printed(up42_sandbox, "webhooks", "list"),
            "get": printed(up42_sandbox, "webhooks", "get", hook_id),
            "update": printed(up42_sandbox, "webhooks", "update", hook_id, "--name", f"{HOSTILE}!"),
            "test": printed(up42_sandbox, "webhooks", "test", hook_id),
            "get a missing one": printed(up42_sandbox, "webhooks", "get", HOSTILE, code=1),
            "delete a missing one": printed(up42_sandbox, "webhooks", "delete", HOSTILE, code=1),
            "delete": printed(up42_sandbox, "webhooks", "delete", hook_id),
        }
    for command, output in outputs.items():
        assert raw_controls(output) == [], command
    for command in ("create", "list", "get", "update", "get a missing one", "delete a missing one"):
        assert ESCAPED in outputs[command], command
    assert outputs["get a missing one"].startswith("error: ")
    assert outputs["get a missing one"].count("\n") == 1
    # JSON escapes C0 itself; C1 and bidi controls, which it may leave raw, are escaped too: the same value parsed.
    assert raw_controls(as_json) == []
    assert r'"name": "evil\u001b]0;owned\u0007\rname\u202e\u009b"' in as_json
    (listed,) = json.loads(as_json)
    assert listed["name"] == HOSTILE


def test_a_receivers_answer_is_printed_escaped_by_trigger() -> None:
    with Apps() as apps:
        accepted = printed(None, "trigger", "order.status", "--unsigned", "--to", apps.serve(answering(200, HOSTILE)))
        refused = printed(None, "trigger", "order.status", "--unsigned", "--to", apps.serve(answering(500, HOSTILE)),
                          code=1)  # fmt: skip
    excerpt = r"evil\x1b]0;owned\x07 name\u202e\x9b"  # on one line: whitespace, CR included, is one space
    assert raw_controls(accepted) == []
    assert accepted.endswith(f": 200 OK\n  {excerpt}\n")
    assert raw_controls(refused) == []
    assert refused.endswith(f" answered 500 Internal Server Error: {excerpt}\n")


def test_listen_prints_a_verified_delivery_escaped() -> None:
    listener = Listener("--secret", SECRET)
    try:
        assert deliver(listener.url, message_id=HOSTILE).status_code == 200
        shown = listener.lines_until(listener.out, "verified")
    finally:
        listener.stop()
    assert raw_controls("".join(shown)) == []
    assert f"message {ESCAPED})" in shown[-1]


def test_listen_prints_a_verified_delivery_as_json_escaped() -> None:
    listener = Listener("--secret", SECRET, "--json")
    try:
        assert deliver(listener.url, message_id=HOSTILE).status_code == 200
        line = listener.next_line(listener.out)
    finally:
        listener.stop()
    assert raw_controls(line) == []
    assert r'"messageId": "evil\u001b]0;owned\u0007\rname\u202e\u009b"' in line
    assert json.loads(line)["messageId"] == HOSTILE


def test_inbox_messages_are_printed_escaped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/inbox.db"
    inbox = open_inbox(url)
    try:
        content = message(message_id=HOSTILE, dataHostName=HOSTILE)
        inbox.put(HOSTILE, "order.status", json.dumps(content, ensure_ascii=False).encode())
        (taken,) = inbox.take("test", 30, 1, 5)
        inbox.fail(taken, "test", f"Traceback (most recent call last):\nRuntimeError: {HOSTILE}\n")
    finally:
        inbox.close()
    listed = printed(None, "inbox", "list", "--inbox", url)
    shown = printed(None, "inbox", "show", HOSTILE, "--inbox", url)
    replayed = printed(None, "inbox", "replay", HOSTILE, "--inbox", url)
    for output in (listed, shown, replayed):
        assert raw_controls(output) == []
        assert ESCAPED in output
    assert f"\nRuntimeError: {ESCAPED}\n" in shown  # a traceback keeps its lines


HOOKS = """
import os
from up42.receiving import Receiver

receiver = Receiver("unused", inbox=os.environ["HOOK_INBOX"])

@receiver.on("order.status")
def broken(event):
    raise RuntimeError(event.message_id)
"""


def failed(record: InboxRecord | None) -> bool:
    return record is not None and record.status is InboxStatus.FAILED


def test_the_workers_log_is_printed_escaped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/inbox.db"
    (tmp_path / "hooks.py").write_text(HOOKS)
    inbox = open_inbox(url)
    log = tmp_path / "worker.log"
    try:
        inbox.put(HOSTILE, "order.status", json.dumps(message(message_id=HOSTILE)).encode())
        command = [UP42, "worker", "hooks:receiver", "--app-dir", str(tmp_path), "--max-attempts", "1"]
        with log.open("wb") as output:
            worker = subprocess.Popen(
                command, env={**os.environ, "HOOK_INBOX": url}, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            deadline = time.monotonic() + WAIT
            while not (failed(inbox.get(HOSTILE)) and b"RuntimeError" in log.read_bytes()):
                assert time.monotonic() < deadline, "the worker did not fail the message, and log it, in time"
                time.sleep(0.05)
        finally:
            worker.terminate()
            worker.wait(WAIT)
    finally:
        inbox.close()
    logged = log.read_bytes().decode()
    assert raw_controls(logged) == []
    assert f"RuntimeError: {ESCAPED}\n" in logged


def test_the_sandboxs_banner_is_printed_escaped() -> None:
    sandbox = subprocess.Popen(
        [UP42, "sandbox", "--port", "0", "--username", HOSTILE], stdout=subprocess.PIPE, env=environment(None)
    )
    banner: list[bytes] = []
    try:
        assert sandbox.stdout is not None
        while not banner or not banner[-1].startswith(b"  or once:"):
            line = sandbox.stdout.readline()
            assert line, b"".join(banner)
            banner.append(line)
    finally:
        sandbox.terminate()
        sandbox.wait(WAIT)
        if sandbox.stdout is not None:
            sandbox.stdout.close()
    text = b"".join(banner).decode()
    assert raw_controls(text) == []
    assert f"  username  {ESCAPED}\n" in text


# Arguments that are not UTF-8: Python hands them over as lone surrogates ("surrogateescape").


def refused(sandbox: Sandbox | None, *args: str | bytes, env: dict[bytes, bytes] | None = None) -> str:
    """Run ``up42 ARGS`` (bytes are passed as they are), in ``env`` if given; the one line of its usage error."""
    result = subprocess.run(
        [UP42, *args], capture_output=True, env=environment(sandbox) if env is None else env, input=b"", timeout=60,
        check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, b""), result.stderr
    line = result.stderr.decode()
    assert line.startswith("error: ")
    assert line.count("\n") == 1
    assert "codec" not in line
    return line


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["deliveries", "show", b"dlv_v4lue\xff"], "'ID'"),
        (["deliveries", "resend", b"dlv_v4lue\xff"], "'[ID]'"),
        (["deliveries", "list", "--webhook", b"v4lue-\xff"], "'--webhook'"),
        (["trigger", "order.status", "--unsigned", "--to", b"http://127.0.0.1:9/v4lue\xff"], "'--to'"),
        (
            ["listen", "--port", "0", "--secret", "s", "--forward-to", b"http://127.0.0.1:9/v4lue\xc3("],
            "'--forward-to'",
        ),
        (["webhooks", "get", b"v4lue\xff"], "'ID'"),
        (["webhooks", "list", "--password", b"v4lue\xffss"], "'--password'"),
    ],
)
def test_an_argument_that_is_not_utf8_is_named_in_one_line(
    up42_sandbox: Sandbox, args: list[str | bytes], named: str
) -> None:
    with Apps(up42_sandbox) as apps:
        apps.webhook(Recorder(), ["order.status"])
        trigger(up42_sandbox, "order.status")  # a delivery that could be shown, resent or listed
        line = refused(up42_sandbox, *args)
    assert f"Invalid value for {named}: not valid UTF-8 text" in line
    assert "v4lue" not in line  # the value is never shown: it may be a password or a secret
    assert up42_sandbox.deliveries()[0]["attempt"] == 1  # nothing resent


@pytest.mark.parametrize(
    ("args", "variable"),
    [
        (["webhooks", "list"], "UP42_USERNAME"),
        (["webhooks", "list"], "UP42_PASSWORD"),
        (["webhooks", "list"], "UP42_BASE_URL"),
        (["webhooks", "list"], "UP42_REGION"),
        (["whoami"], "UP42_PASSWORD"),
        (["deliveries", "list"], "UP42_BASE_URL"),
        (["login"], "UP42_USERNAME"),
        (["login"], "UP42_PASSWORD"),
        (["login", "--username", "me@example.com", "--password-stdin"], "UP42_BASE_URL"),
    ],
)
def test_a_variable_that_is_not_utf8_is_named_in_one_line(tmp_path: Path, args: list[str], variable: str) -> None:
    account = {"UP42_USERNAME": "me@example.com", "UP42_PASSWORD": "pw", "XDG_CONFIG_HOME": str(tmp_path)}
    env = {os.fsencode(name): os.fsencode(value) for name, value in environment(None, account).items()}
    env[variable.encode()] = b"v4lue\xff"

    line = refused(None, *args, env=env)

    assert f"Invalid value for ${variable}: not valid UTF-8 text" in line
    assert "v4lue" not in line
    assert list(tmp_path.iterdir()) == []  # no login stored


def test_inbox_ids_that_are_not_utf8_are_named_and_nothing_is_replayed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/inbox.db"
    inbox = open_inbox(url)
    try:
        inbox.put("m-1", "order.status", json.dumps(message(message_id="m-1")).encode())
        (taken,) = inbox.take("test", 30, 1, 5)
        inbox.fail(taken, "test", "RuntimeError: the archive is not there yet")
        shown = refused(None, "inbox", "show", b"m-\xff", "--inbox", url)
        replayed = refused(None, "inbox", "replay", "m-1", b"m-\xff", "--inbox", url)
        record = inbox.get("m-1")
    finally:
        inbox.close()
    assert "Invalid value for 'MESSAGE_ID': not valid UTF-8 text" in shown
    assert "Invalid value for '[ID]...': not valid UTF-8 text" in replayed
    assert record is not None
    assert record.status is InboxStatus.FAILED  # refused before anything was replayed


def _parameters(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Parameter]]:
    found = [(path, param) for param in command.params]
    if isinstance(command, click.Group):
        for name, subcommand in command.commands.items():
            found += _parameters(subcommand, (*path, name))
    return found


def test_every_parameter_that_takes_text_refuses_text_that_is_not_utf8() -> None:
    runner = CliRunner()
    checked = 0
    for path, param in _parameters(cli):
        if isinstance(param, click.Option) and (param.is_flag or param.count):
            continue  # takes no value
        if isinstance(param.type, click.Path):
            continue  # a file name may hold any bytes the system allows
        assert isinstance(param.type, Text | click.Choice | click.IntRange | click.FloatRange), (path, param.name)
        given = ["x\udcff"] if isinstance(param, click.Argument) else [param.opts[0], "x\udcff"]
        result = runner.invoke(cli, [*path, *given])
        assert result.exit_code == 2, (path, param.name, result.output)
        assert f"Invalid value for {param.get_error_hint(click.Context(cli))}" in result.output, (path, result.output)
        if isinstance(param.type, Text):
            assert "not valid UTF-8 text" in result.output, (path, result.output)
            checked += 1
    assert checked > 30  # the walk found the commands' options and arguments

"""``up42 listen`` without ``--secret`` against a sandbox: a webhook of its own, its secret shown once, deleted after.

The CLI runs as a subprocess against a real sandbox; the tests share one, each looking only at its own webhook.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.cli import SECRET, UP42, fails, ok, run
from tests.support.listen import Listener
from tests.support.loopback import LoopbackServer, QuietHandler
from up42._server import bind
from up42.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as started:
        yield started


def webhooks(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """The sandbox's webhooks by id, with their secrets, as `up42 webhooks list` has them."""
    listed = json.loads(ok(sandbox, "webhooks", "list", "--json", "--show-secret"))
    return {hook["id"]: hook for hook in listed}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_it_registers_a_webhook_of_its_own_and_deletes_it_when_stopped(
    sandbox: Sandbox, stop: signal.Signals, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="up42")  # what the sandbox logs, as `up42 sandbox` shows it
    listener = Listener(env=sandbox.env)
    try:
        hook = webhooks(sandbox)[listener.webhook_id]
        host_port = listener.url.removeprefix("http://").rstrip("/")
        assert hook["name"].startswith(f"up42 listen {host_port} 20")
        assert hook["name"].endswith("Z")
        assert (hook["url"], hook["events"], hook["active"]) == (listener.url, ["job.status", "order.status"], True)
        assert hook["secret"] == listener.secret
        assert listener.events == ["job.status", "order.status"]
        assert len(listener.secret) >= 32

        sent = run(sandbox, "trigger", "order.status")
        assert sent.returncode == 0, sent.stderr
        printed = listener.lines_until(listener.out, "verified order.status (live")
    finally:
        out, err = listener.stop(stop)
    assert listener.proc.returncode == 0
    assert listener.webhook_id not in webhooks(sandbox)
    assert err == []  # nothing on stderr after the Ready! line
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert f"Created webhook {listener.webhook_id}" in logs
    for text in (*out, *printed, sent.stdout, sent.stderr, logs):
        assert listener.secret not in text


def test_events_choose_what_its_webhook_subscribes_to_and_json_lines_carry_no_secret(sandbox: Sandbox) -> None:
    listener = Listener("--events", "order.status", "--json", env=sandbox.env)
    try:
        assert listener.events == ["order.status"]
        assert webhooks(sandbox)[listener.webhook_id]["events"] == ["order.status"]
        run(sandbox, "trigger", "order.status")
        line = listener.next_line(listener.out)
    finally:
        out, err = listener.stop()
    assert json.loads(line)["outcome"] == "verified"
    assert listener.secret not in line
    assert (out, err) == ([], [])
    assert listener.webhook_id not in webhooks(sandbox)


def test_with_a_secret_it_registers_nothing(sandbox: Sandbox) -> None:
    listener = Listener("--secret", SECRET, env=sandbox.env)
    try:
        registered = [hook for hook in webhooks(sandbox).values() if hook["url"] == listener.url]
    finally:
        out, err = listener.stop()
    assert registered == []
    assert (listener.secret, listener.webhook_id) == ("", "")
    assert not any("Ready!" in line for line in (*out, *err))


def test_a_busy_port_fails_before_any_webhook_exists(sandbox: Sandbox) -> None:
    with bind("127.0.0.1", 0) as busy:
        port = str(busy.getsockname()[1])
        without_reuse = run(sandbox, "listen", "--port", port)
    error = fails(without_reuse)
    assert f"cannot listen on 127.0.0.1 port {port}" in error
    assert not [hook for hook in webhooks(sandbox).values() if hook["url"].endswith(f":{port}/")]


def test_an_error_after_its_webhook_exists_deletes_it(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    # Its stderr closed, the listener cannot show the secret: it fails right after registering its webhook.
    caplog.set_level(logging.INFO, logger="up42")
    listener = subprocess.Popen(
        [UP42, "listen", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **sandbox.env},
    )
    assert listener.stdout is not None and listener.stderr is not None
    listener.stderr.close()
    code = listener.wait(timeout=60)
    banner = listener.stdout.read().decode()
    listener.stdout.close()
    assert banner.startswith("Listening on http://127.0.0.1:")
    assert code != 0
    (created,) = [record.args[0] for record in caplog.records if record.getMessage().startswith("Created webhook ")]
    assert created not in webhooks(sandbox)


class NotASandbox(QuietHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_against_a_server_that_is_not_a_sandbox_the_secret_is_required() -> None:
    server = LoopbackServer(NotASandbox)
    try:
        result = run(None, "listen", "--port", "0", "--base-url", server.url,
                     env={"UP42_USERNAME": "me@example.com", "UP42_PASSWORD": "pw"})  # fmt: skip
    finally:
        server.stop()
    error = fails(result, code=2)
    assert f"--secret is required: {server.url} is not a sandbox (it has no /sandbox/ paths)" in error


@pytest.mark.parametrize(
    ("place", "reason"),
    [
        (["--region", "eu"], "--secret is required with UP42 itself (region eu), which cannot deliver to a listener"),
        (["--base-url", "https://api.sa.up42.com"], "--secret is required with UP42 itself (region sa)"),
        ([], "no --secret, and no sandbox to register a webhook with: log in to a sandbox"),
    ],
    ids=["region", "region-base-url", "not-logged-in"],
)
def test_without_a_sandbox_the_secret_is_required(place: list[str], reason: str) -> None:
    env = {"UP42_USERNAME": "me@example.com", "UP42_PASSWORD": "pw"} if place else {}
    error = fails(run(None, "listen", "--port", "0", *place, env=env), code=2)
    assert reason in error
    assert "or give --secret" in error or "register a webhook at a public URL" in error

"""The developer's loop with every part a real process: `up42 sandbox`, `up42 listen`, and each command."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import httpx

from tests.support.cli import UP42, fails, login, ok, run
from tests.support.listen import Listener
from tests.support.sandbox_process import PASSWORD, USERNAME, SandboxProcess

SECRET = "loop-secret-never-shown"
DOWN = "ConnectError: All connection attempts failed"


def test_log_in_trigger_inspect_and_resend_with_real_processes(tmp_path: Path) -> None:
    with SandboxProcess("--db", str(tmp_path / "sandbox.sqlite")) as sandbox:
        dashboard = sandbox.wait_for("  dashboard ").split()[-1]
        assert dashboard == f"{sandbox.url}/dashboard"
        logged_in = login(sandbox.url, USERNAME, PASSWORD)
        assert logged_in.returncode == 0, logged_in.stderr
        listener = Listener("--secret", SECRET)
        try:
            hook = json.loads(
                ok(None, "webhooks", "create", "--json", "--name", "app", "--url", listener.url,
                   "--event", "order.status", "--secret", SECRET, "--active")
            )  # fmt: skip
            triggered = ok(None, "trigger", "order.status", "--set", "status=FAILED_PERMANENTLY")
            message_id = triggered.splitlines()[0].split()[-1]
            seen = listener.lines_until(listener.out, message_id)
            assert "is FAILED_PERMANENTLY" in seen[-1]
        finally:
            listener.stop()

        (row,) = json.loads(ok(None, "deliveries", "list", "--json"))
        assert (row["messageId"], row["webhookId"], row["state"], row["status"]) == (
            message_id,
            hook["id"],
            "delivered",
            200,
        )
        shown = ok(None, "deliveries", "show", row["id"])
        for header in ("Signature-Input: up42-sig=", "Signature: up42-sig=", "Content-Digest: sha-256=:"):
            assert header in shown
        assert SECRET not in shown

        # The app is down: the delivery fails and resending it fails too, in one line each. The sandbox keeps
        # retrying meanwhile on its own schedule, so the delivery is pending or, its attempts spent, failed.
        down_message = ok(None, "trigger", "order.status").splitlines()[0].split()[-1]
        (down,) = [d for d in json.loads(ok(None, "deliveries", "list", "--json")) if d["messageId"] == down_message]
        assert down["state"] in ("pending", "failed")
        assert down["error"] == DOWN
        delivery_id = down["id"]
        refused = run(None, "deliveries", "resend", delivery_id)
        assert refused.returncode == 1
        assert re.fullmatch(rf"error: {delivery_id} was not delivered \((pending|failed)\): {DOWN}\n", refused.stderr)

        # Back up at a new address: point the webhook at it and resend, same message, signed again.
        listener = Listener("--secret", SECRET)
        try:
            ok(None, "webhooks", "update", hook["id"], "--url", listener.url)
            resent = run(None, "deliveries", "resend", delivery_id)
            assert resent.returncode == 0, resent.stderr
            assert "delivered" in resent.stdout
            assert any(down_message in line for line in listener.lines_until(listener.out, down_message))
        finally:
            listener.stop()

        page = httpx.get(dashboard, trust_env=False)
        assert page.status_code == 200
        assert delivery_id in page.text

    # The sandbox is gone: every command says so in one line, with what to do.
    for command in (["trigger", "order.status"], ["deliveries", "list"], ["deliveries", "show", delivery_id]):
        message = fails(run(None, *command))
        assert "cannot reach the sandbox" in message
        assert "up42 sandbox" in message


def test_a_bare_up42_prints_the_usage_and_every_command() -> None:
    result = subprocess.run([UP42], capture_output=True, text=True, timeout=60, check=False)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: up42 [OPTIONS] COMMAND [ARGS]...")
    for command in ("login", "logout", "whoami", "webhooks", "trigger", "deliveries", "listen", "sandbox"):
        assert f"  {command} " in result.stdout
    group = subprocess.run([UP42, "deliveries"], capture_output=True, text=True, timeout=60, check=False)
    assert (group.returncode, group.stderr) == (0, "")
    assert "  resend " in group.stdout
